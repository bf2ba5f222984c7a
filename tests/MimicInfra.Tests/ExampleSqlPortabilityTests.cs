using System.Text.Json;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// The example queries run unchanged on Athena (Trino), BigQuery and DuckDB: they call only functions the three
/// share under the same name and meaning (count, avg, round, EXTRACT), group by expressions rather than select
/// aliases (Trino cannot), and use none of one engine's own syntax. Read from DuckDB's parse of each query.
/// </summary>
public class ExampleSqlPortabilityTests
{
    // DuckDB's names for what the SQL spells count(*), count(x), avg, round and EXTRACT(field FROM x).
    private static readonly HashSet<string> SharedFunctions = ["count_star", "count", "avg", "round", "date_part", "min", "max", "sum"];

    public static TheoryData<string> Releases => [.. Labs.Catalog.Releases.Select(r => r.Id)];

    [Theory]
    [MemberData(nameof(Releases))]
    public void EveryExampleUsesOnlyWhatTrinoBigQueryAndDuckDbShare(string release)
    {
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        var examples = ExampleQueries.For(Labs.Catalog.Find(release)!.Modules);
        Assert.NotEmpty(examples);
        foreach (var q in examples)
        {
            var ast = JsonDocument.Parse((string)LocalLab.Query(db, $"SELECT json_serialize_sql({DuckDbSql.Literal(q.Sql)})").Rows[0][0]!).RootElement;
            Assert.False(ast.GetProperty("error").GetBoolean(), q.Sql);
            var functions = new List<string>();
            var groupAliases = new List<string>();
            Walk(ast, functions, groupAliases);
            Assert.All(functions, f => Assert.True(SharedFunctions.Contains(f), $"{q.Title}: {f} is not known to be the same on Athena, BigQuery and DuckDB"));
            Assert.Empty(groupAliases);
            if (functions.Contains("date_part")) Assert.Contains("EXTRACT(", q.Sql);   // date_part itself is not BigQuery's
            foreach (var duckOnly in new[] { "::", "\"", "ILIKE", "QUALIFY", " USING SAMPLE", "strftime", "epoch" })
                Assert.DoesNotContain(duckOnly, q.Sql, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("^[a-z_][a-z0-9_]*$", q.Name);
            Assert.NotNull(q.Figure);
        }
    }

    /// <summary>Function names, and GROUP BY items that name a select alias instead of repeating its expression.</summary>
    private static void Walk(JsonElement e, List<string> functions, List<string> groupAliases)
    {
        if (e.ValueKind == JsonValueKind.Array) { foreach (var x in e.EnumerateArray()) Walk(x, functions, groupAliases); return; }
        if (e.ValueKind != JsonValueKind.Object) return;
        if (e.TryGetProperty("class", out var c) && c.GetString() is "FUNCTION" or "AGGREGATE" && e.TryGetProperty("function_name", out var f))
            functions.Add(f.GetString()!);
        if (e.TryGetProperty("select_list", out var select) && e.TryGetProperty("group_expressions", out var groups))
        {
            var aliases = select.EnumerateArray().Select(s => s.TryGetProperty("alias", out var a) ? a.GetString() : null).OfType<string>().Where(a => a.Length > 0).ToHashSet();
            foreach (var g in groups.EnumerateArray())
                if (g.GetProperty("class").GetString() == "COLUMN_REF" && g.GetProperty("column_names").GetArrayLength() == 1
                    && aliases.Contains(g.GetProperty("column_names")[0].GetString()!)
                    && !select.EnumerateArray().Any(s => s.GetProperty("class").GetString() == "COLUMN_REF" && s.GetProperty("column_names").EnumerateArray().Last().GetString() == g.GetProperty("column_names")[0].GetString()))
                    groupAliases.Add(g.GetProperty("column_names")[0].GetString()!);
        }
        foreach (var p in e.EnumerateObject()) Walk(p.Value, functions, groupAliases);
    }
}
