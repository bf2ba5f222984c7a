using System.CommandLine;
using System.Globalization;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Cli;

/// <summary>`local` builds a lab in DuckDB from files on disk; `query` runs SQL (or the example queries) on it.</summary>
internal static class LocalCommands
{
    public static Command Local(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var data = new Option<string>("--data") { Description = "Folder of the release's files, holding its module folders (e.g. ../shared/data/mimic-iv-demo-2.2).", Required = true };
        var dbOpt = new Option<string?>("--db") { Description = "DuckDB file to write (default: mimic-<stack>.duckdb)." };
        var skip = new Option<bool>("--skip-missing") { Description = "Build without tables whose files are missing (they are listed)." };
        var parquet = new Option<string?>("--parquet") { Description = "Also write every typed table as Parquet under this folder (<module>/<table>/) and report the bytes." };
        var inPlace = new Option<bool>("--in-place") { Description = "Keep typed views over the CSV files instead of storing typed tables (smaller file, every query re-reads the CSV)." };
        var cmd = new Command("local", "Build the lab locally in DuckDB: typed tables from PhysioNet's CSV files in mimic-code's schemas, the same casts as the AWS import.") { stack, dir, data, dbOpt, skip, parquet, inPlace };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            var dataDir = r.GetValue(data)!;
            if (!Directory.Exists(dataDir)) throw new UserError($"--data {dataDir} is not a folder.");
            var db = Path.GetFullPath(r.GetValue(dbOpt) ?? $"mimic-{lab.Stack}.duckdb");
            io.Error.WriteLine($"building {lab.Release.Title} ({string.Join(", ", lab.Modules.Select(m => m.Name))}) from {dataDir} into {db}");
            var build = LocalLab.Build(lab.Release, lab.Modules, dataDir, db, r.GetValue(skip), io.Error.WriteLine, r.GetValue(inPlace));
            foreach (var m in build.Missing) io.Out.WriteLine($"missing, not built: {m}");
            io.Out.WriteLine($"built {build.Tables.Count} tables, {build.Tables.Sum(t => t.Rows):N0} rows in {build.Seconds:F1} s: {db} ({new FileInfo(db).Length:N0} bytes)");

            if (r.GetValue(parquet) is { } outDir)
            {
                var files = ParquetExport.Write(db, lab.Modules, build.Tables, outDir, io.Error.WriteLine);
                io.Out.WriteLine();
                io.Table(["table", "csv.gz bytes", "parquet bytes", "parquet/csv.gz"], files.Select(f => (IReadOnlyList<string>)
                    [$"{f.Module}.{f.Table}", f.CsvBytes.ToString("N0", CultureInfo.InvariantCulture), f.ParquetBytes.ToString("N0", CultureInfo.InvariantCulture), Ratio(f.ParquetBytes, f.CsvBytes)]));
                io.Out.WriteLine($"all tables: csv.gz {files.Sum(f => f.CsvBytes):N0} bytes, parquet {files.Sum(f => f.ParquetBytes):N0} bytes ({Ratio(files.Sum(f => f.ParquetBytes), files.Sum(f => f.CsvBytes))})");
                var scans = ParquetExport.Scans(db, ExampleQueries.For(lab.Modules), lab.Modules, files);
                io.Out.WriteLine();
                io.Out.WriteLine("Bytes a columnar engine (Athena) scans for each example query:");
                io.Table(["query", "tables", "csv.gz", "parquet", "parquet/csv.gz"], scans.Select(s => (IReadOnlyList<string>)
                    [s.Title, string.Join(" ", s.Tables), s.CsvBytes.ToString("N0", CultureInfo.InvariantCulture), s.ParquetBytes.ToString("N0", CultureInfo.InvariantCulture), Ratio(s.ParquetBytes, s.CsvBytes)]));
            }
            return 0;
        }));
        return cmd;
    }

    public static Command Query(Console io)
    {
        var db = new Option<string>("--db") { Description = "The DuckDB file `local` built.", Required = true };
        var sql = new Argument<string?>("sql") { Description = "SQL to run; table names unqualified (admissions) or by module (hosp.admissions).", Arity = ArgumentArity.ZeroOrOne };
        var examples = new Option<bool>("--examples") { Description = "Run the lab's example queries (the example notebook's SQL) instead." };
        var max = new Option<int>("--max-rows") { Description = "Rows to print at most.", DefaultValueFactory = _ => 50 };
        var cmd = new Command("query", "Run SQL on a local lab and print the result as a table.") { db, sql, examples, max };
        cmd.SetAction(r => io.Run(() =>
        {
            using var conn = LocalLab.Open(r.GetValue(db)!);
            var queries = r.GetValue(examples)
                ? ExampleQueries.For(LocalLab.ModulesOf(conn, Catalog.CatalogLoader.LoadEmbedded())).Select(q => (q.Title, q.Sql)).ToList()
                : [("", r.GetValue(sql) ?? throw new UserError("give the SQL to run, or --examples."))];
            foreach (var (title, text) in queries)
            {
                if (title.Length > 0) io.Out.WriteLine($"-- {title}");
                LocalLab.QueryResult result;
                try { result = LocalLab.Query(conn, text); }
                catch (DuckDB.NET.Data.DuckDBException e) { throw new UserError($"the query failed: {e.Message}"); }
                io.Table(result.Columns, result.Rows.Take(r.GetValue(max)).Select(row => (IReadOnlyList<string>)row.Select(Format).ToList()));
                io.Out.WriteLine($"({result.Rows.Count:N0} row{(result.Rows.Count == 1 ? "" : "s")})");
            }
            return 0;
        }));
        return cmd;
    }

    private static string Format(object? v) => v switch
    {
        null => "NULL",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Ratio(long a, long b) => b == 0 ? "-" : (a / (double)b).ToString("P0", CultureInfo.InvariantCulture);
}
