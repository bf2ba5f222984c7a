using System.Text.Json;
using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Local;

public sealed record ParquetTable(string Module, string Table, long CsvBytes, long ParquetBytes, string Path);

/// <summary>Bytes a columnar engine reads for one example query, from CSV.gz (whole files) and from Parquet (only the columns used).</summary>
public sealed record ScanEstimate(string Title, IReadOnlyList<string> Tables, long CsvBytes, long ParquetBytes);

/// <summary>
/// Writes every typed table of a local lab as Parquet in the table-parquet layout an AWS lab reads
/// (`&lt;dir&gt;/&lt;module&gt;/&lt;table&gt;/&lt;table&gt;.parquet`), and measures the Athena cost argument: Athena bills
/// bytes scanned, all of a gzip CSV file but only the column chunks a query touches in Parquet.
/// </summary>
public static class ParquetExport
{
    public static IReadOnlyList<ParquetTable> Write(string dbPath, IReadOnlyList<Module> modules, IReadOnlyList<LocalTable> tables, string outDir, Action<string> progress)
    {
        using var db = LocalLab.Open(dbPath);
        var result = new List<ParquetTable>();
        foreach (var t in tables)
        {
            var folder = Path.Combine(outDir, t.Module, t.Table);
            PrivateFiles.CreateFolder(folder);   // 0700, parents too: a copy of the lab is as private as the lab
            var file = Path.Combine(folder, $"{t.Table}.parquet");
            var module = modules.First(m => m.Name == t.Module);
            var table = module.FindTable(t.Table)!;
            LocalLab.Execute(db, Import.CopySql.DuckDbCopy(module.IsDerived ? InCatalogTypes(db, module, table) : $"SELECT * FROM {LocalLab.QualifiedName(module, table)}", file));
            PrivateFiles.Restrict(file);
            var row = new ParquetTable(t.Module, t.Table, t.CsvBytes, new FileInfo(file).Length, file);
            result.Add(row);
            progress($"{t.Module}.{t.Table}: csv.gz {t.CsvBytes:N0} B -> parquet {row.ParquetBytes:N0} B");
        }
        return result;
    }

    /// <summary>
    /// A derived table carries the types mimic-code's DuckDB scripts give it (a BOOLEAN where BigQuery's published copy
    /// has a string, a DECIMAL for a DOUBLE); its Parquet copy takes the catalog's, as table-parquet promises the import.
    /// A table whose columns are not the catalog's (another checkout) is written as built.
    /// </summary>
    private static string InCatalogTypes(DuckDB.NET.Data.DuckDBConnection db, Module module, Table table)
    {
        var built = LocalLab.Query(db, $"SELECT column_name FROM information_schema.columns WHERE table_schema = {DuckDbSql.Literal(module.Schema)} " +
                                       $"AND table_name = {DuckDbSql.Literal(table.Name)} ORDER BY ordinal_position").Rows.Select(r => (string)r[0]!);
        if (!built.SequenceEqual(table.Columns.Select(c => c.Name))) return $"SELECT * FROM {LocalLab.QualifiedName(module, table)}";
        return "SELECT " + string.Join(", ", table.Columns.Select(c =>
                   $"CAST({TypedViewSql.Quote(c.Name)} AS {Dialects.TypeName(c.Type, Dialect.DuckDb)}) AS {TypedViewSql.Quote(c.Name)}")) +
               $" FROM {LocalLab.QualifiedName(module, table)}";
    }

    /// <summary>For each example query: the tables and columns it reads (from DuckDB's own parse of it) and the bytes each format scans.</summary>
    public static IReadOnlyList<ScanEstimate> Scans(string dbPath, IReadOnlyList<ExampleQuery> queries, IReadOnlyList<Module> modules, IReadOnlyList<ParquetTable> parquet)
    {
        using var db = LocalLab.Open(dbPath);
        var estimates = new List<ScanEstimate>();
        foreach (var q in queries)
        {
            var ast = (string)LocalLab.Query(db, $"SELECT json_serialize_sql({DuckDbSql.Literal(q.Sql)})").Rows[0][0]!;
            var (tableNames, columnNames) = Referenced(JsonDocument.Parse(ast).RootElement);
            var used = parquet.Where(p => tableNames.Contains(p.Table)).ToList();
            long csv = 0, pq = 0;
            foreach (var p in used)
            {
                csv += p.CsvBytes;
                var table = modules.First(m => m.Name == p.Module).FindTable(p.Table)!;
                var columns = table.Columns.Where(c => columnNames.Contains(c.Name)).Select(c => c.Name).ToList();
                if (columns.Count == 0) columns.Add(table.Columns[0].Name);   // count(*) still reads one column
                pq += LocalLab.Scalar(db,
                    $"SELECT CAST(coalesce(sum(total_compressed_size), 0) AS BIGINT) FROM parquet_metadata({DuckDbSql.Literal(p.Path)}) " +
                    $"WHERE path_in_schema IN ({string.Join(", ", columns.Select(DuckDbSql.Literal))})");
            }
            estimates.Add(new ScanEstimate(q.Title, used.Select(u => $"{u.Module}.{u.Table}").ToList(), csv, pq));
        }
        return estimates;
    }

    private static (HashSet<string> Tables, HashSet<string> Columns) Referenced(JsonElement node)
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                var cls = e.TryGetProperty("class", out var c) ? c.GetString() : null;
                var type = e.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.String ? ty.GetString() : null;
                if (type == "BASE_TABLE" && e.TryGetProperty("table_name", out var tn)) tables.Add(tn.GetString()!);
                if (cls == "COLUMN_REF" && e.TryGetProperty("column_names", out var cn))
                    foreach (var n in cn.EnumerateArray()) columns.Add(n.GetString()!);
                foreach (var p in e.EnumerateObject()) Walk(p.Value);
            }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var x in e.EnumerateArray()) Walk(x);
        }
        Walk(node);
        return (tables, columns);
    }
}
