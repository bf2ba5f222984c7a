using System.Text.Json.Nodes;

namespace MimicInfra.Lab;

/// <summary>
/// The example notebooks of a lab, generated from the catalog for its release and modules (Jupyter nbformat 4.5
/// JSON): for Athena (the SageMaker notebook's, boto3), BigQuery (Workbench, google-cloud-bigquery) and the local
/// DuckDB lab (DuckDB's Python package). Each runs the same <see cref="ExampleQueries"/> unchanged, keeps each
/// result as a pandas DataFrame in the example's variable and draws its figure with pandas' plotting (matplotlib).
/// A first-run problem (data not imported, a table missing, the scan cap, expired credentials) stops the cell with
/// what to do, shown without a traceback (IPython's <c>_render_traceback_</c> hook).
/// </summary>
public static class ExampleNotebook
{
    public const string FileName = "mimic-lab-example.ipynb";

    /// <summary>The statement the local notebook reads the lab's table schemas with (then on its search path, as `query` does).</summary>
    public const string LocalSchemasSql = "SELECT value FROM main._metadata WHERE attribute = 'schemas'";

    private static readonly string[] LabErrorClass =
    [
        "class LabError(Exception):",
        "    \"\"\"A problem and what to do about it, shown as its message alone (no traceback).\"\"\"",
        "",
        "    def _render_traceback_(self):",
        "        return [str(self)]",
        "",
        "",
        "try:",
        "    import matplotlib  # pandas draws the figures with it",
        "except ModuleNotFoundError:",
        "    raise LabError(\"matplotlib is not installed in this kernel: run `%pip install matplotlib` in a cell, then run this cell again.\") from None",
    ];

