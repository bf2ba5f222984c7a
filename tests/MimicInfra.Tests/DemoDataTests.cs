using DuckDB.NET.Data;
using MimicInfra.Catalog;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// Every real file of the open demos under ../shared/data against the catalog: the header is the catalog's
/// column order, and every non-empty value converts to its declared type with the cast the typed views use
/// (CAST(NULLIF(x, '') AS t)), without loss: no NULL from a failed cast, no rounding, no cut string.
/// </summary>
public class DemoDataTests(ITestOutputHelper output)
{
    private static readonly SchemaCatalog Catalog = CatalogLoader.LoadEmbedded();

    // Files of the releases that are not in ../shared/data; its README says why for each.
    private static readonly HashSet<string> DocumentedMissing =
        ["mimic-iv-demo-2.2/icu/chartevents.csv.gz", "mimic-iii-demo-1.4/CHARTEVENTS.csv", "mimic-iii-demo-1.4/LABEVENTS.csv"];

    // Files of the demos that are not tables: the list of demo subjects cut from MIMIC-IV.
    private static readonly HashSet<string> NotTables = ["mimic-iv-demo-2.2/demo_subject_id.csv"];

    public static TheoryData<string> Folders => new() { "mimic-iv-demo-2.2", "mimic-iv-ed-demo-2.2", "mimic-iii-demo-1.4" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryFileAndValueOfTheDemoParsesUnderTheCatalog(string folder)
    {
        var root = Shared.Require(Path.Combine("data", folder));
        var release = Catalog.Find(folder)!;

        // Derived tables are computed from these files, never shipped with them.
        var expected = release.AllTables.Where(x => !x.Module.IsDerived).ToDictionary(x => x.Module.FileOf(x.Table), x => x.Table);
        var present = Directory.GetFiles(root, "*.csv*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !NotTables.Contains($"{folder}/{f}"))
            .Order(StringComparer.Ordinal).ToList();
        var unknown = present.Where(f => !expected.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"files the catalog does not know: {string.Join(", ", unknown)}");
        var missing = expected.Keys.Where(f => !present.Contains(f) && !DocumentedMissing.Contains($"{folder}/{f}")).ToList();
        Assert.True(missing.Count == 0, $"catalog tables with no file and no documented reason: {string.Join(", ", missing)}");

        using var proof = new CsvProof();
        long rows = 0, values = 0;
        var failures = new List<string>();
        foreach (var file in present)
        {
            var result = proof.Check(Path.Combine(root, file), expected[file]);
            rows += result.Rows;
            values += result.Values;
            failures.AddRange(result.Failures.Select(f => $"{folder}/{file} {f}"));
        }
        output.WriteLine($"{folder}: {present.Count} files, {rows:N0} rows, {values:N0} non-empty values checked, {failures.Count} failures");
        Assert.Empty(failures);
    }
}

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

public class CsvProofTests
{
    [Fact]
    public void LossyValuesAreFoundAndNamed()
    {
        var table = new Table("t", null,
        [
            new Column("id", ColumnType.Integer, false, null),
            new Column("temp", ColumnType.Decimal(10, 4), true, null),
            new Column("day", ColumnType.Date, true, null),
            new Column("code", ColumnType.Varchar(3), true, null),
            new Column("at", ColumnType.Timestamp, true, null),
        ]);
        var path = Path.Combine(Path.GetTempPath(), $"proof-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "id,temp,day,code,at\n1,98.6,2150-01-02,abc,2150-01-02 03:04:05\n1.5,98.12345,yesterday,abcd,\n99999999999,,,,2150-13-02 00:00:00\n");
        try
        {
            using var proof = new CsvProof();
            var result = proof.Check(path, table);
            Assert.Equal(3, result.Rows);
            Assert.Equal(
            [
                "line 3, column code (varchar(3)): value 'abcd' does not convert without loss",
                "line 3, column day (date): value 'yesterday' does not convert without loss",
                "line 3, column id (integer): value '1.5' does not convert without loss",
                "line 3, column temp (decimal(10,4)): value '98.12345' does not convert without loss",
                "line 4, column at (timestamp): value '2150-13-02 00:00:00' does not convert without loss",
                "line 4, column id (integer): value '99999999999' does not convert without loss",
            ], result.Failures);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
