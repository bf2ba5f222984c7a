using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// The import script's control flow against a fake AWS (tests/MimicInfra.Tests/ImportFake: S3, Athena, Glue,
/// STS in memory, state kept between runs): the full MIMIC-IV 3.1 table set, retries, partial failure,
/// re-runs that redo only what failed and never double rows, access denied, timeouts, resumption.
/// </summary>
public class ImportScriptTests(ITestOutputHelper output)
{
    private const string Account = "111122223333";

    /// <summary>The lab's data bucket in the fake: its prefix, as S3 completes it.</summary>
    private static string DataBucketOf(ImportPlanData plan) => plan.DataBucketPrefix + "20261206abc";

    private sealed record Run(int Code, string Out, string Err, JsonObject State);

    private static string Python => RequirePython();

    /// <summary>python3 on PATH; a skip without it, a failure under CI (.ci/run installs it).</summary>
    internal static string RequirePython()
    {
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
        if (python is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI must have python3 (.ci/run installs it)");
            Assert.Skip("the import script is python3; no python3 on PATH here");
        }
        return python;
    }

    /// <summary>A fresh fake account: the lab deployed (its import database names the data bucket) and every source file present.</summary>
    private static (string Dir, ImportPlanData Plan) Deploy(StackConfig stack, Func<string, long>? rowsOf = null)
    {
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        var plan = ImportPlan.For(lab);
        var dir = Directory.CreateTempSubdirectory("import-").FullName;
        File.WriteAllText(Path.Combine(dir, ImportScript.FileName), ImportScript.Build(plan));
        var s3 = new JsonObject();
        var i = 0;
        foreach (var t in plan.Tables)
        {
            var bucket = (JsonObject)(s3[t.Source.Folder.ApiBucket] ??= new JsonObject());
            var rows = rowsOf?.Invoke(t.Table.Name) ?? 100 + 37 * i++;
            if (t.Reencoded)
            {
                var path = Path.Combine(dir, $"source-{t.Module.Name}-{t.Table.Name}.csv.gz");
                HostileNotes.Write(path, t.Table, (int)rows);
                bucket[t.Source.Folder.Prefix + t.Source.File] = new JsonObject { ["size"] = new FileInfo(path).Length, ["rows"] = rows, ["file"] = path };
            }
            else if (t.Source.File is not null)
                bucket[t.Source.Folder.Prefix + t.Source.File] = new JsonObject { ["size"] = rows * 40, ["rows"] = rows };
            else
            {
                // A Parquet folder: two files, and a marker file Athena ignores.
                bucket[t.Source.Folder.Prefix + "part-0.parquet"] = new JsonObject { ["size"] = rows * 10, ["rows"] = rows / 2 };
                bucket[t.Source.Folder.Prefix + "part-1.parquet"] = new JsonObject { ["size"] = rows * 10, ["rows"] = rows - rows / 2 };
                bucket[t.Source.Folder.Prefix + "_SUCCESS"] = new JsonObject { ["size"] = 0, ["rows"] = 999_999 };
            }
        }
        var dataBucket = DataBucketOf(plan);
        s3[dataBucket] = new JsonObject();
        var tables = new JsonObject();
        foreach (var t in plan.Tables)
        {
            tables[$"{plan.ImportDatabase}.{t.RawTableName}"] = $"s3://{dataBucket}/{t.StagingFolder}";
            tables[$"{t.TypedDatabase}.{t.Table.Name}"] = $"s3://{dataBucket}/{t.TableFolder}";
        }
        var state = new JsonObject
        {
            ["s3"] = s3,
            ["owners"] = new JsonObject { [dataBucket] = Account },
            ["glue"] = new JsonObject { [plan.ImportDatabase] = new JsonObject { ["Name"] = plan.ImportDatabase, ["Parameters"] = new JsonObject { ["mimic_lab_data_bucket"] = dataBucket } } },
            ["glueTables"] = tables,
            ["plan"] = new JsonObject
            {
                ["dataBucket"] = dataBucket,
                ["importDatabase"] = plan.ImportDatabase, ["importWorkgroup"] = plan.ImportWorkgroup, ["labDatabase"] = plan.LabDatabase,
                ["modules"] = new JsonObject(plan.Tables.Where(t => !t.Module.IsDerived).Select(t => KeyValuePair.Create(t.Table.Name, (JsonNode?)t.Module.Name))),
                ["raw"] = new JsonObject(plan.Tables.Select(t => KeyValuePair.Create(ImportPlan.RawTableName(t.Module, t.Table), (JsonNode?)new JsonArray(t.Module.Name, t.Table.Name)))),
            },
        };
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        return (dir, plan);
    }

    /// <summary>MIMIC-IV 3.1 with every module from PhysioNet's files: notes from their own project's access point, concepts from Parquet.</summary>
    internal static StackConfig Every31 => Labs.Csv31(("modules", "[\"hosp\",\"icu\",\"ed\",\"note\",\"derived\"]"),
        ("moduleSources", "[\"ed=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/\", " +
                          "\"note=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/mimic-iv-note/2.2/note/\"]"),
        ("derivedSourceUri", "s3://my-mimic-concepts/mimiciv/3.1/derived/"));

    /// <summary>Runs the import as the lab's importCommand does: the bucket and account on its command line.</summary>
    private Run Import(string dir, object? faults = null, params string[] args) =>
        ImportAs(dir, faults, ["--data-bucket", (string)State(dir)["plan"]!["dataBucket"]!, "--account", Account, .. args]);