    public static string Build(LabSettings lab)
    {
        var aws = lab.Aws ?? throw new InvalidOperationException("this example notebook is for AWS labs");
        var cap = aws.BytesScannedCutoffPerQuery / (1024.0 * 1024 * 1024);
        var cells = new List<JsonObject>
        {
            Markdown(
                $"# MIMIC lab `{lab.Names.Lab}`",
                "",
                $"**{lab.Release.Title}**, modules {string.Join(", ", lab.Modules.Select(m => $"`{m.Name}`"))}, for researcher `{lab.ResearcherInCloud}`, study `{lab.Study}` (lab expires {lab.Expires:yyyy-MM-dd}).",
                "",
                $"Every table of the release is in the Glue database `{lab.Names.Database}`. Queries run in the Athena workgroup `{lab.Names.Workgroup}` " +
                $"(engine 3, at most {cap:0.#} GiB scanned per query); results go to the lab's private, encrypted bucket and expire after {aws.ResultsRetentionDays} days.",
                "",
                "boto3, pandas and matplotlib come with the SageMaker `conda_python3` kernel: nothing to install.",
                "",
                "Use of MIMIC data is bound by the PhysioNet data use agreement: do not share data or results that could identify anyone."),
            Code([
                "import re",
                "import time",
                "",
                "import boto3",
                "import pandas as pd",
                "from botocore.exceptions import ClientError, NoCredentialsError",
                "",
                $"REGION = \"{aws.Region}\"",
                $"WORKGROUP = \"{lab.Names.Workgroup}\"",
                $"DATABASE = \"{lab.Names.Database}\"",
                $"DERIVED_DATABASE = \"{lab.Names.DerivedDatabase}\"",
                $"SCAN_CAP_GIB = {cap.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}  # the workgroup cancels a query that scans more (cost guard)",
                "athena = boto3.client(\"athena\", region_name=REGION)",
                "NOT_IMPORTED = set()  # tables the lab's copy lacks, from the import record (\"*\": no import yet)",
                "",
                "",
                .. LabErrorClass,
                "",
                "",
                "EXPIRED = {\"ExpiredToken\", \"ExpiredTokenException\", \"RequestExpired\", \"InvalidClientTokenId\", \"UnrecognizedClientException\"}",
                "",
                "",
                "def call(operation, **params):",
                "    \"\"\"Calls an AWS API; missing or expired credentials become what to do about them.\"\"\"",
                "    try:",
                "        return operation(**params)",
                "    except NoCredentialsError:",
                "        raise LabError(\"No AWS credentials here. The lab's SageMaker notebook has its role's; elsewhere sign in \"",
                "                       \"(e.g. `aws sso login` or `aws configure`), then run this cell again.\") from None",
                "    except ClientError as e:",
                "        if e.response[\"Error\"][\"Code\"] in EXPIRED:",
                "            raise LabError(f\"Your AWS credentials have expired ({e.response['Error']['Code']}): sign in again (e.g. `aws sso login`, \"",
                "                           \"or new keys from your administrator; on the lab's SageMaker notebook, restart the kernel), \"",
                "                           \"then run the notebook from the top.\") from None",
                "        raise",
                "",
                "",
                "def typed(values, kind):",
                "    \"\"\"Athena returns every value as text: this gives a column its SQL type.\"\"\"",
                "    column = pd.Series(values, dtype=\"object\")",
                "    if kind in (\"tinyint\", \"smallint\", \"integer\", \"bigint\"):",
                "        return pd.to_numeric(column).astype(\"Int64\")",
                "    if kind in (\"real\", \"float\", \"double\") or kind.startswith(\"decimal\"):",
                "        return pd.to_numeric(column).astype(\"float64\")",
                "    if kind in (\"date\", \"timestamp\"):",
                "        return pd.to_datetime(column)",
                "    if kind == \"boolean\":",
                "        return column.map({\"true\": True, \"false\": False})",
                "    return column",
                "",
                "",
                "def explain(query, tables):",
                "    \"\"\"What to do about a query that did not succeed.\"\"\"",
                "    status = query[\"Status\"]",
                "    reason = status.get(\"StateChangeReason\", status[\"State\"])",
                "    if \"*\" in NOT_IMPORTED or tables & NOT_IMPORTED:",
                "        return f\"The query failed ({reason}) because the lab's data has not been imported yet: run the import command above in AWS CloudShell as your PhysioNet-verified IAM user, then run this cell again.\"",
                "    if status[\"State\"] == \"CANCELLED\" or \"bytes scanned limit\" in reason.lower():",
                "        return (f\"The query was stopped ({reason}): the workgroup cancels a query that scans more than {SCAN_CAP_GIB} GiB. \"",
                "                \"Read less: name only the columns you need and filter with WHERE (LIMIT does not reduce what is scanned); \"",
                "                \"the cap is the lab's athenaBytesScannedCutoff setting.\")",
                "    if reason.startswith((\"TABLE_NOT_FOUND\", \"SCHEMA_NOT_FOUND\")):",
                "        return (f\"{reason}. The lab's tables are listed under Tables at the end of this notebook; \"",
                "                \"a module the lab leaves out has none (add it to the stack's modules and run `pulumi up`).\")",
                "    return f\"The query failed: {reason}\"",
                "",
                "",
                "def run(sql, database=DATABASE):",
                "    \"\"\"Runs SQL in the lab's workgroup and returns the result as a pandas DataFrame, each column in its SQL type.\"\"\"",
                "    # The tables it reads (FROM/JOIN, leaving out EXTRACT(YEAR FROM x) and the like).",
                "    tables = set(re.findall(r\"\\b(?:FROM|JOIN)\\s+([A-Za-z_]\\w*)\", re.sub(r\"\\(\\s*\\w+\\s+FROM\\b\", \"(\", sql, flags=re.I), flags=re.I))",
                "    qid = call(athena.start_query_execution, QueryString=sql, WorkGroup=WORKGROUP,",
                "               QueryExecutionContext={\"Database\": database})[\"QueryExecutionId\"]",
                "    delay = 0.25",
                "    while True:",
                "        query = call(athena.get_query_execution, QueryExecutionId=qid)[\"QueryExecution\"]",
                "        if query[\"Status\"][\"State\"] in (\"SUCCEEDED\", \"FAILED\", \"CANCELLED\"):",
                "            break",
                "        time.sleep(delay)",
                "        delay = min(delay * 2, 5)",
                "    if query[\"Status\"][\"State\"] != \"SUCCEEDED\":",
                "        raise LabError(explain(query, tables))",
                "    # Result pages of up to 1000 rows; the first page's first row is the header.",
                "    rows, columns, token = [], None, None",
                "    while True:",
                "        page = call(athena.get_query_results, QueryExecutionId=qid, MaxResults=1000, **({\"NextToken\": token} if token else {}))",
                "        columns = columns or page[\"ResultSet\"][\"ResultSetMetadata\"][\"ColumnInfo\"]",
                "        rows += [[cell.get(\"VarCharValue\") for cell in row[\"Data\"]] for row in page[\"ResultSet\"][\"Rows\"]]",
                "        token = page.get(\"NextToken\")",
                "        if not token:",
                "            break",
                "    header, body = rows[0], rows[1:]",
                "    frame = pd.DataFrame({i: typed([r[i] for r in body], c[\"Type\"]) for i, c in enumerate(columns)})",
                "    frame.columns = header",
                "    if frame.empty and (\"*\" in NOT_IMPORTED or tables & NOT_IMPORTED):",
                "        raise LabError(f\"No rows: the lab's copy of {', '.join(sorted(tables & NOT_IMPORTED) or sorted(tables))} has not been imported yet. \"",
                "                       \"Run the import command above in AWS CloudShell as your PhysioNet-verified IAM user, then run this cell again.\")",
                "    scanned = query[\"Statistics\"].get(\"DataScannedInBytes\", 0)",
                "    print(f\"{len(frame)} rows, {scanned / 1e6:.1f} MB scanned\")",
                "    return frame"]),
        };
        if (aws.OwnsData) cells.AddRange(ImportCheckCells(lab, aws));
        // Derived concepts live in a database of their own (their names repeat other modules').
        var derived = lab.AwsDerived;
        IReadOnlyList<Catalog.Module> queried = derived is null ? lab.Modules : [.. lab.Modules, derived];
        cells.AddRange(ExampleCells(queried, q => q.Module == derived?.Name ? "\"\"\", database=DERIVED_DATABASE)" : "\"\"\")"));
        cells.Add(Markdown("## Your results", "", "Athena writes every result as a CSV file to the lab bucket; this is where:"));
        cells.Add(Code(
            "config = call(athena.get_work_group, WorkGroup=WORKGROUP)[\"WorkGroup\"][\"Configuration\"]",
            "print(\"Results are written to\", config[\"ResultConfiguration\"][\"OutputLocation\"])"));

        return Write(cells, "conda_python3");
    }

