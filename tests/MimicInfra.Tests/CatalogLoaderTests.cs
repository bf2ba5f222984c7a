using MimicInfra.Catalog;

namespace MimicInfra.Tests;

public class CatalogLoaderTests
{
    private const string Good = """
        release: base-1.0
        title: Base 1.0
        access: credentialed
        files: "{table}.csv.gz"
        modules:
          - name: hosp
            bigquery: base_hosp
            tables:
              - name: patients
                columns:
                  - {name: subject_id, type: integer, required: true}
                  - {name: dod, type: date}
        """;

    private static SchemaCatalog Load(params string[] texts) =>
        CatalogLoader.Load(texts.Select((t, i) => ($"schemas/f{i}.yaml", t)));

    private static string ErrorOf(params string[] texts) =>
        Assert.Throws<CatalogException>(() => Load(texts)).Message;

    [Fact]
    public void ShippedCatalogLoadsEveryRelease()
    {
        var catalog = CatalogLoader.LoadEmbedded();
        var counts = catalog.Releases.ToDictionary(r => r.Id, r => string.Join(" ", r.Modules.Select(m => $"{m.Name}:{m.Tables.Count}")));
        Assert.Equal(new Dictionary<string, string>
        {
            ["mimic-iii-1.4"] = "clinical:25 notes:1",
            ["mimic-iii-demo-1.4"] = "clinical:25 notes:1",
            ["mimic-iv-2.2"] = "hosp:22 icu:9 ed:6 note:4 derived:65",
            ["mimic-iv-3.1"] = "hosp:22 icu:9 ed:6 note:4 derived:65",
            ["mimic-iv-demo-2.2"] = "hosp:22 icu:9 derived:65",
            ["mimic-iv-ed-2.2"] = "ed:6",
            ["mimic-iv-ed-demo-2.2"] = "ed:6",
            ["mimic-iv-note-2.2"] = "note:4",
        }, counts);
    }

    [Fact]
    public void RepositoryFolderAndEmbeddedCopyAreTheSameCatalog()
    {
        var fromDisk = CatalogLoader.LoadDirectory(Path.Combine(Shared.RepoRoot, "schemas"));
        var embedded = CatalogLoader.LoadEmbedded();
        Assert.Equal(embedded.ReleaseIds, fromDisk.ReleaseIds);
        foreach (var r in embedded.Releases)
            Assert.Empty(CatalogDiff.Between(r, fromDisk.Find(r.Id)!));
    }

    [Fact]
    public void DerivedReleaseInheritsTablesButNotLocations()
    {
        var c = CatalogLoader.LoadEmbedded();
        var demo = c.Find("mimic-iv-demo-2.2")!;
        Assert.All(demo.Modules, m => Assert.Null(m.BigQueryDataset));
        Assert.Equal("s3://physionet-open/mimic-iv-demo/2.2/", demo.OpenS3!.Uri);
        Assert.Equal("hosp/admissions.csv.gz", demo.FindModule("hosp")!.FileOf(demo.FindModule("hosp")!.FindTable("admissions")!));
        var v31 = c.Find("mimic-iv-3.1")!;
        Assert.Equal("mimiciv_3_1_hosp", v31.FindModule("hosp")!.BigQueryDataset);
        Assert.Equal("mimic-iv-ed-2.2", v31.FindModule("ed")!.DefinedIn);
        Assert.Equal(ColumnType.Varchar(25), v31.FindModule("hosp")!.FindTable("admissions")!.FindColumn("language")!.Type);
        Assert.Equal(ColumnType.Varchar(10), c.Find("mimic-iv-2.2")!.FindModule("hosp")!.FindTable("admissions")!.FindColumn("language")!.Type);
        var m3demo = c.Find("mimic-iii-demo-1.4")!.FindModule("clinical")!;
        Assert.Equal("PATIENTS.csv", m3demo.FileOf(m3demo.FindTable("patients")!));
    }

    [Fact]
    public void NoBigQueryDatasetUsesTheVPrefixTrap()
    {
        foreach (var m in CatalogLoader.LoadEmbedded().Releases.SelectMany(r => r.Modules))
            Assert.DoesNotMatch(@"^mimiciv_v\d", m.BigQueryDataset ?? "");
    }

    [Fact]
    public void GoodSnippetLoads() => Assert.Equal(2, Load(Good).Releases[0].Modules[0].Tables[0].Columns.Count);

