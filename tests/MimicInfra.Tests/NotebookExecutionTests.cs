using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimicInfra.Lab;
using MimicInfra.Local;
using GcpSide = MimicInfra.Gcp.GcpLab;

namespace MimicInfra.Tests;

/// <summary>
/// The demo lab built locally once, the Jupyter interpreter (nbclient, ipykernel, pandas, matplotlib) found once, for
/// the notebook executions. Under CI=true a missing tool fails the tests; elsewhere they skip with the reason.
/// </summary>
public sealed class NotebookLab : IDisposable
{
    private readonly Lazy<(string? Python, string? Db, string? Skip)> _setup;

    public NotebookLab() => _setup = new(Setup);

    public string Dir { get; } = Directory.CreateTempSubdirectory("notebooks-").FullName;

    public static string Fakes => Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "NotebookFakes");

    private static string Runner => Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "NotebookRunner", "execute_notebook.py");

    /// <summary>The interpreter with Jupyter's execution machinery, and the demo lab's DuckDB file; or a skip (a failure on CI).</summary>
    public (string Python, string Db) Require()
    {
        var data = Shared.Require("data/mimic-iv-demo-2.2");
        var (python, db, skip) = _setup.Value;
        if (skip is not null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(skip + " (.ci/run installs it)");
            Assert.Skip(skip);
        }
        _ = data;
        return (python!, db!);
    }

    private (string?, string?, string?) Setup()
    {
        // Debian's packages live in /usr/bin/python3; a python3 earlier on PATH (e.g. pyenv's) may lack them.
        string[] candidates = ["/usr/bin/python3", .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3"))];
        var python = candidates.Where(File.Exists).FirstOrDefault(p => Run(p, ["-c", "import nbclient, nbformat, ipykernel, pandas, matplotlib"]).Code == 0);
        if (python is null)
            return (null, null, "needs a python3 with nbclient, ipykernel, pandas and matplotlib (Debian: python3-nbclient python3-ipykernel jupyter-nbconvert python3-pandas python3-matplotlib) to execute the notebooks; none here");
        var db = Path.Combine(Dir, "demo.duckdb");
        var (code, _, err) = Cli.Run(["local", "--stack", "demo", "--data", Path.Combine(Shared.Root, "data", "mimic-iv-demo-2.2"), "--db", db, "--skip-missing"]);
        return code == 0 ? (python, db, null) : throw new InvalidOperationException("building the demo lab failed: " + err);
    }

    public bool HasRealDuckDb(string python) => Run(python, ["-c", "import duckdb"]).Code == 0;

    /// <summary>The executed notebook and the DataFrames it left in <paramref name="names"/>.</summary>
    public sealed record Execution(int Code, string Error, JsonObject Notebook, JsonObject? Frames, IReadOnlyList<JsonObject> Calls)
    {
        public IEnumerable<JsonObject> CodeCells => Notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string)c["cell_type"]! == "code");

        /// <summary>A cell's source, or an output's text: nbformat keeps either as one string or as a list of lines.</summary>
        public static string Text(JsonObject cell, string key = "source") => cell[key] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => (string)l!)),
            JsonValue text => (string)text!,
            _ => "",
        };
    }

    public Execution Execute(string python, string notebook, string name, IReadOnlyDictionary<string, string> env, bool allowErrors, bool fakes, params string[] names)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Dir, $"run-{Guid.NewGuid():N}")).FullName;
        var (source, target, frames, log) = (Path.Combine(dir, name + ".ipynb"), Path.Combine(dir, name + ".executed.ipynb"), Path.Combine(dir, "frames.json"), Path.Combine(dir, "calls.jsonl"));
        File.WriteAllText(source, notebook);
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in (string[])[Runner, source, target, frames, .. allowErrors ? ["--allow-errors"] : Array.Empty<string>(), .. names]) psi.ArgumentList.Add(a);
        if (fakes) psi.Environment["PYTHONPATH"] = Fakes;
        else psi.Environment.Remove("PYTHONPATH");
        psi.Environment["FAKE_MIMICINFRA"] = JsonSerializer.Serialize(new[] { DotnetHost, typeof(MimicInfra.Cli.App).Assembly.Location });
        psi.Environment["FAKE_CLOUD_LOG"] = log;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        psi.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir, "runtime");
        psi.Environment["IPYTHONDIR"] = Path.Combine(dir, "ipython");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"{name}: the notebook did not finish in 5 minutes"); }
        var error = e.Result + o.Result;
        Assert.True(File.Exists(target), $"{name}: no executed notebook written: {error}");
        var calls = File.Exists(log) ? File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!.AsObject()).ToList() : [];
        return new(p.ExitCode, error, JsonNode.Parse(File.ReadAllText(target))!.AsObject(),
            File.Exists(frames) ? JsonNode.Parse(File.ReadAllText(frames))!.AsObject() : null, calls);
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    private static (int Code, string Output) Run(string file, string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment.Remove("PYTHONPATH");
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// The example notebooks executed top to bottom (nbclient, as "Run All") against the local demo lab: Athena's and
/// BigQuery's clients are stand-ins (tests/MimicInfra.Tests/NotebookFakes) answering as the real APIs do and running
/// the SQL on the lab through `query --json`; the local notebook gets DuckDB's package, or a stand-in where it is not
/// installed. Each example's DataFrame is compared with the same query run directly on the lab, and each figure must
/// be in the executed notebook as a PNG.
/// </summary>
public class NotebookExecutionTests(NotebookLab fixture) : IClassFixture<NotebookLab>
{
    /// <summary>A MIMIC-IV 2.2 lab on BigQuery (the demo has no BigQuery datasets) over the demo's modules.</summary>
    private static LabSettings BigQueryLab() => LabSettingsReader.Read(Labs.Config("nbgcp", ("release", "mimic-iv-2.2"), ("modules", "[\"hosp\",\"icu\"]"),
        ("researcher", "jdoe"), ("study", "notebooks"), ("expires", "2027-06-30"), ("aws", "false"), ("gcp", "true"),
        ("gcpProject", "mimic-research-1"), ("gcpMembers", "[\"user:jdoe@example.org\"]")), Labs.Catalog);

    private static LabSettings AwsDemo() => LabSettingsReader.Read(Labs.Demo, Labs.Catalog);

    private const string DataBucket = "mimic-demo-lab-data-test";

    /// <summary>The cloud lab the stand-ins answer for: names from the lab's settings, and the import record (null: never imported).</summary>
    private string State(LabSettings? aws, LabSettings? gcp, JsonNode? importRecord)
    {
        var state = new JsonObject();
        if (aws is not null)
            state["aws"] = new JsonObject
            {
                ["workgroup"] = aws.Names.Workgroup, ["database"] = aws.Names.Database, ["derivedDatabase"] = aws.Names.DerivedDatabase,
                ["outputLocation"] = "s3://mimic-demo-lab-results-test/athena/", ["dataBucket"] = DataBucket,
                ["importRecordKey"] = Import.DataLayout.ImportSummaryKey, ["scanCapBytes"] = aws.Aws!.BytesScannedCutoffPerQuery,
                ["importRecord"] = importRecord,
            };
        if (gcp is not null)
            state["gcp"] = new JsonObject
            {
                ["datasets"] = new JsonObject(GcpSide.ModulesOf(gcp).Select(m => KeyValuePair.Create(GcpSide.DatasetOf(gcp, m), (JsonNode?)m.Name))),
                ["sourceDatasets"] = new JsonObject(GcpSide.ModulesOf(gcp).Select(m => KeyValuePair.Create(m.Name, (JsonNode?)m.BigQueryDataset))),
            };
        var path = Path.Combine(fixture.Dir, $"state-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, state.ToJsonString());
        return path;
    }

    private static JsonObject ImportRecord(LabSettings lab, params string[] missing)
    {
        var tables = lab.Modules.SelectMany(m => m.Tables.Select(t => $"{m.Name}.{t.Name}")).ToList();
        return new JsonObject
        {
            ["lab"] = lab.Names.Lab, ["release"] = lab.Release.Id, ["releaseTitle"] = lab.Release.Title, ["finishedAt"] = "2026-12-01T10:00:00Z",
            ["complete"] = missing.Length == 0, ["tablesImported"] = tables.Count - missing.Length,
            ["tables"] = new JsonObject(tables.Select(t => KeyValuePair.Create(t, missing.Contains(t) ? null : (JsonNode?)new JsonObject { ["rows"] = 1 }))),
            ["missing"] = new JsonArray([.. missing.Select(m => (JsonNode?)JsonValue.Create(m))]),
        };
    }

    private static IReadOnlyList<ExampleQuery> Examples(IReadOnlyList<Catalog.Module> modules) => ExampleQueries.For(modules);

    /// <summary>Each example's DataFrame equals the same SQL run directly on the lab (values typed: numbers as numbers, NULL as null).</summary>
    private static void AssertSameAsDirectQueries(NotebookLab.Execution run, string db, IReadOnlyList<ExampleQuery> examples, string cloud)
    {
        Assert.True(run.Code == 0, $"{cloud}: a cell raised:\n{run.Error}");
        Assert.NotNull(run.Frames);
        Assert.NotEmpty(examples);
        using var conn = LocalLab.Open(db);
        foreach (var q in examples)
        {
            var expected = LocalLab.Query(conn, q.Sql);
            var actual = run.Frames![q.Name]!.AsObject();
            Assert.Equal(expected.Columns, actual["columns"]!.AsArray().Select(c => (string)c!));
            var rows = actual["rows"]!.AsArray();
            Assert.True(expected.Rows.Count == rows.Count, $"{cloud} {q.Title}: {rows.Count} rows, the lab has {expected.Rows.Count}");
            Assert.NotEmpty(expected.Rows);
            for (var i = 0; i < rows.Count; i++)
                for (var j = 0; j < expected.Columns.Count; j++)
                    AssertSameValue(expected.Rows[i][j], rows[i]![j], $"{cloud} {q.Title} row {i + 1} {expected.Columns[j]}");
            // Numbers arrive as numbers (Athena sends text: the notebook types them from ColumnInfo).
            var dtypes = actual["dtypes"]!.AsArray().Select(t => (string)t!).ToList();
            for (var j = 0; j < expected.Columns.Count; j++)
                if (expected.Rows[0][j] is long or int or short or double or decimal)
                    Assert.Matches("^(Int64|int64|float64)$", dtypes[j]);
        }
    }

    private static void AssertSameValue(object? expected, JsonNode? actual, string where)
    {
        switch (expected)
        {
            case null: Assert.True(actual is null, $"{where}: {actual} where the lab has NULL"); break;
            case string s: Assert.Equal(s, (string?)actual); break;
            case long or int or short or byte or double or float or decimal:
                Assert.True(actual is JsonValue v && v.GetValueKind() == JsonValueKind.Number, $"{where}: {actual} is not a number");
                var (e, a) = (Convert.ToDouble(expected, System.Globalization.CultureInfo.InvariantCulture), actual!.GetValue<double>());
                Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{where}: {a}, the lab has {e}");
                break;
            default: Assert.Equal(Convert.ToString(expected, System.Globalization.CultureInfo.InvariantCulture), actual?.ToString()); break;
        }
    }

    /// <summary>After each example's cell, a cell that draws its figure, saved in the notebook as a PNG.</summary>
    private static void AssertEveryExampleHasItsFigure(NotebookLab.Execution run, IReadOnlyList<ExampleQuery> examples)
    {
        var cells = run.CodeCells.ToList();
        foreach (var q in examples)
        {
            var at = cells.FindIndex(c => NotebookLab.Execution.Text(c).StartsWith($"{q.Name} = run(\"\"\"", StringComparison.Ordinal));
            Assert.True(at >= 0 && at + 1 < cells.Count, $"no cell for {q.Title}");
            var figure = cells[at + 1];
            Assert.StartsWith($"ax = {q.Name}", NotebookLab.Execution.Text(figure));
            var png = figure["outputs"]!.AsArray().Select(o => o!["data"]?["image/png"]).OfType<JsonNode>().ToList();
            var image = Convert.FromBase64String(((string)Assert.Single(png)!).Replace("\n", ""));
            Assert.True(image.Length > 5_000, $"{q.Title}: a {image.Length}-byte figure");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
        }
    }

    [Fact]
    public void TheAthenaNotebookRunsOnTheLocalLabAndEachExampleMatchesADirectQuery()
    {
        var (python, db) = fixture.Require();
        var lab = AwsDemo();
        var examples = Examples(lab.Modules);
        var run = fixture.Execute(python, ExampleNotebook.Build(lab), "athena",
            new Dictionary<string, string> { ["FAKE_CLOUD_STATE"] = State(lab, null, ImportRecord(lab)), ["FAKE_LAB_DB"] = db, ["FAKE_ATHENA_PAGE_ROWS"] = "7" },
            allowErrors: false, fakes: true, [.. examples.Select(q => q.Name)]);
        AssertSameAsDirectQueries(run, db, examples, "athena");
        AssertEveryExampleHasItsFigure(run, examples);
        // Every query went to the lab's workgroup and database; results were read page by page (NextToken, MaxResults 1000).
        var starts = run.Calls.Where(c => (string)c["api"]! == "athena.StartQueryExecution").ToList();
        Assert.Equal(examples.Count, starts.Count);
        Assert.All(starts, s => Assert.Equal((lab.Names.Workgroup, lab.Names.Database), ((string)s["WorkGroup"]!, (string)s["Database"]!)));
        var pages = run.Calls.Where(c => (string)c["api"]! == "athena.GetQueryResults").ToList();
        Assert.Contains(pages, p => p["NextToken"] is not null);
        Assert.All(pages, p => Assert.Equal(1000, (int)p["MaxResults"]!));
        Assert.Contains(run.CodeCells, c => c["outputs"]!.AsArray().Any(o => NotebookLab.Execution.Text(o!.AsObject(), "text").Contains($"tables of {lab.Release.Title} imported")));
    }

    [Fact]
    public void TheBigQueryNotebookRunsOnTheLocalLabWithTheByteCapOnEveryQuery()
    {
        var (python, db) = fixture.Require();
        var lab = BigQueryLab();
        var examples = Examples(GcpSide.ModulesOf(lab));
        var run = fixture.Execute(python, ExampleNotebook.BuildForBigQuery(lab), "bigquery",
            new Dictionary<string, string> { ["FAKE_CLOUD_STATE"] = State(null, lab, null), ["FAKE_LAB_DB"] = db },
            allowErrors: false, fakes: true, [.. examples.Select(q => q.Name)]);
        AssertSameAsDirectQueries(run, db, examples, "bigquery");
        AssertEveryExampleHasItsFigure(run, examples);
        var jobs = run.Calls.Where(c => (string)c["api"]! == "bigquery.query").ToList();
        Assert.Equal(examples.Count, jobs.Count);
        foreach (var (job, q) in jobs.Zip(examples))
        {
            Assert.Equal(lab.Gcp!.CostGuards.MaxBytesBilledPerQuery, (long)job["maximum_bytes_billed"]!);
            Assert.Equal($"mimic-research-1.{GcpSide.DatasetOf(lab, lab.Modules.Single(m => m.Name == q.Module))}", (string)job["default_dataset"]!);
        }
    }

    [Fact]
    public void TheLocalNotebookOpensTheLabReadOnlyAndMatchesDirectQueries()
    {
        var (python, db) = fixture.Require();
        var lab = LabSettingsReader.ReadForLocal(Labs.Demo, Labs.Catalog);
        var examples = Examples(lab.Modules);
        var real = fixture.HasRealDuckDb(python);
        var run = fixture.Execute(python, ExampleNotebook.BuildForLocal(lab, db), "local",
            new Dictionary<string, string>(), allowErrors: false, fakes: !real, [.. examples.Select(q => q.Name)]);
        AssertSameAsDirectQueries(run, db, examples, "local");
        AssertEveryExampleHasItsFigure(run, examples);
        if (!real) Assert.Contains(run.Calls, c => (string)c["api"]! == "duckdb.connect" && (bool)c["read_only"]! && (string)c["database"]! == db);
    }

    [Fact]
    public void TheLocalNotebooksOpeningStatementsRunOnDuckDbReadOnly()
    {
        // What the local notebook runs on duckdb.connect(LAB_DB, read_only=True), here on DuckDB itself (DuckDB.NET):
        // a direct, read-only connection to the file, its schemas on the search path, then every example.
        var (_, db) = fixture.Require();
        using var direct = new DuckDB.NET.Data.DuckDBConnection($"Data Source={db};ACCESS_MODE=READ_ONLY");
        direct.Open();
        var schemas = (string)LocalLab.Query(direct, ExampleNotebook.LocalSchemasSql).Rows[0][0]!;
        LocalLab.Execute(direct, $"SET search_path = '{schemas},main'");
        using var lab = LocalLab.Open(db);
        var examples = Examples(LocalLab.ModulesOf(lab, Labs.Catalog));
        Assert.NotEmpty(examples);
        foreach (var q in examples)
        {
            var (a, b) = (LocalLab.Query(direct, q.Sql), LocalLab.Query(lab, q.Sql));
            Assert.Equal(b.Columns, a.Columns);
            Assert.Equal(b.Rows.Select(r => string.Join("|", r)), a.Rows.Select(r => string.Join("|", r)));
        }
        Assert.ThrowsAny<DuckDB.NET.Data.DuckDBException>(() => LocalLab.Execute(direct, "CREATE TABLE main.scratch AS SELECT 1"));
    }

    public static TheoryData<string, string, string> FirstRunCases => new()
    {
        // cloud, the case, what the researcher reads instead of a traceback
        { "aws", "not-imported", "No rows: the lab's copy of admissions has not been imported yet. Run the import command above in AWS CloudShell" },
        { "aws", "partly-imported", "No rows: the lab's copy of admissions has not been imported yet." },
        { "aws", "table-missing:admissions", "TABLE_NOT_FOUND: line 3:6: Table 'awsdatacatalog.{database}.admissions' does not exist. The lab's tables are listed under Tables" },
        { "aws", "scan-cap", "the workgroup cancels a query that scans more than 10 GiB. Read less: name only the columns you need" },
        { "aws", "expired-credentials", "Your AWS credentials have expired (ExpiredTokenException): sign in again" },
        { "gcp", "no-access", "Your Google account may not read PhysioNet's MIMIC data yet" },
        { "gcp", "table-missing:admissions", "Not found: Table mimic-research-1:{hosp}.admissions was not found in location US. The query runs in the lab dataset" },
        { "gcp", "scan-cap", "Query exceeded limit for bytes billed: 10737418240. 10747904000 or higher required. The lab caps a query at MAX_BYTES_BILLED = 10,737,418,240 bytes billed, so it did not run and cost nothing." },
        { "gcp", "expired-credentials", "Your Google credentials have expired (('invalid_grant: Token has been expired or revoked.'" },
        { "local", "not-built", "No local lab at " },
        { "local", "table-missing", "Catalog Error: Table with name chartevents does not exist!" },
        { "local", "no-duckdb", "DuckDB's Python package is not installed in this kernel: run `%pip install duckdb`" },
    };

    [Theory]
    [MemberData(nameof(FirstRunCases))]
    public void AFirstRunProblemSaysWhatToDoInsteadOfATraceback(string cloud, string fault, string message)
    {
        var (python, db) = fixture.Require();
        var env = new Dictionary<string, string> { ["FAKE_LAB_DB"] = db };
        string notebook;
        var fakes = true;
        switch (cloud)
        {
            case "aws":
                var aws = AwsDemo();
                env["FAKE_CLOUD_STATE"] = State(aws, null, fault switch
                {
                    "not-imported" => null,
                    "partly-imported" => ImportRecord(aws, "hosp.admissions"),
                    _ => ImportRecord(aws),
                });
                notebook = ExampleNotebook.Build(aws);
                break;
            case "gcp":
                env["FAKE_CLOUD_STATE"] = State(null, BigQueryLab(), null);
                notebook = ExampleNotebook.BuildForBigQuery(BigQueryLab());
                break;
            default:
                var local = LabSettingsReader.ReadForLocal(Labs.Demo, Labs.Catalog);
                if (fault == "no-duckdb")
                {
                    if (fixture.HasRealDuckDb(python)) Assert.Skip("DuckDB's Python package is installed here, so the notebook cannot meet its absence");
                    fakes = false;
                }
                notebook = ExampleNotebook.BuildForLocal(local, fault == "not-built" ? Path.Combine(fixture.Dir, "never-built.duckdb") : db);
                fakes &= !fixture.HasRealDuckDb(python);
                break;
        }
        if (cloud != "local") env["FAKE_CLOUD_FAULT"] = fault;
        // The notebook up to its first example's query; the local table case adds a query of a table the demo lab lacks.
        var nb = JsonNode.Parse(notebook)!.AsObject();
        var cells = nb["cells"]!.AsArray();
        var first = cells.Select((c, i) => (c, i)).First(x => NotebookLab.Execution.Text(x.c!.AsObject()).Contains(" = run(\"\"\"")).i;
        while (cells.Count > first + 1) cells.RemoveAt(cells.Count - 1);
        if (fault == "table-missing" && cloud == "local")
            cells.Add(new JsonObject { ["cell_type"] = "code", ["execution_count"] = null, ["id"] = "extra", ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = new JsonArray("charts = run(\"SELECT count(*) FROM chartevents\")") });
        // As "Run All": the run stops at the first cell that raises.
        var run = fixture.Execute(python, nb.ToJsonString(), $"{cloud}-{fault.Replace(':', '-')}", env, allowErrors: false, fakes: fakes);
        Assert.True(run.Code == 1, $"no cell raised: {run.Error}");
        message = message.Replace("{database}", AwsDemo().Names.Database).Replace("{hosp}", GcpSide.DatasetOf(BigQueryLab(), BigQueryLab().Modules.Single(m => m.Name == "hosp")));

        var errors = run.CodeCells.SelectMany(c => c["outputs"]!.AsArray()).Where(o => (string)o!["output_type"]! == "error").ToList();
        var error = Assert.Single(errors)!;
        var shown = string.Join("\n", error["traceback"]!.AsArray().Select(l => (string)l!));
        Assert.Contains(message, shown);
        Assert.DoesNotContain("Traceback", shown);
        Assert.DoesNotContain("File \"", shown);
        Assert.Equal("LabError", (string)error["ename"]!);
        // The import check said it first.
        var said = string.Concat(run.CodeCells.SelectMany(c => c["outputs"]!.AsArray()).Select(o => NotebookLab.Execution.Text(o!.AsObject(), "text")));
        if (fault == "not-imported") Assert.Contains("The lab's data has not been imported yet: run the command above in AWS CloudShell", said);
        if (fault == "partly-imported") Assert.Contains("Not imported yet: hosp.admissions - run the import again (above); it redoes only these.", said);
    }
}

public class NotebookCommandTests
{
    [Fact]
    public void TheLocalNotebookOpensTheFileGivenAndDbIsOnlyForIt()
    {
        var (code, stdout, stderr) = Cli.Run(["notebook", "--stack", "demo", "--cloud", "local", "--db", "demo.duckdb"]);
        Assert.True(code == 0, stderr);
        var source = string.Concat(JsonNode.Parse(stdout)!["cells"]!.AsArray().SelectMany(c => c!["source"]!.AsArray().Select(l => (string)l!)));
        Assert.Contains("LAB_DB = \"demo.duckdb\"", source);
        Assert.Contains("duckdb.connect(LAB_DB, read_only=True)", source);
        Assert.Contains("pip install duckdb", source);
        var (code2, stdout2, stderr2) = Cli.Run(["notebook", "--stack", "demo", "--db", "demo.duckdb"]);
        Assert.Equal(2, code2);
        Assert.Equal("", stdout2);
        Assert.Contains("--db is for --cloud local", stderr2);
        // Without --db, the file `local` writes by default.
        Assert.Contains("LAB_DB = \\\"mimic-demo.duckdb\\\"", Cli.Run(["notebook", "--stack", "demo", "--cloud", "local"]).Out);
    }
}

public class QueryJsonTests(NotebookLab fixture) : IClassFixture<NotebookLab>
{
    [Fact]
    public void QueryJsonGivesEveryRowWithTypedValuesAndColumnTypes()
    {
        var (_, db) = fixture.Require();
        var (code, stdout, stderr) = Cli.Run(["query", "--db", db, "--json",
            "SELECT subject_id, gender, anchor_age * 1.5 AS age, dod, CAST(NULL AS INTEGER) AS nothing FROM patients ORDER BY subject_id"]);
        Assert.True(code == 0, stderr);
        var result = JsonNode.Parse(stdout)!;
        Assert.Equal(["SUBJECT_ID:INTEGER", "GENDER:VARCHAR", "AGE:DECIMAL", "DOD:DATE", "NOTHING:INTEGER"],
            result["columns"]!.AsArray().Select(c => $"{((string)c!["name"]!).ToUpperInvariant()}:{(string)c["type"]!}"));
        var rows = result["rows"]!.AsArray();
        Assert.Equal(100, rows.Count);   // every row of the demo's patients, no --max-rows cut
        Assert.Equal(JsonValueKind.Number, rows[0]![0]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, rows[0]![1]!.GetValueKind());
        Assert.Null(rows[0]![4]);
        Assert.Contains(rows, r => r![3] is JsonValue d && System.Text.RegularExpressions.Regex.IsMatch((string)d!, @"^\d{4}-\d{2}-\d{2}$"));
        // The example queries, each with its module, variable and title.
        var examples = JsonNode.Parse(Cli.Run(["query", "--db", db, "--json", "--examples"]).Out)!["examples"]!.AsArray();
        Assert.Equal(["admissions_per_year", "top_diagnoses", "icu_stays_by_unit"], examples.Select(e => (string)e!["name"]!));
        // A failing query: DuckDB's message, exit 2, nothing on stdout.
        var (code2, stdout2, stderr2) = Cli.Run(["query", "--db", db, "--json", "SELECT * FROM chartevents"]);
        Assert.Equal((2, ""), (code2, stdout2));
        Assert.Contains("the query failed: Catalog Error: Table with name chartevents does not exist!", stderr2);
    }
}