    private static JsonObject State(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();

    private Run ImportAs(string dir, object? faults, string[] args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        psi.ArgumentList.Add(Path.Combine(dir, ImportScript.FileName));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "ImportFake");
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["FAKE_AWS_STATE"] = Path.Combine(dir, "state.json");
        psi.Environment["FAKE_AWS_FAULTS"] = JsonSerializer.Serialize(faults ?? new { });
        psi.Environment["MIMIC_IMPORT_POLL_SECONDS"] = "0";
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(600_000), "the import did not end within 10 minutes");
        output.WriteLine(o.Result);
        output.WriteLine(e.Result);
        return new Run(p.ExitCode, o.Result, e.Result, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject());
    }

    private static JsonObject Data(Run r) => r.State["s3"]![(string)r.State["plan"]!["dataBucket"]!]!.AsObject();

    private static long RowsUnder(Run r, string prefix) =>
        Data(r).Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => (long?)kv.Value!["rows"] ?? 0);

    private static List<string> Unloads(Run r) =>
        r.State["log"]!.AsArray().Where(l => (string)l![0]! == "query" && ((string)l[2]!).StartsWith("UNLOAD", StringComparison.Ordinal)).Select(l => (string)l![2]!).ToList();

    private static long SourceRows(JsonObject before, TableImport t) =>
        before["s3"]![t.Source.Folder.ApiBucket]!.AsObject()
            .Where(kv => kv.Key.StartsWith(t.Source.Folder.Prefix + (t.Source.File ?? ""), StringComparison.Ordinal) && !kv.Key.EndsWith("_SUCCESS", StringComparison.Ordinal))
            .Sum(kv => (long)kv.Value!["rows"]!);

    [Theory]
    [InlineData("table-parquet")]
    [InlineData("physionet-csv")]
    public void TheFull31TableSetImportsWithExactCountsWithinTheConcurrencyBound(string layout)
    {
        // Every module of MIMIC-IV 3.1, derived concepts included (their vitalsign shares a name with ed's).
        var (dir, plan) = Deploy(layout == "table-parquet" ? Labs.Full31(("modules", "[\"hosp\",\"icu\",\"ed\",\"note\",\"derived\"]")) : Labs.Csv31());
        var before = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();
        var run = Import(dir, new { throttle = 3 }, "--parallel", "4");
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Equal(layout == "table-parquet" ? 41 + 65 : 37, plan.Tables.Count);   // 3.1 hosp, icu, ed (and note and derived, from Parquet)
        Assert.Contains($"done         {plan.Tables.Count}/{plan.Tables.Count} tables imported", run.Out);
        foreach (var t in plan.Tables)
        {
            Assert.Equal(SourceRows(before, t), RowsUnder(run, t.TableFolder));                    // the copy has the source's rows
            Assert.DoesNotContain(Data(run), kv => kv.Key.StartsWith(t.StagingFolder, StringComparison.Ordinal));   // staging removed
            Assert.Equal("imported", (string)JsonNode.Parse((string)Data(run)[t.RecordKey]!["body"]!)!["status"]!);
            Assert.Matches($@"\] {t.Module.Name}\.{t.Table.Name}: [0-9,]+ rows, [0-9.,]+ MB scanned, [0-9.]+ s, ~\$[0-9.]+", run.Out);
        }
        Assert.InRange((int)run.State["maxActive"]!, 1, 4);                                          // --parallel bounds Athena's active queries
        Assert.Equal(3, (int)run.State["throttled"]!);                                               // TooManyRequests was retried
        // Copies never carry the source's tags (PhysioNet's access points grant no s3:GetObjectTagging).
        Assert.All(run.State["log"]!.AsArray().Where(l => (string)l![0]! == "copy"), l => Assert.Equal("REPLACE", (string)l![5]!["TaggingDirective"]!));
        Assert.DoesNotContain(run.State["log"]!.AsArray(), l => (string)l![0]! == "copy" && ((string)l[2]!).EndsWith("_SUCCESS", StringComparison.Ordinal));
        var summary = JsonNode.Parse((string)Data(run)[DataLayout.ImportSummaryKey]!["body"]!)!;
        Assert.True((bool)summary["complete"]!);
        Assert.Equal(plan.Release, (string)summary["release"]!);
        Assert.Equal(plan.Tables.Count, summary["tables"]!.AsObject().Count);

        // Every UNLOAD's SELECT parses in DuckDB, the engine the local lab runs the same casts in.
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        foreach (var sql in Unloads(run))
        {
            var select = sql[(sql.IndexOf('\n') + 1)..sql.LastIndexOf("\n)\nTO '", StringComparison.Ordinal)];
            var ast = (string)LocalLab.Query(db, $"SELECT json_serialize_sql({DuckDbSql.Literal(select)})").Rows[0][0]!;
            Assert.False(JsonNode.Parse(ast)!["error"]!.GetValue<bool>(), ast);
        }
        Assert.Equal(plan.Tables.Count, Unloads(run).Count);
    }

    [Fact]
    public void ATamperedGlueParameterCannotRedirectTheImport()
    {
        // Someone with glue:UpdateDatabase points the import database at their own bucket: the import never reads it.
        var (dir, plan) = Deploy(Labs.Csv31(("modules", "[\"ed\"]")));
        var state = State(dir);
        state["glue"]![plan.ImportDatabase]!["Parameters"]!["mimic_lab_data_bucket"] = "attacker-bucket";
        state["s3"]!["attacker-bucket"] = new JsonObject();
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = Import(dir);
        Assert.True(run.Code == 0, run.Out);
        Assert.Empty(run.State["s3"]!["attacker-bucket"]!.AsObject());
        Assert.All(plan.Tables, t => Assert.True(RowsUnder(run, t.TableFolder) > 0));
        Assert.Null(run.State["ownerless"]);   // every call to the lab's bucket named its owner

        // A bucket of another name, or of the right name in another account, is refused before anything is read or written.
        var other = ImportAs(dir, null, ["--data-bucket", "attacker-bucket", "--account", Account]);
        Assert.Equal(2, other.Code);
        Assert.Contains($"is not this lab's data bucket (its name starts with {plan.DataBucketPrefix})", other.Err);
        var squatted = plan.DataBucketPrefix + "squatted";
        state = State(dir);
        state["s3"]![squatted] = new JsonObject();
        state["owners"]![squatted] = "444455556666";
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var log = State(dir)["log"]!.AsArray().Count;
        var foreign = ImportAs(dir, null, ["--data-bucket", squatted, "--account", Account]);
        Assert.Equal(2, foreign.Code);
        Assert.Contains($"the data bucket {squatted} is not the lab's: it does not exist or account {Account} does not own it (AccessDenied)", foreign.Out);
        Assert.Equal(log, foreign.State["log"]!.AsArray().Count);
        var elsewhere = ImportAs(dir, null, ["--data-bucket", (string)state["plan"]!["dataBucket"]!, "--account", "444455556666"]);
        Assert.Equal(2, elsewhere.Code);
        Assert.Contains("you are signed in to account 111122223333, but the lab is in account 444455556666", elsewhere.Out);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("typed")]
    public void ATamperedTableLocationIsRefusedBeforeAnythingIsWritten(string which)
    {
        var (dir, plan) = Deploy(Labs.Csv31(("modules", "[\"ed\"]")));
        var triage = plan.Tables.Single(t => t.Table.Name == "triage");
        var state = State(dir);
        var key = which == "raw" ? $"{plan.ImportDatabase}.{triage.RawTableName}" : $"{triage.TypedDatabase}.triage";
        state["glueTables"]![key] = "s3://attacker-bucket/triage/";
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = Import(dir);
        Assert.Equal(1, run.Code);
        Assert.Contains($"ed.triage: FAILED: Glue table {key} points at 's3://attacker-bucket/triage/', not the lab's s3://{DataBucketOf(plan)}/" +
                        $"{(which == "raw" ? triage.StagingFolder : triage.TableFolder)}: the catalog was changed outside the lab, so nothing was written", run.Out);
        Assert.DoesNotContain(run.State["log"]!.AsArray(), l => l!.ToJsonString().Contains("/triage/") || l.ToJsonString().Contains("triage.csv.gz"));
        Assert.Equal(0, RowsUnder(run, triage.TableFolder));
        Assert.Equal(plan.Tables.Count - 1, plan.Tables.Count(t => RowsUnder(run, t.TableFolder) > 0));   // the others imported
    }

    [Fact]
    public void EveryModuleOf31ImportsInTheCloudNotesReencodedAsJsonLines()
    {
        var (dir, plan) = Deploy(Every31, name => name.EndsWith("_detail", StringComparison.Ordinal) ? 40 : name is "discharge" or "radiology" ? 30 : 50);
        Assert.Equal(["note.discharge", "note.discharge_detail", "note.radiology", "note.radiology_detail"],
            plan.Tables.Where(t => t.Reencoded).Select(t => $"{t.Module.Name}.{t.Table.Name}"));
        Assert.Contains(plan.Tables, t => t.Module.IsDerived);
        var before = State(dir);
        var run = Import(dir, null, "--keep-staging");
        Assert.True(run.Code == 0, run.Out);
        Assert.Contains($"done         {plan.Tables.Count}/{plan.Tables.Count} tables imported", run.Out);
        foreach (var t in plan.Tables) Assert.Equal(SourceRows(before, t), RowsUnder(run, t.TableFolder));
        // The notes were read as streams (never copied as they are) and staged as JSON Lines parts.
        Assert.Equal(4, run.State["streamed"]!.AsArray().Count);
        Assert.DoesNotContain(run.State["log"]!.AsArray(), l => (string)l![0]! == "copy" && ((string)l[2]!).Contains("/note/"));
        Assert.Contains(Data(run), kv => kv.Key == plan.Tables.First(t => t.Reencoded).StagingFolder + "part-00001.json.gz");
        Assert.Null(run.State["ownerless"]);
    }

    [Fact]
    public void AReencodingStoppedWithTheSessionContinuesFromItsCheckpoint()
    {
        var (dir, plan) = Deploy(Labs.Csv31(("modules", "[\"note\"]"), ("moduleSources",
            "[\"note=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/mimic-iv-note/2.2/note/\"]")), _ => 400);
        var discharge = plan.Tables.Single(t => t.Table.Name == "discharge");
        var size = (long)State(dir)["s3"]![discharge.Source.Folder.ApiBucket]![discharge.Source.Folder.Prefix + discharge.Source.File]!["size"]!;
        var env = new Dictionary<string, string> { ["MIMIC_IMPORT_PART_BYTES"] = "300000" };
        // The stream breaks after about two thirds of the file: parts written so far stay, with a checkpoint.
        var first = ImportAs(dir, new { streamLimit = size * 2 / 3 }, ["--data-bucket", (string)State(dir)["plan"]!["dataBucket"]!, "--account", Account, "--tables", "discharge"], env);
        Assert.Equal(1, first.Code);
        var checkpoint = JsonNode.Parse((string)Data(first)[discharge.CheckpointKey]!["body"]!)!;
        var staged = checkpoint["parts"]!.AsArray().Count;
        Assert.InRange(staged, 1, 100);
        Assert.False((bool)checkpoint["done"]!);
        var second = ImportAs(dir, null, ["--data-bucket", (string)State(dir)["plan"]!["dataBucket"]!, "--account", Account, "--tables", "discharge"], env);
        Assert.True(second.Code == 0, second.Out);
        Assert.Contains($"continuing   note.discharge: {staged} re-encoded parts", second.Out);
        Assert.Equal(400, RowsUnder(second, discharge.TableFolder));
        // The parts written before the break were not written again.
        var puts = second.State["log"]!.AsArray().Where(l => (string)l![0]! == "put" && ((string)l[2]!).StartsWith(discharge.StagingFolder, StringComparison.Ordinal)).Select(l => (string)l![2]!).ToList();
        Assert.Equal(puts.Count, puts.Distinct().Count());
        Assert.DoesNotContain(Data(second), kv => kv.Key == discharge.CheckpointKey);   // gone with the staging once imported
    }

    [Fact]
    public void ATableTheModelSaysCannotFinishUnderTheQuotaIsNotStartedAndTheRunSaysWhatToDo()
    {
        var (dir, plan) = Deploy(Labs.Csv31(("modules", "[\"icu\",\"ed\"]")));
        var state = State(dir);
        state["dmlTimeout"] = 30;
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = Import(dir);
        Assert.Equal(1, run.Code);
        Assert.Contains("timeout      Athena DML query timeout 30 minutes (the account's applied value)", run.Out);
        Assert.Matches(@"icu\.chartevents: FAILED: not started: one Athena reader may need 32 to 99 minutes for it \(47\.3 GB of CSV at 25 to 8 MB/s\), " +
                       @"more than the account's DML query timeout of 30 minutes", run.Out);
        Assert.Contains("Raise the quota 'DML query timeout' (L-E80DC288) to 120 minutes: the stack's athenaDmlTimeoutQuota requests it at `pulumi up`, or " +
                        "`aws service-quotas request-service-quota-increase --service-code athena --quota-code L-E80DC288 --desired-value 120`", run.Out);
        Assert.Contains("failed       icu.chartevents: run the same command again", run.Out);
        // Nothing of it was copied or queried; every other table was imported.
        Assert.DoesNotContain(run.State["log"]!.AsArray(), l => l!.ToJsonString().Contains("chartevents"));
        Assert.Equal(plan.Tables.Count - 1, plan.Tables.Count(t => RowsUnder(run, t.TableFolder) > 0));
        Assert.Matches(@"icu\.chartevents +FAILED", run.Out);
        Assert.Matches(@"icu\.icustays +imported +[0-9,]+ ", run.Out);

        // Service Quotas cannot be read by the researcher: 30 minutes is assumed, and the run says how to tell it otherwise.
        state = State(dir);
        state["dmlTimeout"] = "denied";
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var denied = Import(dir);
        Assert.Equal(1, denied.Code);
        Assert.Contains("timeout      Athena DML query timeout 30 minutes (assumed: Service Quotas did not answer (AccessDeniedException); " +
                        "if the quota was raised, pass --dml-timeout-minutes N)", denied.Out);
        var told = Import(dir, null, "--dml-timeout-minutes", "240", "--json");
        Assert.True(told.Code == 0, told.Out + told.Err);
        Assert.Contains("Athena DML query timeout 240 minutes (--dml-timeout-minutes)", told.Err);   // --json: people's lines on stderr
        var summary = JsonNode.Parse(told.Out)!;                                                      // and only the summary on stdout
        Assert.True((bool)summary["complete"]!);
        Assert.Equal(240, (int)summary["dmlTimeoutMinutes"]!);
        Assert.Equal(plan.Tables.Count, summary["tables"]!.AsObject().Count);
    }

    [Fact]
    public void NotWaitingForTheQuotaTheLongestTableIsCutIntoPartsThatSeveralReadersShare()
    {
        var (dir, plan) = Deploy(Labs.Csv31(("modules", "[\"icu\",\"ed\"]")));
        var chartevents = plan.Tables.Single(t => t.Table.Name == "chartevents");
        var file = Path.Combine(dir, "chartevents.csv.gz");
        HostileNotes.WritePlain(file, chartevents.Table, 3000);
        var state = State(dir);
        state["dmlTimeout"] = 30;
        state["s3"]![chartevents.Source.Folder.ApiBucket]![chartevents.Source.Folder.Prefix + chartevents.Source.File] =
            new JsonObject { ["size"] = new FileInfo(file).Length, ["rows"] = 3000, ["file"] = file };
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = ImportAs(dir, null, ["--data-bucket", (string)state["plan"]!["dataBucket"]!, "--account", Account, "--tables", "chartevents", "--split-long", "--keep-staging"],
            new Dictionary<string, string> { ["MIMIC_IMPORT_PART_BYTES"] = "60000" });
        Assert.True(run.Code == 0, run.Out);
        Assert.Contains("splitting    icu.chartevents: part 1,", run.Out);
        Assert.Equal(3000, RowsUnder(run, chartevents.TableFolder));
        Assert.DoesNotContain(run.State["log"]!.AsArray(), l => (string)l![0]! == "copy");
        var parts = Data(run).Where(kv => kv.Key.StartsWith(chartevents.StagingFolder, StringComparison.Ordinal)).ToList();
        Assert.True(parts.Count > 2, $"{parts.Count} parts");
        var header = string.Join(",", chartevents.Table.Columns.Select(c => c.Name));
        var lines = 0;
        foreach (var (_, o) in parts)
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead((string)o!["file"]!), System.IO.Compression.CompressionMode.Decompress);
            var text = new StreamReader(gz).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(header, text[0]);                     // every part has the header the raw table skips
            lines += text.Length - 1;
        }
        Assert.Equal(3000, lines);                             // every record in exactly one part, none doubled
    }

    [Fact]
    public void ARaisedQuotaLetsTheLongestTableRunWithAProgressLine()
    {
        var (dir, _) = Deploy(Labs.Csv31(("modules", "[\"icu\",\"ed\"]")));
        var run = ImportAs(dir, new { pollsToFinish = 3 }, ["--data-bucket", (string)State(dir)["plan"]!["dataBucket"]!, "--account", Account, "--tables", "chartevents"],
            new Dictionary<string, string> { ["MIMIC_IMPORT_PROGRESS_SECONDS"] = "0" });
        Assert.True(run.Code == 0, run.Out);
        Assert.Contains("timeout      Athena DML query timeout 240 minutes", run.Out);
        Assert.Matches(@"running      icu\.chartevents: [0-9.]+ min of ~32, query q[0-9]+ running", run.Out);
    }

    [Fact]
    public void TheDryRunShowsTheTimeAndCostModel()
    {
        var (dir, _) = Deploy(Labs.Csv31(("modules", "[\"icu\",\"ed\"]")));
        var run = Import(dir, null, "--dry-run", "--dml-timeout-minutes", "30");
        Assert.Equal(0, run.Code);
        Assert.Matches(@"icu\.chartevents +432,997,491 +3\.0 GB +47\.3 GB +31\.5 \(98\.5\) +\$0\.015  > 30 min DML timeout", run.Out);
        Assert.Matches(@"icu\.icustays +94,458 ", run.Out);
        Assert.Empty(run.State["log"]!.AsArray());
    }

    [Fact]
    public void APartialFailureIsNamedAndARerunRedoesOnlyItWithoutDoublingRows()
    {
        var (dir, plan) = Deploy(Labs.Csv31());
        var before = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();
        var first = Import(dir, new { failUnload = new Dictionary<string, int> { ["hosp.labevents"] = 1 }, denySource = new[] { "*accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/triage.csv.gz" } });
        Assert.Equal(1, first.Code);
        Assert.Matches(@"hosp\.labevents: FAILED: Athena query q[0-9]+ failed: HIVE_CURSOR_ERROR", first.Out);
        Assert.Contains("ed.triage: FAILED: access denied reading s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/triage.csv.gz", first.Out);
        Assert.Contains("PhysioNet has not authorized this identity for MIMIC-IV 3.1: run this as the IAM user you verified on PhysioNet", first.Out);
        Assert.Contains("failed       ed.triage, hosp.labevents: run the same command again to retry only these", first.Out);
        var summary = JsonNode.Parse((string)Data(first)[DataLayout.ImportSummaryKey]!["body"]!)!;
        Assert.False((bool)summary["complete"]!);
        Assert.Equal(["ed.triage", "hosp.labevents"], summary["missing"]!.AsArray().Select(n => (string)n!));
        var unloadsBefore = Unloads(first).Count;

        var second = Import(dir);
        Assert.True(second.Code == 0, second.Out);
        Assert.Equal(2, Unloads(second).Count - unloadsBefore);   // only the two failed tables ran again
        Assert.Contains("hosp.admissions: imported earlier", second.Out);
        foreach (var t in plan.Tables)
            Assert.Equal(SourceRows(before, t), RowsUnder(second, t.TableFolder));   // the orphaned half-write is gone, nothing doubled
        Assert.True((bool)JsonNode.Parse((string)Data(second)[DataLayout.ImportSummaryKey]!["body"]!)!["complete"]!);

        // --redo imports a table again from an empty folder: still exactly the source's rows.
        var third = Import(dir, null, "--redo", "--tables", "hosp.labevents,patients");
        Assert.Equal(0, third.Code);
        Assert.Equal(2, Unloads(third).Count - Unloads(second).Count);
        var labevents = plan.Tables.Single(t => t.Table.Name == "labevents");
        Assert.Equal(SourceRows(before, labevents), RowsUnder(third, labevents.TableFolder));
    }

    [Fact]
    public void TheDmlTimeoutSaysWhichQuotaToRaiseAndHowToRetry()
    {
        var (dir, _) = Deploy(Labs.Csv31());
        var run = Import(dir, new { timeout = new[] { "icu.chartevents" } });
        Assert.Equal(1, run.Code);
        Assert.Contains("icu.chartevents: FAILED: Athena stopped the query at the DML query timeout", run.Out);
        Assert.Contains("'DML query timeout' (L-E80DC288, 30 minutes by default) in the Service Quotas console, up to 240 minutes", run.Out);
        Assert.Contains("run this again with --tables icu.chartevents", run.Out);
    }

    [Fact]
    public void WithoutRuntimeRowCountsItCountsTheSourceAndAMismatchIsNeverRecorded()
    {
        var (dir, plan) = Deploy(Labs.Full31(("modules", "[\"ed\"]")));
        var run = Import(dir, new { noRuntimeRows = true });
        Assert.Equal(0, run.Code);
        var counts = run.State["log"]!.AsArray().Count(l => (string)l![0]! == "query" && ((string)l[2]!).StartsWith($"SELECT count(*) FROM \"{plan.ImportDatabase}\"", StringComparison.Ordinal));
        Assert.Equal(plan.Tables.Count, counts);

        // Athena's count disagrees with the copy: the source is counted, and here they agree, so it is imported.
        var (dir2, _) = Deploy(Labs.Full31(("modules", "[\"ed\"]")));
        Assert.Equal(0, Import(dir2, new { inputRowsOffBy = 1 }).Code);

        // A copy that lost rows is never recorded as imported; the next run redoes it.
        var (dir3, plan3) = Deploy(Labs.Full31(("modules", "[\"ed\"]")), _ => 500);
        var lost = Import(dir3, new { dropRows = new Dictionary<string, int> { ["ed.triage"] = 3 } });
        Assert.Equal(1, lost.Code);
        Assert.Contains("ed.triage: FAILED: the copy has 497 rows but the source has 500; run again to redo it", lost.Out);
        Assert.Equal("failed", (string)JsonNode.Parse((string)Data(lost)[plan3.Tables.Single(t => t.Table.Name == "triage").RecordKey]!["body"]!)!["status"]!);
        var again = Import(dir3);
        Assert.Equal(0, again.Code);
        Assert.Equal(500, RowsUnder(again, plan3.Tables.Single(t => t.Table.Name == "triage").TableFolder));
    }

    [Fact]
    public void ARunStoppedWhileAthenaWroteResumesThatQueryInsteadOfStartingAgain()
    {
        var (dir, plan) = Deploy(Labs.Full31(("modules", "[\"ed\"]")));
        var edstays = plan.Tables.Single(t => t.Table.Name == "edstays");
        // What a run leaves when its CloudShell tab closes mid-UNLOAD: staged files, a record naming the query, the query still running.
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();
        var data = new JsonObject
        {
            [edstays.StagingFolder + "part-0.parquet"] = new JsonObject { ["size"] = 10, ["rows"] = 40 },
            [edstays.StagingFolder + "part-1.parquet"] = new JsonObject { ["size"] = 10, ["rows"] = 60 },
            [edstays.RecordKey] = new JsonObject { ["size"] = 1, ["body"] = "{\"status\": \"running\", \"queryId\": \"q0001\", \"sourceBytes\": 20}" },
        };
        var dataBucket = (string)state["plan"]!["dataBucket"]!;
        state["s3"]![dataBucket] = data;
        state["queries"] = new JsonObject
        {
            ["q0001"] = new JsonObject { ["sql"] = edstays.Unload.Replace(ImportPlan.DataBucketToken, dataBucket), ["state"] = "RUNNING", ["polls"] = 0, ["scanned"] = 0 },
        };
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());

        // A new session first asks where things stand: the query is still running in Athena, and nothing changes.
        var status = Import(dir, null, "--status");
        Assert.Equal(0, status.Code);
        Assert.Matches(@"state        ed\.edstays: [0-9.]+ min, query q0001 running", status.Out);
        Assert.Contains("state        ed.triage: not started", status.Out);
        Assert.Empty(Unloads(status));
        var observed = State(dir);   // the fake counts polls toward finishing; looking must not finish it
        observed["queries"]!["q0001"]!["polls"] = 0;
        File.WriteAllText(Path.Combine(dir, "state.json"), observed.ToJsonString());

        var run = Import(dir, null, "--tables", "edstays");
        Assert.True(run.Code == 0, run.Out);
        Assert.Contains("resuming     ed.edstays: Athena query q0001 of an earlier run is running", run.Out);
        Assert.Contains("state        running: 1 (ed.edstays)", run.Out);
        Assert.Empty(Unloads(run));                                     // no second UNLOAD over the first one's output
        Assert.Equal(100, RowsUnder(run, edstays.TableFolder));
        Assert.Equal("imported", (string)JsonNode.Parse((string)Data(run)[edstays.RecordKey]!["body"]!)!["status"]!);
    }

    [Fact]
    public void AnUndeployedLabOrAnUnknownTableStopsBeforeAnythingChanges()
    {
        var (dir, _) = Deploy(Labs.Csv31());
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();
        state["glue"] = new JsonObject();
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = Import(dir);
        Assert.Equal(2, run.Code);
        Assert.Contains("the lab is not deployed in us-east-1", run.Out);
        Assert.Contains("run `pulumi up` first", run.Out);
        Assert.Empty(run.State["log"]!.AsArray());
        var (dir2, _) = Deploy(Labs.Csv31());
        var unknown = Import(dir2, null, "--tables", "nope");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no table nope in this lab", unknown.Out);
    }

    [Fact]
    public void ARoleIdentityIsWarnedThatPhysioNetAuthorizesIamUsersOnly()
    {
        var (dir, _) = Deploy(Labs.Csv31(("modules", "[\"ed\"]")));
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "state.json")))!.AsObject();
        state["identity"] = "arn:aws:sts::111122223333:assumed-role/Admin/jdoe";
        File.WriteAllText(Path.Combine(dir, "state.json"), state.ToJsonString());
        var run = Import(dir);
        Assert.Contains("warning      PhysioNet authorizes IAM users only, never roles or the root user", run.Out);
    }

    [Fact]
    public void DryRunPrintsEveryTablesSqlAndTouchesNothing()
    {
        var (dir, plan) = Deploy(Labs.Csv31());
        var run = Import(dir, null, "--dry-run");
        Assert.Equal(0, run.Code);
        Assert.Equal(plan.Tables.Count, run.Out.Split("UNLOAD (").Length - 1);
        Assert.Empty(run.State["log"]!.AsArray());
    }
}