    public static TheoryData<string, string, string> Broken => new()
    {
        { "unknown type", Good.Replace("type: date", "type: datetime"), "schemas/f0.yaml, release base-1.0, table hosp.patients, column dod: unknown type 'datetime'; use one of: smallint" },
        { "duplicate column", Good.Replace("{name: dod, type: date}", "{name: subject_id, type: date}"), "table hosp.patients, column subject_id: duplicate column" },
        { "duplicate table", Good + "\n      - name: patients\n        columns: [{name: a, type: text}]", "table hosp.patients: duplicate table" },
        { "bad column identifier", Good.Replace("name: dod", "name: Dod-2"), "column Dod-2: column name 'Dod-2' must be a lower-case identifier" },
        { "bad table identifier", Good.Replace("name: patients", "name: 1patients"), "table name '1patients' must be a lower-case identifier" },
        { "empty module", Good[..Good.IndexOf("    tables:", StringComparison.Ordinal)] + "    tables: []", "module hosp is empty; list at least one table" },
        { "duplicate key", Good.Replace("title: Base 1.0", "title: Base 1.0\ntitle: Base 1.1"), "schemas/f0.yaml: line 3, column 1: duplicate key 'title' (first at line 2, column 1)" },
        { "list where a map belongs", Good + "\nchanges:\n  - [hosp.patients]", "schemas/f0.yaml: line 14, column 5: a change must be a map with the keys table, column, type" },
        { "map where text belongs", Good.Replace("title: Base 1.0", "title: {a: b}"), "schemas/f0.yaml: line 2, column 8: 'title' must be a single value" },
        { "flag not a boolean", Good.Replace("required: true", "required: yes"), "'required' must be true or false" },
        { "unknown column key", Good.Replace("type: date}", "type: date, nulable: true}"), "line 12, column 37: unknown key 'nulable' in a column; its keys are name, type, required, description" },
        { "module without tables", Good[..Good.IndexOf("    tables:", StringComparison.Ordinal)], "module hosp has no tables; list them under 'tables:'" },
        { "no modules", Good[..Good.IndexOf("modules:", StringComparison.Ordinal)] + "modules: []", "'modules:' is empty" },
        { "unknown base", Good.Replace("title: Base 1.0", "title: Base 1.0\nbase: nope-9"), "'base: nope-9' names no release; known releases: base-1.0" },
        { "bad decimal", Good.Replace("type: date", "type: \"decimal(5,9)\""), "'decimal(5,9)' needs 1 <= precision <= 38 and scale <= precision" },
        { "unknown key", Good.Replace("access: credentialed", "acess: credentialed"), "schemas/f0.yaml: line 3, column 1:" },
        { "bad access", Good.Replace("access: credentialed", "access: public"), "'access: public' must be 'open' or 'credentialed'" },
        { "open without location", Good.Replace("access: credentialed", "access: open"), "an open release must say where it is published" },
        { "bad s3 uri", Good.Replace("access: credentialed", "access: open\ns3: {uri: \"https://x/\", region: us-east-1}"), "'s3.uri: https://x/' must be an s3:// folder ending in '/'" },
        { "bad file pattern", Good.Replace("\"{table}.csv.gz\"", "data.csv"), "'files:' must give the file name pattern" },
        { "missing release id", Good.Replace("release: base-1.0", ""), "schemas/f0.yaml: missing 'release:'" },
        { "bad release id", Good.Replace("release: base-1.0", "release: Base_1"), "the release id must be lower-case letters" },
        { "bad bigquery name", Good.Replace("bigquery: base_hosp", "bigquery: base-hosp"), "'bigquery: base-hosp' is not a BigQuery dataset name" },
        { "yaml syntax", Good.Replace("columns:", "columns: [oops"), "schemas/f0.yaml: line" },
        { "empty file", "", "schemas/f0.yaml: the file is empty" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenSnippetIsRejectedWithItsLocation(string what, string yaml, string expected)
    {
        Assert.NotEmpty(what);
        var error = ErrorOf(yaml);
        Assert.True(error.Contains(expected, StringComparison.Ordinal), error);
    }

    private const string Derived = """
        release: derived-2.0
        title: Derived 2.0
        base: base-1.0
        access: credentialed
        modules:
          - name: hosp
        changes:
          - {table: hosp.patients, column: dod, type: timestamp}
        """;

    [Fact]
    public void DerivedReleaseAppliesItsChanges()
    {
        var c = Load(Good, Derived);
        Assert.Equal([new SchemaChange(ChangeKind.ColumnRetyped, "hosp.patients", "dod", "date", "timestamp")],
            CatalogDiff.Between(c.Find("base-1.0")!, c.Find("derived-2.0")!));
        Assert.Null(c.Find("derived-2.0")!.Modules[0].BigQueryDataset);
    }

    [Theory]
    [InlineData("column: dod", "column: nope", "column nope: change names column 'nope', which the table does not have")]
    [InlineData("table: hosp.patients", "table: hosp.nope", "change names table 'hosp.nope', which this release does not have")]
    [InlineData("  - name: hosp\n", "  - name: icu\n", "module icu is neither in base release base-1.0 nor given tables here")]
    [InlineData("type: timestamp", "type: time", "unknown type 'time'")]
    public void BrokenDerivedReleaseIsRejected(string find, string replace, string expected) =>
        Assert.Contains(expected, ErrorOf(Good, Derived.Replace(find, replace)));

    [Fact]
    public void CyclesAndDuplicatesAreRejected()
    {
        Assert.Contains("refers back to itself", ErrorOf(Good.Replace("title: Base 1.0", "title: Base 1.0\nbase: base-1.0")));
        Assert.Contains("schemas/f1.yaml, release base-1.0: duplicate release; it is already defined in schemas/f0.yaml", ErrorOf(Good, Good));
        Assert.Contains("release hosp2-1.0, table hosp2.patients: table name is used by modules hosp and hosp2",
            ErrorOf(Good.Replace("base-1.0", "hosp2-1.0") + "\n  - name: hosp2\n    tables:\n      - name: patients\n        columns: [{name: a, type: text}]"));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnceAndNothingIsReturned()
    {
        var e = Assert.Throws<CatalogException>(() => Load(Good.Replace("type: date", "type: nope").Replace("name: subject_id", "name: Subject")));
        Assert.Equal(2, e.Problems.Count);
    }

    [Theory]
    [InlineData("varchar(40)", "string", "varchar", "STRING", "VARCHAR")]
    [InlineData("char(7)", "string", "varchar", "STRING", "VARCHAR")]
    [InlineData("integer", "int", "integer", "INT64", "INTEGER")]
    [InlineData("smallint", "smallint", "smallint", "INT64", "SMALLINT")]
    [InlineData("double", "double", "double", "FLOAT64", "DOUBLE")]
    [InlineData("decimal(10,4)", "decimal(10,4)", "decimal(10,4)", "NUMERIC", "DECIMAL(10,4)")]
    [InlineData("decimal(38,12)", "decimal(38,12)", "decimal(38,12)", "BIGNUMERIC", "DECIMAL(38,12)")]
    [InlineData("timestamp", "timestamp", "timestamp", "DATETIME", "TIMESTAMP")]
    [InlineData("date", "date", "date", "DATE", "DATE")]
    [InlineData("boolean", "boolean", "boolean", "BOOL", "BOOLEAN")]
    public void DialectMappingIsTableDriven(string logical, string glue, string athena, string bigQuery, string duckDb)
    {
        var t = ColumnType.Parse(logical);
        Assert.Equal(logical, t.ToString());
        Assert.Equal([glue, athena, bigQuery, duckDb],
            new[] { Dialect.Glue, Dialect.Athena, Dialect.BigQuery, Dialect.DuckDb }.Select(d => Dialects.TypeName(t, d)));
    }

    [Fact]
    public void TypedViewCastsEveryNonStringColumnAndTreatsEmptyTextAsNull()
    {
        var table = new Table("t", null, [new Column("a", ColumnType.Integer, false, null), new Column("b", ColumnType.Text, true, null)]);
        Assert.Equal("SELECT\n  CAST(NULLIF(\"a\", '') AS integer) AS \"a\",\n  NULLIF(\"b\", '') AS \"b\"\nFROM raw.t",
            TypedViewSql.ViewQuery(table, "raw.t", Dialect.Athena));
        Assert.Contains("CAST(NULLIF(\"a\", '') AS INTEGER)", TypedViewSql.ViewQuery(table, "raw.t", Dialect.DuckDb));
    }
}
