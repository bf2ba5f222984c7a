using System.Text.Json;
using System.Text.Json.Nodes;
using MimicInfra.Lab;
using MimicInfra.Local;
using GcpSide = MimicInfra.Gcp.GcpLab;

namespace MimicInfra.Tests;

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
