using MimicInfra.Lab;
using MimicInfra.Sources;

namespace MimicInfra.Tests;

/// <summary>
/// The source reader on its own: a stack's source settings in, each module's folder, the layout, in-place reading and the
/// derived tables' folder out, with every problem named by its key.
/// </summary>
public class SourceSettingsReaderTests
{
    private static (SourceSettings Sources, List<string> Problems) Read(string[] modules, string region, params (string, string)[] settings)
    {
        var release = Labs.Catalog.Find("mimic-iv-3.1")!;
        var c = new ConfigValues(Labs.Config("sources", settings));
        var withFiles = release.Modules.Where(m => !m.IsDerived && modules.Contains(m.Name)).ToList();
        var derived = release.Modules.FirstOrDefault(m => m.IsDerived && modules.Contains(m.Name));
        return (SourceSettingsReader.Read(c, release, withFiles, derived, region), c.Problems);
    }

    [Fact]
    public void YourOwnParquetCopyGivesEachModuleAndTheDerivedTablesAFolderUnderSourceUri()
    {
        var (sources, problems) = Read(["hosp", "icu", "derived"], "us-east-1", ("sourceLayout", "table-parquet"), ("sourceUri", "s3://my-copy/mimiciv/3.1/"));
        Assert.Empty(problems);
        Assert.Equal(SourceLayout.TableParquet, sources.Layout);
        Assert.Equal(["hosp", "icu"], sources.ModuleSources.Keys);
        Assert.Equal("s3://my-copy/mimiciv/3.1/icu/", sources.ModuleSources["icu"].Uri);
        Assert.Equal("s3://my-copy/mimiciv/3.1/derived/", sources.DerivedSource?.Uri);
        Assert.True(sources.OwnsData);

        var inPlace = Read(["hosp", "icu"], "us-east-1", ("sourceLayout", "table-parquet"), ("sourceUri", "s3://my-copy/mimiciv/3.1/"), ("sourceInPlace", "true"));
        Assert.Empty(inPlace.Problems);
        Assert.False(inPlace.Sources.OwnsData);
        Assert.Null(inPlace.Sources.DerivedSource);
    }

    [Fact]
    public void EachProblemNamesItsKeyAndTheFix()
    {
        var (sources, problems) = Read(["hosp"], "us-east-1", ("sourceLayout", "csv"), ("moduleSources", "[\"ed=s3://my-copy/ed/\"]"), ("derivedSourceUri", "s3://my-copy/derived/"));
        Assert.Equal([
            "mimic-infra:sourceLayout: 'csv' must be physionet-csv (PhysioNet's CSV files as published), physionet-parquet (PhysioNet's own Parquet copy of MIMIC-IV 2.2 or MIMIC-III 1.4) " +
            "or table-parquet (your own Parquet copy, one folder per table, as `local --parquet` writes it).",
            "mimic-infra:moduleSources: 'ed=s3://my-copy/ed/' names no module of this lab (hosp).",
            "mimic-infra:derivedSourceUri: this lab has no derived module (the release has none, or modules leaves it out); remove the setting.",
        ], problems);
        Assert.Empty(sources.ModuleSources);   // an unknown layout resolves no folder
    }

    [Fact]
    public void AnAccessPointCopiesOnlyWithinItsRegion()
    {
        var (_, problems) = Read(["hosp"], "eu-west-1", ("sourceUri", Labs.AccessPoint31));
        Assert.Equal(["aws:region: 'eu-west-1' differs from the region of the access point of module hosp (us-east-1); S3 copies through an access point only within its region. Set aws:region to us-east-1."], problems);
    }
}
