using MimicInfra.Local;

namespace MimicInfra.Tests;

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
