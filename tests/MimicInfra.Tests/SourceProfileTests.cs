using System.Text.Json;
using MimicInfra.Lab;
using MimicInfra.Sources;

namespace MimicInfra.Tests;

public class SourceProfileTests
{
    /// <summary>
    /// The profile plus the catalog give exactly the physical types PhysioNet declares over its own Parquet
    /// copies (../shared/reference/mimic-parquet-physical-types.json), for every column of every table.
    /// </summary>
    [Theory]
    [InlineData("mimic-iv-parquet", "mimic-iv-2.2")]
    [InlineData("mimic-iii-parquet", "mimic-iii-1.4")]
    public void PhysioNetsParquetTypesAreReproducedColumnByColumn(string key, string releaseId)
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Shared.Require(Path.Combine("reference", "mimic-parquet-physical-types.json")))).RootElement.GetProperty(key);
        var release = Labs.Catalog.Find(releaseId)!;
        var copy = SourceProfiles.ParquetCopyOf(release)!;
        var tables = reference.TryGetProperty("modules", out var modules)
            ? modules.EnumerateObject().Where(m => copy.Modules.Contains(m.Name)).SelectMany(m => m.Value.EnumerateObject().Select(t => (Module: m.Name, Table: t.Name, Columns: t.Value)))
            : reference.GetProperty("tables").EnumerateObject().Select(t => (Module: release.Modules.First(m => m.FindTable(t.Name) is not null).Name, Table: t.Name, Columns: t.Value.GetProperty("columns")));
        var checkedColumns = 0;
        foreach (var (moduleName, tableName, columns) in tables)
        {
            var module = release.FindModule(moduleName)!;
            var table = module.FindTable(tableName)!;
            var expected = columns.EnumerateArray().Select(c => $"{c[0].GetString()} {c[1].GetString()}").ToList();
            Assert.Equal(expected, table.Columns.Select(c => $"{c.Name} {copy.TypeOf(module, table, c)}").ToList());
            checkedColumns += expected.Count;
            if (!reference.TryGetProperty("modules", out _))
                Assert.Equal(table.Name.ToUpperInvariant() + "/", copy.TableFolderOf(table));   // MIMIC-III: upper-case folders
        }
        Assert.True(checkedColumns > 300, $"{checkedColumns} columns checked");
    }

    [Fact]
    public void ALabOnPhysioNetsParquetCastsOnlyWhereThePhysicalTypeDiffers()
    {
        var lab = LabSettingsReader.Read(Labs.Config("p", [.. Labs.Basics, ("release", "mimic-iv-2.2"), ("modules", "[\"hosp\"]"), ("sourceLayout", "physionet-parquet")]), Labs.Catalog);
        var labevents = Import.ImportPlan.For(lab).Tables.Single(t => t.Table.Name == "labevents");
        Assert.Equal("s3://mimiciv-physionet/parquet/hosp/labevents/", labevents.Source.Folder.Uri);
        Assert.Null(labevents.Source.File);
        Assert.Contains("  CAST(\"valuenum\" AS double) AS \"valuenum\",", labevents.Unload);   // float in PhysioNet's copy
        Assert.Contains("  \"subject_id\" AS \"subject_id\",", labevents.Unload);                // int in both: read as it is
        Assert.Contains("  \"comments\" AS \"comments\"", labevents.Unload);                      // typed source: a string stays as it is, '' included
        Assert.DoesNotContain("NULLIF", labevents.Unload);
        Assert.Equal("float", labevents.Source.PhysicalTypeOf(labevents.Table.FindColumn("valuenum")!));
    }

    [Theory]
    [InlineData("s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/", true, "mimiciv/3.1/")]
    [InlineData("s3://physionet-open/mimic-iv-demo/2.2/", false, "mimic-iv-demo/2.2/")]
    [InlineData("s3://mimiciv-ap-123456789012-s3alias/3.1/", false, "3.1/")]
    [InlineData("s3://bucket/", false, "")]
    public void SourcesParseInBothFormsPhysioNetShows(string uri, bool accessPoint, string prefix)
    {
        var s = S3Source.TryParse(uri, out var why)!;
        Assert.True(s is not null, why);
        Assert.Equal(accessPoint, s.IsAccessPoint);
        Assert.Equal(prefix, s.Prefix);
        Assert.Equal(uri, s.Uri);
        Assert.Equal(accessPoint ? $"arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/{prefix}*" : $"arn:p:s3:::{s.Bucket}/{prefix}*", s.ObjectsArn("p"));
    }

    [Theory]
    [InlineData("s3://bucket/a*b/")]
    [InlineData("s3://bucket/${x}/")]
    [InlineData("s3://bucket/no-slash")]
    [InlineData("s3://arn:aws:s3:us-east-1:724665945834:accesspoint/Upper/x/")]
    [InlineData("https://bucket/x/")]
    public void SourcesWithWildcardsOrInterpolationAreRefused(string uri) => Assert.Null(S3Source.TryParse(uri, out _));
}
