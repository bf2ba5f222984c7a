using System.Text.Json.Nodes;

namespace MimicInfra.Lab;

/// <summary>
/// The example notebook of an AWS lab, generated from the catalog for its release and modules: Jupyter
/// nbformat 4.5 JSON for the SageMaker conda_python3 kernel. It queries through the lab's workgroup with
/// boto3 and pandas (both on SageMaker images, nothing to install), one example per module, and finds
/// the results bucket from the workgroup itself. Its SQL is <see cref="ExampleQueries"/>, which the
/// local DuckDB lab runs unchanged.
/// </summary>
public static class ExampleNotebook
{
    public const string FileName = "mimic-lab-example.ipynb";

    public static string Build(LabSettings lab)
    {
        var aws = lab.Aws ?? throw new InvalidOperationException("this example notebook is for AWS labs");
        var cells = new List<JsonObject>
        {
            Markdown(
                $"# MIMIC lab `{lab.Names.Lab}`",
                "",
                $"**{lab.Release.Title}**, modules {string.Join(", ", lab.Modules.Select(m => $"`{m.Name}`"))}, for researcher `{lab.ResearcherInCloud}`, study `{lab.Study}` (lab expires {lab.Expires:yyyy-MM-dd}).",
                "",
                $"Every table of the release is in the Glue database `{lab.Names.Database}`. Queries run in the Athena workgroup `{lab.Names.Workgroup}` " +
                $"(engine 3, at most {aws.BytesScannedCutoffPerQuery / (1024.0 * 1024 * 1024):0.#} GiB scanned per query); results go to the lab's private, encrypted bucket and expire after {aws.ResultsRetentionDays} days.",
                "",
                "Use of MIMIC data is bound by the PhysioNet data use agreement: do not share data or results that could identify anyone."),
            Code(
                "import time",
                "",
                "import boto3",
                "import pandas as pd",
                "",
                $"REGION = \"{aws.Region}\"",
                $"WORKGROUP = \"{lab.Names.Workgroup}\"",
                $"DATABASE = \"{lab.Names.Database}\"",
                $"DERIVED_DATABASE = \"{lab.Names.DerivedDatabase}\"",
                "athena = boto3.client(\"athena\", region_name=REGION)",
                "",
                "",
                "def run(sql, database=DATABASE):",
                "    \"\"\"Runs SQL in the lab's workgroup and returns the result as a pandas DataFrame (all values as text).\"\"\"",
                "    qid = athena.start_query_execution(",
                "        QueryString=sql, WorkGroup=WORKGROUP, QueryExecutionContext={\"Database\": database}",
                "    )[\"QueryExecutionId\"]",
                "    while True:",
                "        query = athena.get_query_execution(QueryExecutionId=qid)[\"QueryExecution\"]",
                "        state = query[\"Status\"][\"State\"]",
                "        if state in (\"SUCCEEDED\", \"FAILED\", \"CANCELLED\"):",
                "            break",
                "        time.sleep(1)",
                "    if state != \"SUCCEEDED\":",
                "        raise RuntimeError(query[\"Status\"].get(\"StateChangeReason\", state))",
                "    pages = athena.get_paginator(\"get_query_results\").paginate(QueryExecutionId=qid)",
                "    rows = [[c.get(\"VarCharValue\") for c in r[\"Data\"]] for p in pages for r in p[\"ResultSet\"][\"Rows\"]]",
                "    scanned = query[\"Statistics\"].get(\"DataScannedInBytes\", 0)",
                "    print(f\"{len(rows) - 1} rows, {scanned / 1e6:.1f} MB scanned\")",
                "    return pd.DataFrame(rows[1:], columns=rows[0])"),
        };
        if (aws.OwnsData) cells.AddRange(ImportCheckCells(lab, aws));
        // Derived concepts live in a database of their own (their names repeat other modules').
        var derived = lab.AwsDerived;
        IReadOnlyList<Catalog.Module> queried = derived is null ? lab.Modules : [.. lab.Modules, derived];
        cells.AddRange(QueryAndTableCells(queried, q => q.Module == derived?.Name ? "\"\"\", database=DERIVED_DATABASE)" : "\"\"\")"));
        cells.Add(Markdown("## Your results", "", "Athena writes every result as a CSV file to the lab bucket; this is where:"));
        cells.Add(Code(
            "config = athena.get_work_group(WorkGroup=WORKGROUP)[\"WorkGroup\"][\"Configuration\"]",
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
        var cells = new List<JsonObject>
        {
            Markdown(
                $"# MIMIC lab `{lab.Names.Lab}` on BigQuery",
                "",
                $"**{lab.Release.Title}**, modules {string.Join(", ", Gcp.GcpLab.ModulesOf(lab).Select(m => $"`{m.Name}`"))}, for researcher `{lab.ResearcherInCloud}`, study `{lab.Study}` (lab expires {lab.Expires:yyyy-MM-dd}).",
                "",
                $"Each module is a dataset of views in project `{gcp.Project}`, pinned to the release's datasets in `physionet-data`. " +
                "Queries are billed to your project and read PhysioNet's data with your own Google account, which PhysioNet must have granted access.",
                "",
                "Use of MIMIC data is bound by the PhysioNet data use agreement: do not share data or results that could identify anyone."),
            Code([
                "from google.cloud import bigquery",
                "",
                $"PROJECT = \"{gcp.Project}\"",
                "DATASETS = {",
                .. Gcp.GcpLab.ModulesOf(lab).Select(m => $"    \"{m.Name}\": \"{Gcp.GcpLab.DatasetOf(lab, m)}\","),
                "}",
                $"SCRATCH = \"{Gcp.GcpLab.ScratchDataset(lab)}\"",
                $"MAX_BYTES_BILLED = {gcp.CostGuards.MaxBytesBilledPerQuery}  # a query that would bill more fails instead (cost guard)",
                "client = bigquery.Client(project=PROJECT)",
                "",
                "",
                "def run(sql, module):",
                "    \"\"\"Runs SQL with the module's lab dataset as default dataset and returns a pandas DataFrame.\"\"\"",
                "    config = bigquery.QueryJobConfig(default_dataset=f\"{PROJECT}.{DATASETS[module]}\", maximum_bytes_billed=MAX_BYTES_BILLED)",
                "    job = client.query(sql, job_config=config)",
                "    frame = job.result().to_dataframe()",
                "    print(f\"{len(frame)} rows, {(job.total_bytes_processed or 0) / 1e6:.1f} MB processed\")",
                "    return frame"]),
        };
        cells.AddRange(QueryAndTableCells(Gcp.GcpLab.ModulesOf(lab), q => $"\"\"\", \"{q.Module}\")"));
        cells.Add(Markdown("## Your own tables", "", $"Write your own tables to the scratch dataset; each expires {gcp.ScratchExpirationDays} days after it is written unless you set otherwise."));
        cells.Add(Code("print(\"Scratch dataset:\", f\"{PROJECT}.{SCRATCH}\")"));
        return Write(cells, "python3");
    }

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
            "from botocore.exceptions import ClientError",
            "",
            "glue = boto3.client(\"glue\", region_name=REGION)",
            "s3 = boto3.client(\"s3\", region_name=REGION)",
            "DATA_BUCKET = glue.get_database(Name=DATABASE)[\"Database\"][\"Parameters\"][\"mimic_lab_data_bucket\"]",
            "try:",
            $"    record = json.loads(s3.get_object(Bucket=DATA_BUCKET, Key=\"{Import.DataLayout.ImportSummaryKey}\")[\"Body\"].read())",
            "    print(f\"{record['tablesImported']} of {len(record['tables'])} tables of {record['releaseTitle']} imported (last run {record['finishedAt']})\")",
            "    if not record[\"complete\"]:",
            "        print(\"Not imported yet:\", \", \".join(record[\"missing\"]), \"- run the import again (above); it redoes only these.\")",
            "except ClientError as e:",
            "    if e.response[\"Error\"][\"Code\"] not in (\"NoSuchKey\", \"AccessDenied\", \"404\", \"403\"):",
            "        raise",
            "    print(\"The lab's data has not been imported yet: run the command above in AWS CloudShell as your PhysioNet-verified IAM user.\")");
    }

    /// <summary>A heading and a `run("""SQL""" ...)` cell per example query, then the lab's tables.</summary>
    private static IEnumerable<JsonObject> QueryAndTableCells(IReadOnlyList<Catalog.Module> modules, Func<ExampleQuery, string> closeRun)
    {
        foreach (var q in ExampleQueries.For(modules))
        {
            yield return Markdown($"## {q.Title}", "", $"From module `{q.Module}`.");
            yield return Code([$"run(\"\"\"", .. q.Sql.TrimEnd().Split('\n'), closeRun(q)]);
        }
        yield return Markdown(["## Tables", "", .. modules.Select(m => $"- `{m.Name}`: {string.Join(", ", m.Tables.Select(t => $"`{t.Name}`"))}")]);
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