public class ImportCommandTests
{
    [Fact]
    public void ImportPrintsTheCommandAndTheScriptPulumiUploads()
    {
        var (code, script, _) = Cli.Run(["import", "--stack", "demo", "--script"]);
        Assert.Equal(0, code);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script)));
        var (code2, stdout, stderr) = Cli.Run(["import", "--stack", "demo"]);
        Assert.Equal(0, code2);
        // No Glue lookup: the bucket is the stack output the researcher sets, the account the caller's own (STS), the script pinned by its hash.
        Assert.Equal("aws s3 cp s3://\"${DATA_BUCKET:?set DATA_BUCKET to the stack output dataBucket}\"/lab/import/mimic-lab-import.py . " +
                     "--expected-bucket-owner \"$(aws sts get-caller-identity --query Account --output text)\" && " +
                     $"echo '{sha}  mimic-lab-import.py' | sha256sum -c - && python3 mimic-lab-import.py --data-bucket \"$DATA_BUCKET\" " +
                     "--account \"$(aws sts get-caller-identity --query Account --output text)\"\n", stdout);
        Assert.DoesNotContain("glue", stdout);
        Assert.Contains("in AWS CloudShell (us-east-1)", stderr);
        Assert.Contains("It copies 31 tables", stderr);

        // `import --script` is byte for byte what the program puts in the data bucket (Pulumi reads $$ as $).
        var program = new ParsedProgram(Labs.Compile(Labs.Demo));
        var uploaded = ((string)program.Named("importScript")["content"]).Replace("$$", "$");
        Assert.Equal(uploaded, script);
        Assert.Equal("lab/import/mimic-lab-import.py", program.Named("importScript")["key"]);
        Assert.Equal("aws s3 cp s3://${dataBucket.bucket}/lab/import/mimic-lab-import.py . --expected-bucket-owner ${awsAccount.accountId} && " +
                     $"echo '{sha}  mimic-lab-import.py' | sha256sum -c - && python3 mimic-lab-import.py --data-bucket ${{dataBucket.bucket}} --account ${{awsAccount.accountId}}",
            program.Outputs["importCommand"]);
    }

    [Fact]
    public void ACredentialedLabsCommandNamesTheLabsAccountAndRunsOnlyTheScriptWhoseHashItKnows()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var plan = ImportPlan.For(lab);
        var account = lab.Aws!.Perimeter.ResearcherArn!.Split(':')[4];
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        var command = ImportScript.CommandFor(plan, "b", account);
        Assert.Contains($"--expected-bucket-owner {account} &&", command);
        Assert.EndsWith($"--data-bucket b --account {account}", command);

        // The hash check the command runs: the script as built passes, one changed byte stops the command before python3 runs.
        var sh = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "sha256sum")).FirstOrDefault(File.Exists);
        if (sh is null) Assert.Skip("needs sha256sum on PATH (coreutils; AWS CloudShell has it)");
        var check = command[(command.IndexOf("&& ", StringComparison.Ordinal) + 3)..command.LastIndexOf(" && python3", StringComparison.Ordinal)];
        int Check()
        {
            var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(check);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        File.WriteAllText(Path.Combine(dir, ImportScript.FileName), ImportScript.Build(plan));
        Assert.Equal(0, Check());
        File.WriteAllText(Path.Combine(dir, ImportScript.FileName), ImportScript.Build(plan).Replace("\"lab\"", "\"lab \""));
        Assert.NotEqual(0, Check());
    }

    [Fact]
    public void ImportSaysWhyWhenThereIsNothingToImport()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        File.WriteAllText(Path.Combine(dir, "Pulumi.p.yaml"), "config:\n  mimic-infra:release: mimic-iv-demo-2.2\n  mimic-infra:researcher: r\n  mimic-infra:study: s\n" +
            "  mimic-infra:expires: \"2027-01-01\"\n  mimic-infra:sourceLayout: table-parquet\n  mimic-infra:sourceUri: s3://my-copy/demo/\n  mimic-infra:sourceInPlace: true\n");
        var (code, stdout, stderr) = Cli.Run(["import", "--stack", "p", "--stacks-dir", dir]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("reads its table-parquet copy in place (sourceInPlace), so there is nothing to import", stderr);
    }
}

