using System.Diagnostics;
using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Local;

public sealed record QueryTiming(string Title, double MaterializedSeconds, double InPlaceSeconds)
{
    public double Speedup => MaterializedSeconds <= 0 ? double.PositiveInfinity : InPlaceSeconds / MaterializedSeconds;
}

public sealed record BenchmarkReport(
    long Rows, long CsvBytes, double PlainReadSeconds, double BuildSeconds, double InPlaceBuildSeconds, long DatabaseBytes,
    IReadOnlyList<QueryTiming> Queries, IReadOnlyList<ParquetTable> Parquet, IReadOnlyList<(string Table, long Rows)> Largest)
{
    /// <summary>The import's local stand-ins; null when the data has no CSV file to read.</summary>
    public ImportStandIns? Import { get; init; }

    public double BuildToReadRatio => BuildSeconds / PlainReadSeconds;
    public double RowsPerSecond => Rows / BuildSeconds;
}

/// <summary>
/// Local stand-ins for the import's two slow steps: one reader through one gzip CSV file (DuckDB, one thread, all text,
/// as an Athena reader gets one file), and the import's own re-encoder (python3, CSV to gzip JSON Lines) on generated
/// note-like text. Rates in MB (10^6 bytes) per second of CSV text.
/// </summary>
public sealed record ImportStandIns(string Table, long GzipBytes, long TextBytes, double ReadSeconds, double? ReencodeTextBytes, double? ReencodeSeconds, string? ReencodeSkipped)
{
    public double ReadTextMBps => TextBytes / ReadSeconds / 1e6;
    public double ReadGzipMBps => GzipBytes / ReadSeconds / 1e6;
    public double? ReencodeMBps => ReencodeTextBytes / ReencodeSeconds / 1e6;
}

/// <summary>
/// Measures the local lab on one data folder: one plain read of every CSV file (the floor any build pays),
/// the materialized build, the in-place build, each example query (plus one over labevents, the largest table
/// the examples do not read) as the median of several runs on both, and Parquet vs csv.gz bytes.
/// </summary>
public static class Benchmark
{
    /// <summary>A query over the largest hosp table: what re-parsing CSV costs most.</summary>
    public static readonly ExampleQuery LabeventsQuery = new("hosp", "Lab results per item (bench)",
        "SELECT itemid, count(*) AS results, avg(valuenum) AS mean_value\nFROM labevents\nGROUP BY itemid\nORDER BY results DESC\nLIMIT 10\n");

    public static BenchmarkReport Run(Release release, IReadOnlyList<Module> modules, string dataDir, string workDir, int runs, Action<string> progress)
    {
        Directory.CreateDirectory(workDir);
        var present = modules.SelectMany(m => m.Tables.Select(t => (m, t, Path: Path.GetFullPath(Path.Combine(dataDir, m.FileOf(t)))))).Where(x => File.Exists(x.Path)).ToList();

        progress("plain read of every CSV file ...");
        var clock = Stopwatch.StartNew();
        long rows = 0;
        using (var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            db.Open();
            foreach (var (_, t, path) in present) rows += LocalLab.Scalar(db, $"SELECT count(*) FROM {DuckDbSql.RawRelation(path, t)}");
        }
        var plain = clock.Elapsed.TotalSeconds;
        progress($"plain read: {rows:N0} rows in {plain:F1} s");

        var materialized = Path.Combine(workDir, "bench-tables.duckdb");
        var inPlace = Path.Combine(workDir, "bench-in-place.duckdb");
        var build = LocalLab.Build(release, modules, dataDir, materialized, skipMissing: true, _ => { });
        progress($"materialized build: {build.Seconds:F1} s");
        var viewBuild = LocalLab.Build(release, modules, dataDir, inPlace, skipMissing: true, _ => { }, inPlace: true);
        progress($"in-place build: {viewBuild.Seconds:F1} s");

        var queries = ExampleQueries.For(modules).ToList();
        if (modules.Any(m => m.FindTable("labevents") is not null) && present.Any(p => p.t.Name == "labevents")) queries.Add(LabeventsQuery);
        var timings = new List<QueryTiming>();
        using (var tables = LocalLab.Open(materialized))
        using (var views = LocalLab.Open(inPlace))
            foreach (var q in queries)
            {
                var t = new QueryTiming(q.Title, Median(tables, q.Sql, runs), Median(views, q.Sql, runs));
                timings.Add(t);
                progress($"{q.Title}: {t.MaterializedSeconds * 1000:F1} ms stored, {t.InPlaceSeconds * 1000:F1} ms in place");
            }

        var parquet = ParquetExport.Write(materialized, modules, build.Tables, Path.Combine(workDir, "parquet"), _ => { });
        var largest = build.Tables.OrderByDescending(t => t.Rows).Take(3).Select(t => ($"{t.Module}.{t.Table}", t.Rows)).ToList();
        return new BenchmarkReport(rows, build.Tables.Sum(t => t.CsvBytes), plain, build.Seconds, viewBuild.Seconds, new FileInfo(materialized).Length,
            timings, parquet, largest)
        { Import = ImportStandInsOf(modules, dataDir, workDir, progress) };
    }

