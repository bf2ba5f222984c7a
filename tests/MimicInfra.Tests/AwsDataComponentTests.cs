using MimicInfra.Aws.Data;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The AWS data plane's components, each counted by what it adds to the program (the component it was added under), so a
/// change to one component moves only its own figure: the lab key, the two lab buckets, the Glue catalog, the workgroup, the import.
/// </summary>
public class AwsDataComponentTests
{
    private static int Tables(StackConfig config) => Convert.ToInt32(LabCompiler.Compile(config, Labs.Catalog).Outputs["tableCount"]);

    [Fact]
    public void TheDemoLabOwnsItsDataAndImportsIt()
    {
        var counts = ComponentCounts.Of(Labs.Demo);
        var tables = Tables(Labs.Demo);
        Assert.Equal(31, tables);
        Assert.Equal(2, counts[nameof(LabKey)]);                        // key, alias
        Assert.Equal(6, counts["ResultsBucket"]);                       // bucket, public access block, ownership, encryption, policy, lifecycle
        Assert.Equal(7, counts["DataBucket"]);                          // the same and versioning
        Assert.Equal(1 + tables, counts[nameof(GlueCatalog)]);          // the lab database, one typed table per table
        Assert.Equal(1, counts[nameof(LabWorkgroup)]);
        Assert.Equal(1 + tables + 1 + 1, counts[nameof(LabImport)]);    // import database, one raw table per table, import workgroup, script
    }

    [Fact]
    public void ALabReadingItsSourceInPlaceHasNoDataBucketAndNoImport()
    {
        var config = Labs.Full31(("sourceInPlace", "true"));
        var counts = ComponentCounts.Of(config);
        Assert.Equal(1 + Tables(config), counts[nameof(GlueCatalog)]);
        Assert.Equal(6, counts["ResultsBucket"]);
        Assert.False(counts.ContainsKey("DataBucket"));
        Assert.False(counts.ContainsKey(nameof(LabImport)));
    }

    [Fact]
    public void AnSseS3LabHasNoKeyAndItsBucketsAndWorkgroupNameNone()
    {
        var config = Labs.Full31(("resultsEncryption", "s3"));
        Assert.False(ComponentCounts.Of(config).ContainsKey(nameof(LabKey)));
        var p = new ParsedProgram(Labs.Compile(config));
        Assert.DoesNotContain("${labKey", Labs.Compile(config), StringComparison.Ordinal);
        Assert.Equal("AES256", ((Dictionary<object, object>)((Dictionary<object, object>)((List<object>)p.Named("resultsEncryption")["rules"])[0])["applyServerSideEncryptionByDefault"])["sseAlgorithm"]);
    }

    [Fact]
    public void ADerivedLabAddsItsDatabaseToTheCatalog()
    {
        var config = Labs.Csv31(("modules", "[\"hosp\",\"icu\",\"ed\",\"derived\"]"), ("derivedSourceUri", "s3://my-concepts/mimiciv/3.1/derived/"));
        var program = LabCompiler.Compile(config, Labs.Catalog);
        var catalog = program.Resources.Where(r => r.Component == nameof(GlueCatalog)).ToList();
        Assert.Equal(["labDatabase", "derivedDatabase"], catalog.Where(r => r.Type == "aws:glue/catalogDatabase:CatalogDatabase").Select(r => r.Name));
        Assert.Equal(Convert.ToInt32(program.Outputs["tableCount"]), catalog.Count(r => r.Type == "aws:glue/catalogTable:CatalogTable"));
    }
}