    /// <summary>
    /// The BigQuery notebook of a GCP lab (Vertex AI Workbench, or any Jupyter with google-cloud-bigquery):
    /// each query runs with its module's lab dataset as default dataset, so its SQL is the same as on Athena.
    /// </summary>
    public static string BuildForBigQuery(LabSettings lab)
    {
        var gcp = lab.Gcp ?? throw new InvalidOperationException("this example notebook is for GCP labs");
        var modules = Gcp.GcpLab.ModulesOf(lab);
        var cells = new List<JsonObject>
        {
            Markdown(
                $"# MIMIC lab `{lab.Names.Lab}` on BigQuery",
                "",
                $"**{lab.Release.Title}**, modules {string.Join(", ", modules.Select(m => $"`{m.Name}`"))}, for researcher `{lab.ResearcherInCloud}`, study `{lab.Study}` (lab expires {lab.Expires:yyyy-MM-dd}).",
                "",
                $"Each module is a dataset of views in project `{gcp.Project}`, pinned to the release's datasets in `physionet-data`. " +
                "Queries are billed to your project and read PhysioNet's data with your own Google account, which PhysioNet must have granted access.",
                "",
                "google-cloud-bigquery, pandas and matplotlib come with Vertex AI Workbench's Python kernel: nothing to install.",
                "",
                "Use of MIMIC data is bound by the PhysioNet data use agreement: do not share data or results that could identify anyone."),
            Code([
                "from google.api_core import exceptions as api_errors",
                "from google.auth import exceptions as auth_errors",
                "from google.cloud import bigquery",
                "",
                $"PROJECT = \"{gcp.Project}\"",
                "DATASETS = {",
                .. modules.Select(m => $"    \"{m.Name}\": \"{Gcp.GcpLab.DatasetOf(lab, m)}\","),
                "}",
                $"SCRATCH = \"{Gcp.GcpLab.ScratchDataset(lab)}\"",
                $"MAX_BYTES_BILLED = {gcp.CostGuards.MaxBytesBilledPerQuery}  # a query that would bill more fails instead (cost guard)",
                "",
                "",
                .. LabErrorClass,
                "",
                "",
                "SIGN_IN = (\"sign in again: in a terminal run `gcloud auth application-default login` (on Workbench with its service account, \"",
                "           \"ask your administrator), then run the notebook from the top.\")",
                "try:",
                "    client = bigquery.Client(project=PROJECT)",
                "except auth_errors.DefaultCredentialsError:",
                "    raise LabError(\"No Google credentials here: \" + SIGN_IN) from None",
                "",
                "",
                "def explain(error, module):",
                "    \"\"\"What to do about a query BigQuery refused.\"\"\"",
                "    reasons = {e.get(\"reason\") for e in getattr(error, \"errors\", None) or []}",
                "    if \"bytesBilledLimitExceeded\" in reasons or \"exceeded limit for bytes billed\" in error.message.lower():",
                "        return (f\"{error.message} The lab caps a query at MAX_BYTES_BILLED = {MAX_BYTES_BILLED:,} bytes billed, so it did not run and \"",
                "                \"cost nothing. Read less: name only the columns you need and filter with WHERE (LIMIT does not reduce what is billed); \"",
                "                \"the cap is the lab's gcpMaxBytesBilledPerQuery setting.\")",
                "    if isinstance(error, api_errors.NotFound):",
                "        return (f\"{error.message}. The query runs in the lab dataset {DATASETS[module]}: its tables are listed under Tables at the end \"",
                "                \"of this notebook; a module the lab leaves out has none (add it to the stack's modules and run `pulumi up`).\")",
                "    if isinstance(error, api_errors.Forbidden) and \"physionet-data\" in error.message:",
                "        return (f\"{error.message}. Your Google account may not read PhysioNet's MIMIC data yet: on PhysioNet, add this Google account \"",
                "                \"to your profile and request access to the project's data on BigQuery, then run this cell again.\")",
                "    return f\"The query failed: {error.message}\"",
                "",
                "",
                "def run(sql, module):",
                "    \"\"\"Runs SQL with the module's lab dataset as default dataset and returns a pandas DataFrame.\"\"\"",
                "    config = bigquery.QueryJobConfig(default_dataset=f\"{PROJECT}.{DATASETS[module]}\", maximum_bytes_billed=MAX_BYTES_BILLED)",
                "    try:",
                "        job = client.query(sql, job_config=config)",
                "        frame = job.result().to_dataframe()",
                "    except auth_errors.RefreshError as e:",
                "        raise LabError(f\"Your Google credentials have expired ({e}): \" + SIGN_IN) from None",
                "    except api_errors.GoogleAPICallError as e:",
                "        raise LabError(explain(e, module)) from None",
                "    print(f\"{len(frame)} rows, {(job.total_bytes_processed or 0) / 1e6:.1f} MB processed\")",
                "    return frame"]),
        };
        cells.AddRange(ExampleCells(modules, q => $"\"\"\", \"{q.Module}\")"));
        cells.Add(Markdown("## Your own tables", "", $"Write your own tables to the scratch dataset; each expires {gcp.ScratchExpirationDays} days after it is written unless you set otherwise."));
        cells.Add(Code("print(\"Scratch dataset:\", f\"{PROJECT}.{SCRATCH}\")"));
        return Write(cells, "python3");
    }