    /// <summary>The import's stand-ins on the largest gzip CSV of the data folder; null when it has none.</summary>
    public static ImportStandIns? ImportStandInsOf(IReadOnlyList<Module> modules, string dataDir, string workDir, Action<string> progress)
    {
        Directory.CreateDirectory(workDir);
        var largest = modules.SelectMany(m => m.Tables.Select(t => (m, t, Path: Path.GetFullPath(Path.Combine(dataDir, m.FileOf(t))))))
            .Where(x => x.Path.EndsWith(".gz", StringComparison.Ordinal) && File.Exists(x.Path))
            .OrderByDescending(x => new FileInfo(x.Path).Length).FirstOrDefault();
        return largest.Path is null ? null : ImportStandInsOf($"{largest.m.Name}.{largest.t.Name}", largest.t, largest.Path, workDir, progress);
    }

    /// <summary>The import's stand-ins: DuckDB with one thread through the largest gzip CSV, and the re-encoder on note-like text.</summary>
    public static ImportStandIns ImportStandInsOf(string name, Table table, string gzipCsv, string workDir, Action<string> progress, int noteRows = 20_000)
    {
        progress($"one reader through {name} ...");
        long text;
        using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(gzipCsv), System.IO.Compression.CompressionMode.Decompress))
        {
            var buffer = new byte[1 << 20];
            long n = 0;
            int read;
            while ((read = gz.Read(buffer)) > 0) n += read;
            text = n;
        }
        double seconds;
        using (var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            db.Open();
            LocalLab.Execute(db, "SET threads = 1");
            var clock = Stopwatch.StartNew();
            LocalLab.Scalar(db, $"SELECT count(*) FROM (SELECT * FROM {DuckDbSql.RawRelation(gzipCsv, table)})");
            seconds = clock.Elapsed.TotalSeconds;
        }
        progress($"one reader: {text / seconds / 1e6:F1} MB/s of CSV text");

        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
        if (python is null) return new ImportStandIns(name, new FileInfo(gzipCsv).Length, text, seconds, null, null, "no python3 on PATH");
        var dir = Path.Combine(workDir, "reencode");
        Directory.CreateDirectory(dir);
        var notes = Path.Combine(dir, "notes.csv.gz");
        var noteText = WriteNoteLikeCsv(notes, noteRows);
        var script = Path.Combine(dir, "import.py");
        File.WriteAllText(script, Import.ImportScript.ProgramText);
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "import runpy, sys; m = runpy.run_path(sys.argv[1]); sys.exit(m['reencode_file'](sys.argv[2], sys.argv[3], sys.argv[4].split(',')))",
                                  script, notes, dir, "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text" })
            psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var reencode = watch.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) return new ImportStandIns(name, new FileInfo(gzipCsv).Length, text, seconds, null, null, "the re-encoder failed: " + err.Result.Trim());
        progress($"re-encoding: {noteText / reencode / 1e6:F1} MB/s of note CSV");
        return new ImportStandIns(name, new FileInfo(gzipCsv).Length, text, seconds, noteText, reencode, null);
    }

    /// <summary>Discharge-note-shaped CSV (about 5 KB of text with line breaks, quotes and commas per note); returns its text bytes.</summary>
    private static long WriteNoteLikeCsv(string path, int rows)
    {
        var paragraph = "Patient seen on the ward, \"stable\", vitals within range; plan: continue current medications,\nreview labs in the morning.\n";
        var body = string.Concat(Enumerable.Repeat(paragraph, 40));
        var counting = new CountingStream(new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest));
        using (var w = new StreamWriter(counting, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
        {
            w.WriteLine("note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text");
            for (var i = 0; i < rows; i++)
                w.WriteLine($"{10000000 + i}-DS-{i % 40},{10000000 + i / 3},{20000000 + i},DS,{i % 40},2180-07-{1 + i % 28:00} 10:00:00,2180-07-{1 + i % 28:00} 12:00:00,\"{body.Replace("\"", "\"\"")}\"");
        }
        return counting.Written;
    }

    /// <summary>Counts the bytes written through it (the CSV text before gzip).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { inner.Write(buffer, offset, count); Written += count; }
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }

    private static double Median(DuckDB.NET.Data.DuckDBConnection db, string sql, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            LocalLab.Query(db, sql);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