public class NotebookImportCheckTests
{
    [Fact]
    public void TheExampleNotebookChecksTheImportAndSaysHowToRunIt()
    {
        var nb = System.Text.Json.JsonDocument.Parse(Workspace.Notebook(Workspace.Demo)).RootElement;
        var cells = nb.GetProperty("cells").EnumerateArray()
            .Select(c => (Type: c.GetProperty("cell_type").GetString(), Text: string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))).ToList();
        var check = cells.Single(c => c.Text.Contains("imports/import.json"));
        Assert.Equal("code", check.Type);
        Assert.Contains("[\"Parameters\"][\"mimic_lab_data_bucket\"]", check.Text);
        Assert.Contains("The lab's data has not been imported yet", check.Text);
        var how = cells.Single(c => c.Type == "markdown" && c.Text.Contains("## Is the lab's data there?"));
        Assert.Contains("sha256sum -c - && python3 mimic-lab-import.py --data-bucket \"$DATA_BUCKET\"", how.Text);
        Assert.DoesNotContain("aws glue", how.Text);
        // It comes before the first query, so a researcher sees it first.
        Assert.True(cells.IndexOf(check) < cells.FindIndex(c => c.Text.Contains(" = run(\"\"\"", StringComparison.Ordinal)));

        // Every code cell is valid Python.
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
        if (python is null) Assert.Skip("needs python3 on PATH to compile the notebook's cells");
        foreach (var (type, text) in cells.Where(c => c.Type == "code"))
        {
            var psi = new System.Diagnostics.ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import sys; compile(sys.stdin.read(), 'cell', 'exec')");
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.StandardInput.Write(text);
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{err}\n{text}");
        }
    }

    [Fact]
    public void ALabReadingInPlaceHasNoImportCheck() =>
        Assert.DoesNotContain("imports/import.json", Workspace.Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(("sourceInPlace", "true"))))));
}

