using System.Text.Json;
using MimicInfra.Catalog;
using MimicInfra.Sources;

namespace MimicInfra.Tests;

/// <summary>The catalog's derived concept modules: their loader rules, and the shipped module against the reference.</summary>
public class DerivedCatalogTests(ITestOutputHelper output)
{
    private const string WithConcepts = """
        release: base-1.0
        title: Base 1.0
        access: credentialed
        files: "{table}.csv.gz"
        modules:
          - name: icu
            schema: mimiciv_icu
            tables:
              - name: icustays
                columns:
                  - {name: stay_id, type: integer}
          - name: derived
            schema: mimiciv_derived
            concepts: {repository: MIT-LCP/mimic-code, sql: mimic-iv/concepts, duckdb: mimic-iv/concepts_duckdb}
            tables:
              - name: first
                concept: {file: demographics/first.sql, reads: [mimiciv_icu.icustays]}
                columns:
                  - {name: stay_id, type: integer}
              - name: later
                concept: {file: score/later.sql, needs: [first]}
                columns:
                  - {name: stay_id, type: integer}
              - name: icustays
                concept: {file: demographics/icustays.sql, needs: [first]}
                columns:
                  - {name: stay_id, type: integer}
        """;

    private static string ErrorOf(string yaml) =>
        Assert.Throws<CatalogException>(() => CatalogLoader.Load([("schemas/f0.yaml", yaml)])).Message;

