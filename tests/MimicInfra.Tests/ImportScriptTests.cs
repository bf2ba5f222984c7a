using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
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
