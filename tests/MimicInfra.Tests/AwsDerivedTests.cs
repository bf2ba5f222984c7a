using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>Derived concept tables on AWS: typed tables in a database of their own, filled by the same import.</summary>
public class AwsDerivedTests
{
    private static StackConfig PhysioNetParquet22() =>
        Labs.Config("d", [.. Labs.Basics, ("release", "mimic-iv-2.2"), ("modules", "[\"hosp\",\"icu\",\"derived\"]"), ("sourceLayout", "physionet-parquet")]);

    [Fact]
    public void PhysioNetsDerivedParquetBecomesTypedTablesInTheDerivedDatabase()
    {
        var lab = LabSettingsReader.Read(PhysioNetParquet22(), Labs.Catalog);
        var text = Program.ProgramYaml.Write(LabCompiler.Compile(lab));
        var program = new ParsedProgram(text);
        var derivedTables = program.OfType("aws:glue/catalogTable:CatalogTable").Where(t => (string)t.Props["databaseName"] == "${derivedDatabase.name}").ToList();
        Assert.Equal(59, derivedTables.Count);   // the 65 concepts less the six PhysioNet does not publish
        var sofa = derivedTables.Single(t => (string)t.Props["name"] == "first_day_sofa").Props;
        Assert.Equal("s3://${dataBucket.bucket}/tables/derived/first_day_sofa/", sofa.At("storageDescriptor", "location"));
        // Derived names repeat other modules' (vitalsign): the import database qualifies every raw table by module.
        Assert.Contains(program.OfType("aws:glue/catalogTable:CatalogTable"), t => (string)t.Props["name"] == "derived_first_day_sofa" && (string)t.Props["databaseName"] == "${importDatabase.name}");
        Assert.Equal("${derivedDatabase.name}", program.Outputs["derivedDatabase"]);
        Assert.Equal(31L + 59L, Convert.ToInt64(program.Outputs["tableCount"]));   // hosp and icu; the derived concepts PhysioNet publishes
        // The notebook may read the derived database, and its example runs the SOFA query there.
        var catalog = Workspace.Statements(program).Single(s => (string)s["Sid"] == "ReadTheLabCatalog")["Resource"].List().Cast<string>();
        Assert.Contains(catalog, r => r.EndsWith($":database/{lab.Names.DerivedDatabase}", StringComparison.Ordinal));
        var notebook = Workspace.Notebook(program);
        Assert.Contains("FROM first_day_sofa", notebook);
        Assert.Contains("\\\"\\\"\\\", database=DERIVED_DATABASE)", notebook);
        Assert.Empty(LabRules.Check(text, lab));
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(text).Problems);
    }

    [Fact]
    public void DerivedTablesComeFromYourOwnParquetOrAreLeftOffAws()
    {
        var own = new ParsedProgram(Labs.Compile(Labs.Full31(("modules", "[\"hosp\",\"icu\",\"derived\"]"))));
        Assert.Equal(65, own.OfType("aws:glue/catalogTable:CatalogTable").Count(t => (string)t.Props["databaseName"] == "${derivedDatabase.name}"));
        var csv = new ParsedProgram(Labs.Compile(Labs.Csv31(("modules", "[\"hosp\",\"icu\",\"ed\",\"derived\"]"))));
        Assert.DoesNotContain(csv.Resources, r => r.Name == "derivedDatabase");
        var uploaded = new ParsedProgram(Labs.Compile(Labs.Csv31(("modules", "[\"hosp\",\"icu\",\"ed\",\"derived\"]"), ("derivedSourceUri", "s3://my-concepts/mimiciv/3.1/derived/"))));
        Assert.Contains(uploaded.Resources, r => r.Name == "derivedDatabase");
        var read = uploaded.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement", 0);
        Assert.Equal("ReadTheSource", read.At("Sid"));
        Assert.Contains("arn:${awsPartition.partition}:s3:::my-concepts/mimiciv/3.1/derived/first_day_sofa/*", read.At("Resource").List().Cast<string>());
    }

    [Fact]
    public void ADerivedSourceWithoutTheDerivedModuleIsRefused()
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Csv31(("derivedSourceUri", "s3://my-concepts/derived/")), Labs.Catalog));
        Assert.Contains("mimic-infra:derivedSourceUri: this lab has no derived module", e.Message);
    }
}
