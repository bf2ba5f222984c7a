using System.CommandLine;
using System.Globalization;
using MimicInfra.Local;

namespace MimicInfra.Cli;

/// <summary>`scale-demo` makes a larger copy of an open demo; `bench` measures the local lab on a data folder.</summary>
internal static class BenchCommands
{
    public static Command ScaleDemo(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var data = new Option<string>("--data") { Description = "The demo's folder (module folders with csv.gz files).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Folder to write the scaled copy to, in the same layout.", Required = true };
        var factor = new Option<int>("--factor") { Description = $"Copies of every patient (1-{DemoScaler.MaxFactor}); 140 makes labevents 15 M rows, 10 % of MIMIC-IV.", DefaultValueFactory = _ => 10 };
        var cmd = new Command("scale-demo", "Write a larger copy of an open demo for benchmarks: patients repeated with moved ids, values kept.") { stack, dir, data, outDir, factor };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            if (!Directory.Exists(r.GetValue(data)!)) throw new UserError($"--data {r.GetValue(data)} is not a folder.");
            var files = DemoScaler.Write(lab.Modules, r.GetValue(data)!, r.GetValue(outDir)!, r.GetValue(factor), io.Error.WriteLine);
            if (files.Count == 0) throw new UserError($"no file of the lab's tables is in {r.GetValue(data)}; point --data at the demo's folder.");
            io.Out.WriteLine($"wrote {files.Count} files, {files.Sum(f => f.Rows):N0} rows, {files.Sum(f => f.Bytes):N0} bytes to {Path.GetFullPath(r.GetValue(outDir)!)} (x{r.GetValue(factor)})");
            return 0;
        }));
        return cmd;
    }

    public static Command Bench(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var data = new Option<string>("--data") { Description = "Folder of the release's files (e.g. a scale-demo output).", Required = true };
        var work = new Option<string?>("--work") { Description = "Folder for the benchmark's databases and Parquet files (default: a new temporary folder, removed afterwards)." };
        var runs = new Option<int>("--runs") { Description = "Runs of each query; the median is reported.", DefaultValueFactory = _ => 5 };
        var importOnly = new Option<bool>("--import-only") { Description = "Measure only the cloud import's local stand-ins (one reader through the largest gzip CSV; the note re-encoder)." };
        var cmd = new Command("bench", "Measure the local lab: build time and rows/s, example queries on stored tables vs views over CSV, Parquet vs csv.gz; and the import's local stand-ins.") { stack, dir, data, work, runs, importOnly };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            if (!Directory.Exists(r.GetValue(data)!)) throw new UserError($"--data {r.GetValue(data)} is not a folder.");
            if (r.GetValue(runs) is < 1 or > 100) throw new UserError("--runs must be 1..100.");
            var temp = r.GetValue(work) is null;
            var workDir = r.GetValue(work) ?? Directory.CreateTempSubdirectory("mimic-bench-").FullName;
            try
            {
                if (r.GetValue(importOnly))
                {
                    var only = Benchmark.ImportStandInsOf(lab.Modules, r.GetValue(data)!, workDir, io.Error.WriteLine)
                        ?? throw new UserError($"no csv.gz file of the lab's tables is in {r.GetValue(data)}.");
                    WriteStandIns(io, only);
                    return 0;
                }
                var b = Benchmark.Run(lab.Release, lab.Modules, r.GetValue(data)!, workDir, r.GetValue(runs), io.Error.WriteLine);
                var inv = CultureInfo.InvariantCulture;
                io.Out.WriteLine($"data: {b.Rows:N0} rows in {b.CsvBytes:N0} bytes of CSV; largest {string.Join(", ", b.Largest.Select(l => $"{l.Table} {l.Rows:N0}"))}");
                io.Out.WriteLine($"plain read of every CSV file:  {b.PlainReadSeconds.ToString("F1", inv)} s");
                io.Out.WriteLine($"materialized build:            {b.BuildSeconds.ToString("F1", inv)} s ({b.RowsPerSecond:N0} rows/s, {b.BuildToReadRatio.ToString("F2", inv)}x the plain read), file {b.DatabaseBytes:N0} bytes");
                io.Out.WriteLine($"in-place build (views):        {b.InPlaceBuildSeconds.ToString("F1", inv)} s");
                io.Out.WriteLine();
                io.Table(["query (median of " + r.GetValue(runs) + ")", "stored tables", "views over CSV", "speed-up"], b.Queries.Select(q => (IReadOnlyList<string>)
                    [q.Title, $"{(q.MaterializedSeconds * 1000).ToString("F1", inv)} ms", $"{(q.InPlaceSeconds * 1000).ToString("F1", inv)} ms", $"{q.Speedup.ToString("F0", inv)}x"]));
                var csv = b.Parquet.Sum(p => p.CsvBytes);
                var pq = b.Parquet.Sum(p => p.ParquetBytes);
                io.Out.WriteLine($"Parquet (zstd) {pq:N0} bytes vs csv.gz {csv:N0} bytes ({(pq / (double)csv).ToString("P0", inv)})");
                if (b.Import is { } imp) WriteStandIns(io, imp);
            }
            finally { if (temp) Directory.Delete(workDir, recursive: true); }
            return 0;
        }));
        return cmd;
    }

    private static void WriteStandIns(Console io, ImportStandIns imp)
    {
        var inv = CultureInfo.InvariantCulture;
        io.Out.WriteLine();
        io.Out.WriteLine("import stand-ins (the cloud import's slow steps, measured locally):");
        io.Out.WriteLine($"  one reader, one gzip CSV:  {imp.Table}, {imp.TextBytes:N0} bytes of text ({imp.GzipBytes:N0} gzip) in {imp.ReadSeconds.ToString("F1", inv)} s: " +
                         $"{imp.ReadTextMBps.ToString("F1", inv)} MB/s of text, {imp.ReadGzipMBps.ToString("F1", inv)} MB/s of gzip (DuckDB, 1 thread; the import model assumes 25, pessimistic 8, for Athena)");
        io.Out.WriteLine(imp.ReencodeMBps is { } mbps
            ? $"  re-encoding notes:         {imp.ReencodeTextBytes:N0} bytes of note CSV to gzip JSON Lines in {imp.ReencodeSeconds!.Value.ToString("F1", inv)} s: {mbps.ToString("F1", inv)} MB/s (python3, as in CloudShell)"
            : $"  re-encoding notes:         not measured ({imp.ReencodeSkipped})");
    }
}