    [Fact]
    public void ConceptModuleLoadsWithItsOrderInputsAndParquetFolders()
    {
        var release = CatalogLoader.Load([("schemas/f0.yaml", WithConcepts)]).Find("base-1.0")!;
        var derived = release.FindModule("derived")!;
        Assert.True(derived.IsDerived);
        Assert.False(release.FindModule("icu")!.IsDerived);
        var later = derived.FindTable("later")!.Concept!;
        Assert.Equal(("score/later.sql", "first", 0, false), (later.File, string.Join(",", later.Needs), later.Reads.Count, later.InferredTypes));
        // A derived table may share a source table's name: it lives in its own schema.
        Assert.NotNull(derived.FindTable("icustays"));
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "file not named after table", WithConcepts.Replace("file: score/later.sql", "file: score/other.sql"),
          "schemas/f0.yaml, release base-1.0, table derived.later: 'concept.file: score/other.sql' must be <group>/later.sql" },
        { "file outside a group", WithConcepts.Replace("file: score/later.sql", "file: later.sql"), "table derived.later: 'concept.file: later.sql' must be <group>/later.sql" },
        { "needs a later concept", WithConcepts.Replace("needs: [first]}\n        columns:\n          - {name: stay_id, type: integer}\n      - name: icustays", "needs: [icustays]}\n        columns:\n          - {name: stay_id, type: integer}\n      - name: icustays"),
          "table derived.later: concept needs 'icustays', which is not listed before it in this module; list every concept after the concepts it needs" },
        { "needs itself", WithConcepts.Replace("needs: [first]}\n        columns:\n          - {name: stay_id, type: integer}\n      - name: icustays", "needs: [later]}\n        columns:\n          - {name: stay_id, type: integer}\n      - name: icustays"),
          "table derived.later: concept needs 'later', which is not listed before it" },
        { "reads an unknown table", WithConcepts.Replace("reads: [mimiciv_icu.icustays]", "reads: [mimiciv_icu.chartevents]"),
          "table derived.first: concept reads 'mimiciv_icu.chartevents', which no module of this release has (schemas: mimiciv_icu)" },
        { "reads by module name", WithConcepts.Replace("reads: [mimiciv_icu.icustays]", "reads: [icu.icustays]"), "concept reads 'icu.icustays', which no module of this release has" },
        { "reads without schema", WithConcepts.Replace("reads: [mimiciv_icu.icustays]", "reads: [icustays]"), "table derived.first: concept reads 'icustays'; write a source table as schema.table" },
        { "table without concept", WithConcepts.Replace("        concept: {file: score/later.sql, needs: [first]}\n", ""),
          "table derived.later: every table of derived module derived needs 'concept: {file: <group>/later.sql" },
        { "concept outside a derived module", WithConcepts.Replace("                  - {name: stay_id, type: integer}\n          - name: derived", "                  - {name: stay_id, type: integer}\n                concept: {file: a/icustays.sql}\n          - name: derived")
            .Replace("      - name: icustays\n        columns:\n          - {name: stay_id, type: integer}\n  - name: derived", "      - name: icustays\n        concept: {file: a/icustays.sql}\n        columns:\n          - {name: stay_id, type: integer}\n  - name: derived"),
          "table icu.icustays: table has 'concept:' but module icu has no 'concepts:'" },
        { "bad repository", WithConcepts.Replace("repository: MIT-LCP/mimic-code", "repository: mimic-code"), "module derived: 'concepts.repository: mimic-code' must be a GitHub owner/name" },
        { "missing duckdb folder", WithConcepts.Replace(", duckdb: mimic-iv/concepts_duckdb", ""), "module derived: 'concepts.duckdb: ' must be a folder inside the repository" },
        { "unknown concept key", WithConcepts.Replace("needs: [first]}", "need: [first]}"), "schemas/f0.yaml: line" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenConceptModuleIsRejectedWithItsLocation(string what, string yaml, string expected)
    {
        Assert.NotEmpty(what);
        Assert.Contains(expected, ErrorOf(yaml));
    }

    [Fact]
    public void BigQueryLocationsAreNotInheritedButConceptsAre()
    {
        var catalog = Labs.Catalog;
        var v22 = catalog.Find("mimic-iv-2.2")!.FindModule("derived")!;
        var v31 = catalog.Find("mimic-iv-3.1")!.FindModule("derived")!;
        var demo = catalog.Find("mimic-iv-demo-2.2")!.FindModule("derived")!;
        Assert.Null(v22.BigQueryDataset);
        Assert.Contains("MIT-LCP/mimic-code#1958", v22.BigQueryNote);
        Assert.Equal(("mimiciv_3_1_derived", (string?)null), (v31.BigQueryDataset, v31.BigQueryNote));
        Assert.Equal(((string?)null, (string?)null), (demo.BigQueryDataset, demo.BigQueryNote));
        Assert.All(new[] { v22, v31, demo }, m => Assert.Equal(("mimiciv_derived", "mimic-iv/concepts_duckdb", 65), (m.Schema, m.Concepts!.DuckDbFolder, m.Tables.Count)));
        Assert.Equal(v22.Tables, v31.Tables);
    }

    [Fact]
    public void CatalogCommandsShowDerivedTablesLikeAnyOther()
    {
        var (code, text, _) = Cli.Run(["catalog", "show", "mimic-iv-3.1", "--module", "derived", "--table", "kdigo_stages"]);
        Assert.Equal(0, code);
        Assert.Contains("module derived: 65 tables, schema mimiciv_derived, built by MIT-LCP/mimic-code concept SQL (mimic-iv/concepts; DuckDB mimic-iv/concepts_duckdb), BigQuery physionet-data.mimiciv_3_1_derived", text);
        Assert.Contains("kdigo_stages (15 columns) from organfailure/kdigo_stages.sql, needs crrt kdigo_creatinine kdigo_uo, reads mimiciv_icu.icustays, types inferred from the SQL", text);
        Assert.Contains("uo_rt_6hr            decimal(28,6)", text);

        (code, text, _) = Cli.Run(["catalog", "show", "mimic-iv-2.2", "--module", "derived", "--json"]);
        Assert.Equal(0, code);
        var module = JsonDocument.Parse(text).RootElement.GetProperty("modules")[0];
        Assert.Equal("mimiciv_derived", module.GetProperty("schema").GetString());
        Assert.False(module.TryGetProperty("bigquery", out _));
        Assert.Contains("mimiciv_2_2_derived lacks", module.GetProperty("bigqueryNote").GetString());
        var sofa = module.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "sofa");
        Assert.Equal("score/sofa.sql", sofa.GetProperty("concept").GetProperty("file").GetString());
        Assert.Equal(13, sofa.GetProperty("concept").GetProperty("needs").GetArrayLength());

        // A source module's JSON is as before: no concept keys.
        (code, text, _) = Cli.Run(["catalog", "show", "mimic-iv-3.1", "--module", "hosp", "--table", "patients", "--json"]);
        var hosp = JsonDocument.Parse(text).RootElement.GetProperty("modules")[0];
        Assert.False(hosp.TryGetProperty("concepts", out _));
        Assert.False(hosp.GetProperty("tables")[0].TryGetProperty("concept", out _));

        (code, text, _) = Cli.Run(["catalog", "diff", "mimic-iv-ed-2.2", "mimic-iv-3.1"]);
        Assert.Equal(0, code);
        Assert.Contains("+ table  derived.first_day_sofa", text);
        Assert.Contains("+ table  derived.vitalsign", text);
    }