public class ResearcherImportPolicyTests
{
    [Fact]
    public void TheResearchersPolicyReadsTheAccessPointsAndWritesOnlyTheImportsPlaces()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Csv31()));
        var statements = program.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToDictionary(s => (string)s["Sid"]);
        Assert.Equal(["ReadTheSource", "ListTheSource1", "ListTheSource2", "WriteTheLabCopy", "ReadTheImportScript", "ListTheLabData", "WriteImportResults", "ListImportResults",
                      "RunTheImport", "ReadTheLabCatalog", "ReadTheDmlTimeout", "UseTheLabKey", "NothingOfTheLabAfterItExpires"], statements.Keys);
        Assert.Equal(new List<object> { "arn:${awsPartition.partition}:servicequotas:us-east-1:${awsAccount.accountId}:athena/L-E80DC288" }, statements["ReadTheDmlTimeout"]["Resource"]);
        // Through the access point, in the ARN forms IAM takes for it (objects under .../object/<prefix>*).
        Assert.Equal(new List<object>
        {
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/object/mimic-iv-ed/2.2/ed/*",
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/mimiciv/3.1/hosp/*",
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/mimiciv/3.1/icu/*",
        }, statements["ReadTheSource"]["Resource"]);
        Assert.Equal(new List<object> { "s3:GetObject" }, statements["ReadTheSource"]["Action"]);
        Assert.Equal(new List<object> { "${dataBucket.arn}/staging/*", "${dataBucket.arn}/tables/*", "${dataBucket.arn}/imports/*" }, statements["WriteTheLabCopy"]["Resource"]);
        Assert.Equal(new List<object> { "${importWorkgroup.arn}" }, statements["RunTheImport"]["Resource"]);
        // Nothing it allows reaches the lab workgroup (the expiry's Deny names it, to end the lab there too).
        Assert.DoesNotContain(statements.Values.Where(s => (string)s["Effect"] == "Allow").SelectMany(s => s["Resource"].List()), r => ((string)r).Contains("${workgroup.arn}") || (string)r == "*");
    }
}

/// <summary>
/// Note files with every awkward case a CSV of free text can hold: line breaks and CRLF inside quotes, quotes,
/// commas, backslashes, non-ASCII (accents, CJK, emoji, U+2028), empty values quoted and unquoted, and texts far
/// longer than Python's csv default field limit (128 KiB). Written the way PhysioNet writes its CSV (a quote doubled).
/// </summary>
internal static class HostileNotes
{
    private static readonly string[] Texts =
    [
        "plain text",
        "line one\nline two\n\nafter an empty line",
        "windows\r\nline\r\nends",
        "a lone\rcarriage return",
        "say \"hello\", then \"\"twice\"\"",
        "\"starts with a quote",
        "commas, everywhere,,, ,",
        "back\\slash, \\n is not a newline, \\\"quoted\\\"",
        "non-ASCII: é ü ß Å 中文 العربية 😀 \u2028 line separator \u0085 next line",
        "  leading and trailing spaces  ",
        "ends with a newline\n",
        "NULL",
        "null",
        "{\"looks\": \"like json\"}\n[1, 2]",
        "tab\there",
        "",
    ];

    public static string ValueOf(Column c, int row, int col)
    {
        if (c.Type.IsString)
        {
            if (c.Name == "text" && row % 7 == 3) return string.Concat(Enumerable.Repeat("very long \"note\", with a line break\n and ünïcödé; ", 5000));   // ~250 KB
            return Texts[(row + col) % Texts.Length];
        }
        return c.Type.Kind switch
        {
            TypeKind.Timestamp => row % 5 == 4 && c.Nullable ? "" : $"2180-07-{1 + row % 28:00} {row % 24:00}:{row % 60:00}:{(row * 7) % 60:00}",
            TypeKind.Date => $"2180-07-{1 + row % 28:00}",
            _ => row % 6 == 5 && c.Nullable ? "" : (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string Field(string value, int row, int col)
    {
        if (value.Length == 0) return (row + col) % 2 == 0 ? "" : "\"\"";   // empty: unquoted and quoted
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 || (row + col) % 3 == 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>A gzip CSV whose records are lines (no quoted line breaks), as PhysioNet's hosp and icu files are.</summary>
    public static void WritePlain(string path, Table t, int rows)
    {
        using var file = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine(string.Join(",", t.Columns.Select(c => c.Name)));
        for (var r = 0; r < rows; r++)
            w.WriteLine(string.Join(",", t.Columns.Select((c, i) => c.Type.IsString ? $"\"value {r}, \"\"{i}\"\"\"" : ValueOf(c, r, i))));
    }

    /// <summary>A gzip CSV of the table with a header and the given number of rows.</summary>
    public static void Write(string path, Table t, int rows)
    {
        using var file = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine(string.Join(",", t.Columns.Select(c => c.Name)));
        for (var r = 0; r < rows; r++)
            w.WriteLine(string.Join(",", t.Columns.Select((c, i) => Field(ValueOf(c, r, i), r, i))));
    }
}

/// <summary>
/// The re-encoding of note files (CSV with quoted line breaks into JSON Lines) is exact: every value of every hostile
/// note file reads the same, through the same typed casts, as the local lab reads the CSV itself (DuckDB).
/// </summary>
public class NoteReencodingTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryValueOfHostileNoteFilesRoundTripsExactlyAgainstTheLocalLabsReading()
    {
        var python = ImportScriptTests.RequirePython();
        var lab = LabSettingsReader.Read(Labs.Config("notes", [.. Labs.Basics, ("release", "mimic-iv-note-2.2"),
            ("sourceUri", "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/mimic-iv-note/2.2/")]), Labs.Catalog);
        var plan = ImportPlan.For(lab);
        Assert.All(plan.Tables, t => Assert.True(t.Reencoded));
        var dir = Directory.CreateTempSubdirectory("notes-").FullName;
        var script = Path.Combine(dir, ImportScript.FileName);
        File.WriteAllText(script, ImportScript.Build(plan));
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        foreach (var t in plan.Tables)
        {
            var csv = Path.Combine(dir, $"{t.Table.Name}.csv.gz");
            HostileNotes.Write(csv, t.Table, 60);
            var staged = Path.Combine(dir, $"{t.Table.Name}-staged");
            Directory.CreateDirectory(staged);
            // The script's own re-encoder, over a local file, writing its parts locally (small parts: several files).
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import runpy, sys; m = runpy.run_path(sys.argv[1]); sys.exit(m['reencode_file'](sys.argv[2], sys.argv[3], sys.argv[4].split(','), 200000))");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(csv);
            psi.ArgumentList.Add(staged);
            psi.ArgumentList.Add(string.Join(",", t.Table.Columns.Select(c => c.Name)));
            psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            using (var p = Process.Start(psi)!)
            {
                var o = p.StandardOutput.ReadToEnd();
                var e = p.StandardError.ReadToEnd();
                p.WaitForExit();
                output.WriteLine(o + e);
                Assert.True(p.ExitCode == 0, o + e);
            }
            var parts = Directory.GetFiles(staged, "*.json.gz");
            if (t.Table.Name is "discharge" or "radiology") Assert.True(parts.Length > 1, "the long texts fill several parts");

            // The local lab's reading of the CSV, and the JSON Lines read as the import's raw table declares them (all text).
            var local = LocalLab.Query(db, TypedViewSql.ViewQuery(t.Table, DuckDbSql.RawRelation(csv, t.Table), Dialect.DuckDb)).Rows;
            var columns = string.Join(", ", t.Table.Columns.Select(c => $"{DuckDbSql.Literal(c.Name)}: 'VARCHAR'"));
            var json = $"read_json({DuckDbSql.Literal(Path.Combine(staged, "*.json.gz"))}, format = 'newline_delimited', columns = {{{columns}}})";
            var cloud = LocalLab.Query(db, TypedViewSql.ViewQuery(t.Table, json, Dialect.DuckDb)).Rows;
            Assert.Equal(60, local.Count);
            Assert.Equal(local.Count, cloud.Count);
            for (var r = 0; r < local.Count; r++)
                for (var c = 0; c < t.Table.Columns.Count; c++)
                    Assert.True(Equals(local[r][c], cloud[r][c]), $"{t.Table.Name} row {r} column {t.Table.Columns[c].Name}: local {Show(local[r][c])}, re-encoded {Show(cloud[r][c])}");
            // And both are the text written, not merely the same reading of something else.
            for (var r = 0; r < local.Count; r++)
                for (var c = 0; c < t.Table.Columns.Count; c++)
                    if (t.Table.Columns[c].Type.IsString)
                    {
                        var written = HostileNotes.ValueOf(t.Table.Columns[c], r, c);
                        Assert.Equal(written.Length == 0 ? null : written, (string?)cloud[r][c]);
                    }
        }
    }

    [Fact]
    public void ACredentialedLabOfEveryModuleFromPhysioNetsFilesCompilesAndChecksClean()
    {
        var stack = ImportScriptTests.Every31;
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        Assert.Equal(["hosp", "icu", "ed", "note"], lab.Modules.Select(m => m.Name));
        Assert.NotNull(lab.AwsDerived);
        var text = Labs.Compile(stack);
        Assert.Empty(new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(text).Problems);
        Assert.Empty(MimicInfra.Check.LabRules.Check(text, lab));
        var program = new ParsedProgram(text);
        // The notes' raw tables read the re-encoded JSON Lines; every other CSV table stays on the CSV reader.
        var discharge = program.Named("import-note-discharge");
        Assert.Equal("org.apache.hive.hcatalog.data.JsonSerDe", discharge.At("storageDescriptor", "serDeInfo", "serializationLibrary"));
        Assert.Equal("json", discharge.At("parameters", "classification"));
        Assert.Equal("org.apache.hadoop.hive.serde2.OpenCSVSerde", program.Named("import-hosp-admissions").At("storageDescriptor", "serDeInfo", "serializationLibrary"));
        // The researcher's policy reads the notes through their own project's access point.
        var read = program.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).Single(s => (string)s["Sid"] == "ReadTheSource");
        Assert.Contains("arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/object/mimic-iv-note/2.2/note/*", read["Resource"].List());
        Assert.True(MimicInfra.Sources.Importable.CanImport(lab.Aws!.Layout, lab.Modules.Single(m => m.Name == "note")));
    }

    private static string Show(object? v) => v is null ? "NULL" : v is string s ? System.Text.Json.JsonSerializer.Serialize(s.Length > 80 ? s[..80] + "..." : s) : v.ToString()!;
}

/// <summary>The import's time and cost model: the catalog's sizes and their sources, preview's table, the quota the lab requests.</summary>
public class ImportModelTests
{
    [Fact]
    public void TheCatalogCarriesEachReleasesOwnSizesWithTheirSources()
    {
        var catalog = Labs.Catalog;
        TableSize Size(string release, string module, string table) => catalog.Find(release)!.FindModule(module)!.FindTable(table)!.Size!;
        // Row counts as mimic-code's validation scripts give them, per release (never inherited from a base release).
        Assert.Equal(432_997_491, Size("mimic-iv-3.1", "icu", "chartevents").Rows);
        Assert.Equal(313_645_063, Size("mimic-iv-2.2", "icu", "chartevents").Rows);
        Assert.Equal(158_374_764, Size("mimic-iv-3.1", "hosp", "labevents").Rows);
        Assert.Equal(425_087, Size("mimic-iv-3.1", "ed", "edstays").Rows);            // borrowed with MIMIC-IV-ED 2.2's own sizes
        Assert.Equal(2_321_355, Size("mimic-iv-3.1", "note", "radiology").Rows);
        Assert.Equal(330_712_483, Size("mimic-iii-1.4", "clinical", "chartevents").Rows);
        Assert.Null(catalog.Find("mimic-iv-demo-2.2")!.FindModule("hosp")!.FindTable("admissions")!.Size);
        Assert.Contains("validate.sql", Size("mimic-iv-3.1", "hosp", "labevents").RowsSource);
        Assert.Contains("estimates", Size("mimic-iv-3.1", "hosp", "labevents").BytesSource);
        // The estimated gzip sizes of the two largest files are within a factor of 1.5 of the figures commonly given (about 3 and 2 GB).
        Assert.InRange(Size("mimic-iv-3.1", "icu", "chartevents").GzipBytes!.Value, 2_000_000_000, 4_500_000_000);
        Assert.InRange(Size("mimic-iv-3.1", "hosp", "labevents").GzipBytes!.Value, 1_350_000_000, 3_000_000_000);
        // Every table of 3.1's hosp and icu has a size except the three mimic-code does not count.
        var missing = catalog.Find("mimic-iv-3.1")!.Modules.Where(m => m.Name is "hosp" or "icu").SelectMany(m => m.Tables).Where(t => t.Size is null).Select(t => t.Name);
        Assert.Equal(["provider", "caregiver", "ingredientevents"], missing);
    }

    [Fact]
    public void PreviewShowsEachTablesTimeAndCostAndTheQuotaTheLabRequests()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        var settings = ImportScriptTests.Every31.Values.Select(kv => $"  {kv.Key}: {(kv.Value.StartsWith('[') ? kv.Value : $"\"{kv.Value}\"")}");
        File.WriteAllText(Path.Combine(dir, "Pulumi.every.yaml"), "config:\n  aws:region: us-east-1\n" + string.Join("\n", settings) + "\n");
        var (code, stdout, stderr) = Cli.Run(["preview", "--stack", "every", "--stacks-dir", dir]);
        Assert.True(code == 0, stderr);
        Assert.Matches(@"import time one-time import of 106 tables: about [0-9]+ minutes of Athena reading, [0-9.]+ GB of gzip scanned, about \$0\.[0-9]+", stdout);
        Assert.Contains("quota       requests Athena's DML query timeout (L-E80DC288) = 240 minutes for the account in us-east-1: an account-wide request " +
                        "that AWS approves in minutes to days; nothing is undone on destroy", stdout);
        Assert.Matches(@"icu\.chartevents +432,997,491 +3\.0 GB +47\.3 GB +32 \(99\) +\$0\.015", stdout);
        Assert.Contains("note.discharge", stdout);
        Assert.Matches(@"[0-9]+ Parquet tables .*\(derived: Athena splits Parquet across readers; not modelled\)", stdout);
        Assert.Contains("unknown: no size in the catalog for hosp.provider, icu.caregiver, icu.ingredientevents, note.discharge", stdout);

        // Without the quota, the model names the tables that may not finish in Athena's default 30 minutes.
        var lines = ImportModel.PreviewLines(LabSettingsReader.Read(Labs.Csv31(("athenaDmlTimeoutQuota", "0")), Labs.Catalog));
        Assert.Contains(lines, l => l.Contains("quota       none requested"));
        Assert.Contains(lines, l => l.Contains("icu.chartevents") && l.EndsWith("> 30 min DML timeout", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("DML timeout: hosp.labevents, icu.chartevents may need more than 30 minutes"));
    }

    [Fact]
    public void AReencodedTableIsReadInPartsSoItsTimeIsOnePartsNotTheWholeFiles()
    {
        var plan = ImportPlan.For(LabSettingsReader.Read(ImportScriptTests.Every31, Labs.Catalog));
        var discharge = plan.Tables.Single(t => t.Table.Name == "discharge");
        var sized = discharge with { Source = discharge.Source with { Table = discharge.Table with { Size = new TableSize(331_793, 1_000_000_000, 10_000_000_000, "r", "b") } } };
        var e = ImportModel.Of(sized, ReaderAssumption.Default);
        Assert.True(sized.Reencoded);
        Assert.Equal(ImportModel.ReencodedPartBytes / 25e6 / 60, e.Minutes!.Value, 6);
        Assert.False(e.Exceeds(30));
        var chartevents = ImportModel.Of(plan.Tables.Single(t => t.Table.Name == "chartevents"), ReaderAssumption.Default);
        Assert.True(chartevents.Exceeds(30));
        Assert.False(chartevents.Exceeds(240));
    }

    [Fact]
    public void TheLabRequestsTheDmlTimeoutItNeedsAndNothingElse()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Csv31()));
        var quota = program.Named("athenaDmlTimeoutQuota");
        Assert.Equal("athena", quota["serviceCode"]);
        Assert.Equal("L-E80DC288", quota["quotaCode"]);
        Assert.Equal("240", quota["value"].ToString());
        Assert.Contains("requestStatus", (string)program.Outputs["athenaDmlTimeoutQuota"]);
        Assert.DoesNotContain(new ParsedProgram(Labs.Compile(Labs.Csv31(("athenaDmlTimeoutQuota", "0")))).Resources, r => r.Name == "athenaDmlTimeoutQuota");
        Assert.Equal("120", new ParsedProgram(Labs.Compile(Labs.Csv31(("athenaDmlTimeoutQuota", "120")))).Named("athenaDmlTimeoutQuota")["value"].ToString());
        Assert.DoesNotContain(new ParsedProgram(Labs.Compile(Labs.Demo)).Resources, r => r.Name == "athenaDmlTimeoutQuota");   // the demo fits in 30 minutes
        var bad = Assert.ThrowsAny<Exception>(() => LabSettingsReader.Read(Labs.Csv31(("athenaDmlTimeoutQuota", "10")), Labs.Catalog));
        Assert.Contains("athenaDmlTimeoutQuota: 10 is below Athena's default of 30 minutes; use 30-240, or 0 for no request.", bad.Message);
    }
}

public class ImportStandInTests
{
    [Fact]
    public void BenchMeasuresOneReaderThroughAGzipCsvAndTheReencoder()
    {
        var demo = Shared.Require("data/mimic-iv-demo-2.2");
        var module = Labs.Catalog.Find("mimic-iv-demo-2.2")!.FindModule("hosp")!;
        var table = module.FindTable("labevents")!;
        var work = Directory.CreateTempSubdirectory("bench-import-").FullName;
        var r = Benchmark.ImportStandInsOf("hosp.labevents", table, Path.Combine(demo, "hosp", "labevents.csv.gz"), work, _ => { }, noteRows: 300);
        Assert.Equal(1_963_979, r.GzipBytes);
        Assert.True(r.TextBytes > 5 * r.GzipBytes);
        Assert.True(r.ReadTextMBps > 0.5, $"{r.ReadTextMBps} MB/s");
        ImportScriptTests.RequirePython();
        Assert.Null(r.ReencodeSkipped);
        Assert.True(r.ReencodeMBps > 0.1, $"{r.ReencodeMBps} MB/s");
        Assert.Single(Directory.GetFiles(Path.Combine(work, "reencode"), "part-*.json.gz"));   // 300 notes fit one part
    }

    [Fact]
    public void BenchImportOnlyPrintsTheStandInsAsTheReadmeShows()
    {
        var demo = Shared.Require("data/mimic-iv-demo-2.2");
        var (code, stdout, stderr) = Cli.Run(["bench", "--stack", "demo", "--data", demo, "--import-only"]);
        Assert.True(code == 0, stderr);
        Assert.Matches(@"one reader, one gzip CSV: +hosp\.labevents, [0-9,]+ bytes of text \(1,963,979 gzip\) in [0-9.]+ s: [0-9.]+ MB/s of text", stdout);
        Assert.Contains("re-encoding notes:", stdout);
        Assert.DoesNotContain("materialized build", stdout);
    }
}
