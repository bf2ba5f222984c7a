using System.Text.Json;
using MimicInfra.Catalog;

namespace MimicInfra.Tests;

/// <summary>
/// The catalog against MIT-LCP mimic-code's BigQuery schema files (../shared/reference/mimic-code): table
/// set, column order, names, BigQuery type and nullability. Decisions on upstream quirks:
/// <list type="bullet">
/// <item>icu.procedureevents spells ORIGINALAMOUNT and ORIGINALRATE in upper case upstream (and in the demo
/// file header). BigQuery names are case-insensitive; the catalog uses lower case like every other column,
/// and this test allows the case difference for exactly those two columns.</item>
/// <item>note.discharge.hadm_id is NOT NULL in the postgres DDL but NULLABLE in BigQuery; the catalog follows
/// BigQuery (nullable), the engine GCP labs read, and the safe choice for a view that cannot enforce it.</item>
/// <item>MIMIC-III schemas use upper-case names, legacy types (INTEGER, FLOAT) and all-NULLABLE modes: names
/// compare case-insensitively there, and INTEGER/FLOAT are read as INT64/FLOAT64.</item>
/// </list>
/// </summary>
public class UpstreamSchemaTests(ITestOutputHelper output)
{
    private static readonly SchemaCatalog Catalog = CatalogLoader.LoadEmbedded();

    private static readonly HashSet<string> UpperCaseUpstream = ["procedureevents.originalamount", "procedureevents.originalrate"];

    private sealed record UpstreamColumn(string Name, string Type, string Mode);

    private static List<UpstreamColumn> ReadSchema(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(e => new UpstreamColumn(
            e.GetProperty("name").GetString()!, e.GetProperty("type").GetString()!, e.GetProperty("mode").GetString()!)).ToList();
    }

    private static string Normalise(string bigQueryType) => bigQueryType switch
    {
        "INTEGER" => "INT64",
        "FLOAT" => "FLOAT64",
        "BOOLEAN" => "BOOL",
        _ => bigQueryType,
    };

    public static TheoryData<string, string, string> Modules => new()
    {
        { "mimic-iv-2.2", "hosp", "mimic-iv/buildmimic/bigquery/schemas/hosp" },
        { "mimic-iv-2.2", "icu", "mimic-iv/buildmimic/bigquery/schemas/icu" },
        { "mimic-iv-3.1", "hosp", "mimic-iv/buildmimic/bigquery/schemas/hosp" },
        { "mimic-iv-3.1", "icu", "mimic-iv/buildmimic/bigquery/schemas/icu" },
        { "mimic-iv-ed-2.2", "ed", "mimic-iv-ed/buildmimic/bigquery/schemas/ed" },
        { "mimic-iv-note-2.2", "note", "mimic-iv-note/buildmimic/bigquery/schemas" },
        { "mimic-iii-1.4", "*", "mimic-iii/buildmimic/bigquery/schemas" },
    };

    [Theory]
    [MemberData(nameof(Modules))]
    public void CatalogMatchesUpstreamBigQuerySchemas(string releaseId, string moduleName, string folder)
    {
        var dir = Shared.Require(Path.Combine("reference", "mimic-code", folder));
        var release = Catalog.Find(releaseId)!;
        var tables = release.AllTables.Where(x => moduleName == "*" || x.Module.Name == moduleName).Select(x => x.Table).ToList();
        var legacy = moduleName == "*";

        var files = Directory.GetFiles(dir, "*.json")
            .ToDictionary(f => Path.GetFileName(f).Split('.')[0].ToLowerInvariant(), f => f);
        Assert.Equal(files.Keys.Order(), tables.Select(t => t.Name).Order());

        var differences = new List<string>();
        var columns = 0;
        foreach (var table in tables)
        {
            var upstream = ReadSchema(files[table.Name]);
            Assert.Equal(upstream.Count, table.Columns.Count);
            for (var i = 0; i < upstream.Count; i++)
            {
                var (u, c) = (upstream[i], table.Columns[i]);
                var key = $"{table.Name}.{c.Name}";
                columns++;
                var caseAllowed = legacy || UpperCaseUpstream.Contains(key);
                if (!(u.Name == c.Name || (caseAllowed && u.Name.Equals(c.Name, StringComparison.OrdinalIgnoreCase))))
                    differences.Add($"{key}: name upstream '{u.Name}'");
                if (Normalise(u.Type) != Dialects.TypeName(c.Type, Dialect.BigQuery))
                    differences.Add($"{key}: type upstream {u.Type}, catalog {c.Type} -> {Dialects.TypeName(c.Type, Dialect.BigQuery)}");
                if ((u.Mode == "REQUIRED") == c.Nullable)
                    differences.Add($"{key}: upstream {u.Mode}, catalog {(c.Nullable ? "nullable" : "required")}");
            }
        }
        output.WriteLine($"{releaseId} {moduleName}: {tables.Count} tables, {columns} columns compared, {differences.Count} differences");
        Assert.Empty(differences);
    }

    [Fact]
    public void DischargeHadmIdFollowsBigQueryNullability() =>
        Assert.True(Catalog.Find("mimic-iv-note-2.2")!.FindModule("note")!.FindTable("discharge")!.FindColumn("hadm_id")!.Nullable);

    [Theory]
    [InlineData("mimic-iv-demo-2.2", "mimic-iv-2.2")]
    [InlineData("mimic-iv-ed-demo-2.2", "mimic-iv-ed-2.2")]
    [InlineData("mimic-iii-demo-1.4", "mimic-iii-1.4")]
    public void DemoHasItsBaseSchema(string demo, string full)
    {
        var changes = CatalogDiff.Between(Catalog.Find(full)!, Catalog.Find(demo)!);
        // A demo has a subset of modules (MIMIC-IV demo: no ed, no note) but never a different column.
        Assert.All(changes, c => Assert.Equal(ChangeKind.TableRemoved, c.Kind));
    }
}