    /// <summary>
    /// The shipped derived module equals the reference (mimic-code's concept files, their dependencies, the datathon
    /// template's columns and types, and PhysioNet's Parquet folders), table by table, in build order.
    /// </summary>
    [Fact]
    public void DerivedModuleMatchesTheReferenceTables()
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Shared.Require(Path.Combine("reference", "mimic-iv-derived-tables.json")))).RootElement;
        // The reference spells types as Glue does; the catalog as its own logical types.
        var types = new Dictionary<string, string> { ["int"] = "integer", ["string"] = "text" };
        var order = reference.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToList();
        foreach (var id in new[] { "mimic-iv-2.2", "mimic-iv-3.1", "mimic-iv-demo-2.2" })
        {
            var derived = Labs.Catalog.Find(id)!.FindModule("derived")!;
            Assert.Equal(order, derived.Tables.Select(t => t.Name));
            foreach (var r in reference.GetProperty("tables").EnumerateArray())
            {
                var name = r.GetProperty("name").GetString()!;
                var t = derived.FindTable(name)!;
                Assert.Equal(r.GetProperty("source").GetString(), $"MIT-LCP/mimic-code {derived.Concepts!.SqlFolder}/{t.Concept!.File}");
                Assert.Equal(r.GetProperty("duckdb_source").GetString(), $"{derived.Concepts.DuckDbFolder}/{t.Concept.File}");
                Assert.Equal(Strings(r.GetProperty("depends_on")), t.Concept.Needs);
                Assert.Equal(Strings(r.GetProperty("reads_source_tables")), t.Concept.Reads);
                Assert.Equal(r.GetProperty("types_from").GetString() == "inferred", t.Concept.InferredTypes);
                Assert.Equal(
                    r.GetProperty("columns").EnumerateArray().Select(c => (c[0].GetString()!, types.GetValueOrDefault(c[1].GetString()!, c[1].GetString()!))),
                    t.Columns.Select(c => (c.Name, c.Type.ToString())));
                Assert.All(t.Columns, c => Assert.True(c.Nullable));
                // PhysioNet's Parquet copy (source profile) has the table exactly where the template says.
                var location = r.GetProperty("datathon_location");
                if (id == "mimic-iv-2.2")
                {
                    var copy = SourceProfiles.ParquetCopyOf(Labs.Catalog.Find(id)!)!;
                    Assert.Equal(location.ValueKind == JsonValueKind.Null ? null : location.GetString(),
                        copy.Has(derived, t) ? copy.Location.Child(copy.ModuleFolderOf(derived)).Child(copy.TableFolderOf(t)).Uri : null);
                    // and the physical types the import reads it with are the template's Glue types.
                    Assert.Equal(r.GetProperty("columns").EnumerateArray().Select(c => c[1].GetString()!), t.Columns.Select(c => copy.TypeOf(derived, t, c)));
                }
            }
        }
        output.WriteLine($"{order.Count} derived tables, {Labs.Catalog.Find("mimic-iv-3.1")!.FindModule("derived")!.Tables.Sum(t => t.Columns.Count)} columns match the reference");
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