    /// <summary>
    /// The notebook of the local lab: opens the DuckDB file `local` built, read-only, with the lab's table schemas on
    /// its search path (as `query` does), and runs the same examples and figures.
    /// </summary>
    public static string BuildForLocal(LabSettings lab, string dbPath)
    {
        var cells = new List<JsonObject>
        {
            Markdown(
                $"# MIMIC lab `{lab.Names.Lab}`, local",
                "",
                $"**{lab.Release.Title}**, modules {string.Join(", ", lab.Modules.Select(m => $"`{m.Name}`"))}, in the DuckDB file the `local` command built, opened read-only: nothing here can change it.",
                "",
                "Needs DuckDB's Python package, pandas and matplotlib in this notebook's kernel: `pip install duckdb pandas matplotlib` (or `%pip install duckdb` in a cell).",
                "",
                "Use of MIMIC data is bound by the PhysioNet data use agreement: do not share data or results that could identify anyone."),
            Code([
                "import os",
                "",
                "import pandas as pd",
                "",
                $"LAB_DB = {PythonString(dbPath)}  # the file `local --db` wrote; a relative path is from this notebook's folder",
                "",
                "",
                .. LabErrorClass,
                "",
                "",
                "try:",
                "    import duckdb",
                "except ModuleNotFoundError:",
                "    raise LabError(\"DuckDB's Python package is not installed in this kernel: run `%pip install duckdb` in a cell \"",
                "                   \"(or `pip install duckdb` in a terminal), then run this cell again.\") from None",
                "",
                "if not os.path.exists(LAB_DB):",
                "    raise LabError(f\"No local lab at {os.path.abspath(LAB_DB)}: build it first with \"",
                $"                   f\"`dotnet run --project infra/MimicInfra -- local --stack {lab.Stack} --data <the release's folder> --db {{LAB_DB}}` \"",
                "                   \"(or set LAB_DB to where it is), then run this cell again.\")",
                "try:",
                "    lab = duckdb.connect(LAB_DB, read_only=True)",
                "except duckdb.Error as e:",
                "    raise LabError(f\"Cannot open {LAB_DB}: {e}. If another program has it open for writing (DuckDB allows one writer or many readers), close that; then run this cell again.\") from None",
                $"schemas = lab.execute(\"{LocalSchemasSql}\").fetchone()[0]",
                "lab.execute(f\"SET search_path = '{schemas},main'\")  # unqualified table names, as in the cloud labs",
                "",
                "",
                "def run(sql):",
                "    \"\"\"Runs SQL on the local lab and returns the result as a pandas DataFrame.\"\"\"",
                "    try:",
                "        frame = lab.execute(sql).df()",
                "    except duckdb.CatalogException as e:",
                "        raise LabError(f\"{e}\\nThis lab does not have that table: `local` leaves out a table whose files are missing \"",
                "                       \"(--skip-missing) and builds the derived concepts only with --concepts; rebuild it with them.\") from None",
                "    except duckdb.Error as e:",
                "        raise LabError(f\"The query failed: {e}\") from None",
                "    print(f\"{len(frame)} rows\")",
                "    return frame"]),
        };
        cells.AddRange(ExampleCells(lab.Modules, _ => "\"\"\")"));
        return Write(cells, "python3");
    }

