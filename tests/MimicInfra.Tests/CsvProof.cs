using DuckDB.NET.Data;
using MimicInfra.Catalog;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// Checks one CSV file against a catalog table in DuckDB: header order, then every non-empty value through
/// the typed view's cast. Failures name the line, column and value.
/// </summary>
internal sealed class CsvProof : IDisposable
{
    private readonly DuckDBConnection _db = new("Data Source=:memory:");

    public CsvProof()
    {
        _db.Open();
        LocalLab.Execute(_db, "SET threads = 1");   // keeps file order, so line numbers in failures are real
    }

    public sealed record Result(long Rows, long Values, IReadOnlyList<string> Failures);

    public Result Check(string path, Table table)
    {
        var header = LocalLab.Query(_db, $"DESCRIBE SELECT * FROM read_csv({DuckDbSql.Literal(path)}, header = true, all_varchar = true)")
            .Rows.Select(r => ((string)r[0]!).ToLowerInvariant()).ToList();
        Assert.Equal(table.Columns.Select(c => c.Name), header);

        LocalLab.Execute(_db, $"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS line, * FROM {DuckDbSql.RawRelation(path, table)}");
        var counts = LocalLab.Query(_db, "SELECT count(*), " + string.Join(" + ", table.Columns.Select(c => $"count(NULLIF({TypedViewSql.Quote(c.Name)}, ''))")) + " FROM raw").Rows[0];
        var checks = table.Columns.Select(c =>
            $"SELECT line, {DuckDbSql.Literal(c.Name)} AS col, {TypedViewSql.Quote(c.Name)} AS value FROM raw " +
            $"WHERE NULLIF({TypedViewSql.Quote(c.Name)}, '') IS NOT NULL AND ({LossCondition(c)})");
        var failures = LocalLab.Query(_db, string.Join("\nUNION ALL\n", checks) + "\nORDER BY line, col LIMIT 20").Rows
            .Select(bad => $"line {bad[0]}, column {bad[1]} ({table.FindColumn((string)bad[1]!)!.Type}): value '{bad[2]}' does not convert without loss")
            .ToList();
        return new Result(Convert.ToInt64(counts[0]), Convert.ToInt64(counts[1] ?? 0L), failures);
    }

    public void Dispose() => _db.Dispose();

    /// <summary>True for a value that would fail, turn NULL, be rounded or be cut by the typed view.</summary>
    private static string LossCondition(Column c)
    {
        var x = TypedViewSql.Quote(c.Name);
        if (c.Type.IsString)
            return c.Type.Kind == TypeKind.Text ? "false" : $"length({x}) > {c.Type.Length}";
        return $"NOT regexp_full_match({x}, {DuckDbSql.Literal(TypedViewSql.LosslessTextPattern(c.Type)!)}) " +
               $"OR TRY_{TypedViewSql.CastExpression(c, Dialect.DuckDb)} IS NULL";
    }
}
