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
    public double BuildToReadRatio => BuildSeconds / PlainReadSeconds;
    public double RowsPerSecond => Rows / BuildSeconds;
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
            timings, parquet, largest);
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