    private static string PythonString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    /// <summary>
    /// Whether the lab's own copy has been imported, from the record the import writes; if not, how to run it.
    /// The notebook's role can read the record, never the source (PhysioNet authorizes the researcher, not a role).
    /// </summary>
    private static IEnumerable<JsonObject> ImportCheckCells(LabSettings lab, AwsSettings aws)
    {
        yield return Markdown(
            "## Is the lab's data there?",
            "",
            "The lab queries only its own typed copy of the data, which the researcher imports once, as themselves: PhysioNet authorizes individual IAM users, never a role such as this notebook's. " +
            "If the import has not run yet, run this in AWS CloudShell, signed in as your PhysioNet-verified IAM user:",
            "",
            "```",
            Import.ImportScript.CommandFor(Import.ImportPlan.For(lab), Import.ImportScript.LabAccountOf(lab)),
            "```");
        yield return Code(
            "import json",
            "",
            "glue = boto3.client(\"glue\", region_name=REGION)",
            "s3 = boto3.client(\"s3\", region_name=REGION)",
            "DATA_BUCKET = call(glue.get_database, Name=DATABASE)[\"Database\"][\"Parameters\"][\"mimic_lab_data_bucket\"]",
            "try:",
            $"    record = json.loads(call(s3.get_object, Bucket=DATA_BUCKET, Key=\"{Import.DataLayout.ImportSummaryKey}\")[\"Body\"].read())",
            "    NOT_IMPORTED = {name.split(\".\")[-1] for name in record[\"missing\"]}",
            "    print(f\"{record['tablesImported']} of {len(record['tables'])} tables of {record['releaseTitle']} imported (last run {record['finishedAt']})\")",
            "    if not record[\"complete\"]:",
            "        print(\"Not imported yet:\", \", \".join(record[\"missing\"]), \"- run the import again (above); it redoes only these.\")",
            "except ClientError as e:",
            "    if e.response[\"Error\"][\"Code\"] not in (\"NoSuchKey\", \"AccessDenied\", \"404\", \"403\"):",
            "        raise",
            "    NOT_IMPORTED = {\"*\"}",
            "    print(\"The lab's data has not been imported yet: run the command above in AWS CloudShell as your PhysioNet-verified IAM user.\")");
    }

    /// <summary>Per example a heading, a cell keeping its result in the example's variable, and its figure; then the lab's tables.</summary>
    private static IEnumerable<JsonObject> ExampleCells(IReadOnlyList<Catalog.Module> modules, Func<ExampleQuery, string> closeRun)
    {
        foreach (var q in ExampleQueries.For(modules))
        {
            yield return Markdown($"## {q.Title}", "", $"From module `{q.Module}`.");
            yield return Code([$"{q.Name} = run(\"\"\"", .. q.Sql.TrimEnd().Split('\n'), closeRun(q), q.Name]);
            if (q.Figure is { } f) yield return Code(FigureLines(q, f));
        }
        yield return Markdown(["## Tables", "", .. modules.Select(m => $"- `{m.Name}`: {string.Join(", ", m.Tables.Select(t => $"`{t.Name}`"))}")]);
    }

    /// <summary>pandas' plot of the result (matplotlib underneath); horizontal bars list the first row on top.</summary>
    private static string[] FigureLines(ExampleQuery q, ExampleFigure f)
    {
        var horizontal = f.Kind == "barh";
        var (xLabel, yLabel) = horizontal ? (f.ValueLabel, f.CategoryLabel) : (f.CategoryLabel, f.ValueLabel);
        return
        [
            $"ax = {q.Name}{(horizontal ? ".iloc[::-1]" : "")}.plot(kind=\"{f.Kind}\", x=\"{f.X}\", y=\"{f.Y}\", legend=False{(f.Kind == "line" ? ", marker=\"o\"" : "")}, title={PythonString(q.Title)})",
            $"ax.set_xlabel({PythonString(xLabel)})",
            $"ax.set_ylabel({PythonString(yLabel)});",
        ];
    }

    private static string Write(List<JsonObject> cells, string kernel)
    {
        for (var i = 0; i < cells.Count; i++) cells[i]["id"] = $"cell-{i + 1}";
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray([.. cells]),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = kernel, ["language"] = "python", ["name"] = kernel },
                ["language_info"] = new JsonObject { ["name"] = "python" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return Input.JsonText.Indented(notebook) + "\n";
    }

    private static JsonObject Markdown(params string[] lines) => new()
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = Source(lines),
    };

    private static JsonObject Code(params string[] lines) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["metadata"] = new JsonObject(),
        ["outputs"] = new JsonArray(),
        ["source"] = Source(lines),
    };

    // nbformat stores source as lines that keep their line breaks, the last one without.
    private static JsonArray Source(string[] lines) =>
        new([.. lines.Select((l, i) => (JsonNode)JsonValue.Create(i < lines.Length - 1 ? l + "\n" : l)!)]);
}
