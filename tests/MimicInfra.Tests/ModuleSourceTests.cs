using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Sources;

namespace MimicInfra.Tests;

/// <summary>Each module reads the PhysioNet project its files come from.</summary>
public class ModuleSourceTests
{
    [Fact]
    public void EveryModuleOfEveryReleaseNamesItsPhysioNetProject()
    {
        foreach (var r in Labs.Catalog.Releases)
        {
            Assert.NotNull(r.Project);
            foreach (var m in r.Modules)
                Assert.True(m.Project is not null, $"{r.Id} {m.Name}");
        }
    }

    [Theory]
    [InlineData("mimic-iv-3.1", "hosp", "mimiciv", "3.1")]
    [InlineData("mimic-iv-3.1", "icu", "mimiciv", "3.1")]
    [InlineData("mimic-iv-3.1", "ed", "mimic-iv-ed", "2.2")]
    [InlineData("mimic-iv-3.1", "note", "mimic-iv-note", "2.2")]
    [InlineData("mimic-iv-3.1", "derived", "mimiciv", "3.1")]
    [InlineData("mimic-iv-2.2", "hosp", "mimiciv", "2.2")]
    [InlineData("mimic-iv-2.2", "ed", "mimic-iv-ed", "2.2")]
    [InlineData("mimic-iv-2.2", "note", "mimic-iv-note", "2.2")]
    [InlineData("mimic-iv-ed-2.2", "ed", "mimic-iv-ed", "2.2")]
    [InlineData("mimic-iv-note-2.2", "note", "mimic-iv-note", "2.2")]
    [InlineData("mimic-iv-demo-2.2", "hosp", "mimic-iv-demo", "2.2")]
    [InlineData("mimic-iv-ed-demo-2.2", "ed", "mimic-iv-ed-demo", "2.2")]
    [InlineData("mimic-iii-1.4", "notes", "mimiciii", "1.4")]
    [InlineData("mimic-iii-demo-1.4", "clinical", "mimiciii-demo", "1.4")]
    public void ModulesComeFromTheirOwnProject(string release, string module, string slug, string version) =>
        Assert.Equal(new PhysioNetProject(slug, version), Labs.Catalog.Find(release)!.FindModule(module)!.Project);

    [Fact]
    public void TheOpenLocationOfEachModuleIsUnderItsProjectsFolder()
    {
        foreach (var m in Labs.Catalog.Releases.SelectMany(r => r.Modules).Where(m => m.OpenS3 is not null))
            Assert.EndsWith("/" + m.Project!.Prefix, m.OpenS3!.Uri);
    }

    private static StackConfig Lab31(string modules, string? moduleSources = null, string source = Labs.AccessPoint31) => Labs.Config("m",
        [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", modules), ("sourceUri", source), .. moduleSources is null ? Array.Empty<(string, string)>() : [("moduleSources", moduleSources)]]);

    [Fact]
    public void AModuleOfAnotherProjectIsNeverDerivedFromTheReleasesAccessPoint()
    {
        foreach (var command in new Func<StackConfig, object>[] { c => LabSettingsReader.Read(c, Labs.Catalog), c => Labs.Compile(c) })
        {
            var e = Assert.Throws<MimicInfra.Cli.UserError>(() => command(Lab31("[\"hosp\",\"ed\"]")));
            Assert.Contains("mimic-infra:moduleSources: module ed's files come from PhysioNet project mimic-iv-ed 2.2 (physionet.org/content/mimic-iv-ed/2.2/)", e.Message);
            Assert.Contains("accesspoint/mimiciv-v3-1-01/mimiciv/3.1/ed/, derived from sourceUri", e.Message);
            Assert.Contains("`pulumi config set --path 'moduleSources[0]' ed=s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/mimic-iv-ed/2.2/ed/`", e.Message);
        }
    }

    [Fact]
    public void AnAccessPointOfTheWrongProjectIsRefused()
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(
            Lab31("[\"hosp\",\"ed\"]", "[\"ed=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/ed/\"]"), Labs.Catalog));
        Assert.Contains("is PhysioNet's access point of project mimiciv 3.1, but module ed's files come from project mimic-iv-ed 2.2", e.Message);
        var wrongFolder = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(
            Lab31("[\"hosp\",\"ed\"]", "[\"ed=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/ed/\"]"), Labs.Catalog));
        Assert.Contains("PhysioNet's access point of mimic-iv-ed 2.2 serves only the folder mimic-iv-ed/2.2/", wrongFolder.Message);
    }

    [Fact]
    public void TheReleasesOwnModulesNeedItsOwnProjectsAccessPoint()
    {
        var config = Labs.Config("m", [.. Labs.Basics, ("release", "mimic-iv-2.2"), ("modules", "[\"hosp\",\"icu\"]"), ("sourceUri", Labs.AccessPoint31)]);
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(config, Labs.Catalog));
        Assert.Contains("1 problem(s)", e.Message);   // once for the release, not per module
        Assert.Contains("is PhysioNet's access point of project mimiciv 3.1, but release mimic-iv-2.2's files come from project mimiciv 2.2; " +
                        "use the URI the mimiciv 2.2 project page shows: `pulumi config set sourceUri s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/mimiciv/2.2/`", e.Message);
    }

    [Fact]
    public void AModulesOwnProjectsAccessPointAsSourceUriIsItsSource()
    {
        var config = Labs.Config("m", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"ed\"]"),
            ("sourceUri", "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/")]);
        Assert.Equal("mimic-iv-ed/2.2/ed/", LabSettingsReader.Read(config, Labs.Catalog).Aws!.Sources.ModuleSources["ed"].Prefix);
    }

    [Fact]
    public void EachProjectsOwnAccessPointIsAccepted()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        Assert.Equal("mimic-iv-ed/2.2/ed/", lab.Aws!.Sources.ModuleSources["ed"].Prefix);
        Assert.Equal("mimiciv/3.1/hosp/", lab.Aws.Sources.ModuleSources["hosp"].Prefix);
        Assert.Equal(new PhysioNetProject("mimic-iv-ed", "2.2"), ModuleSources.PhysioNetProjectOf(lab.Aws.Sources.ModuleSources["ed"]));
        Assert.Equal(new PhysioNetProject("mimiciv", "3.1"), ModuleSources.PhysioNetProjectOf(lab.Aws.Sources.ModuleSources["hosp"]));
    }

    [Fact]
    public void AnOwnCopyMayHoldEveryModule()
    {
        // A bucket of one's own (not an access point) is whatever its owner copied into it.
        var lab = LabSettingsReader.Read(Lab31("[\"hosp\",\"ed\"]", source: "s3://my-mimic-copy/mimiciv/3.1/"), Labs.Catalog);
        Assert.Equal("mimiciv/3.1/ed/", lab.Aws!.Sources.ModuleSources["ed"].Prefix);
    }

    [Fact]
    public void TheImportablePredicateIsTheReadersRule()
    {
        foreach (var r in Labs.Catalog.Releases)
            foreach (var m in r.Modules.Where(m => !m.IsDerived))
            {
                var config = Labs.Config("i", [.. Labs.Basics, ("release", r.Id), ("modules", $"[\"{m.Name}\"]"), ("sourceUri", "s3://my-mimic-copy/x/")]);
                var problems = "";
                try { LabSettingsReader.Read(config, Labs.Catalog); }
                catch (MimicInfra.Cli.UserError e) { problems = e.Message; }
                Assert.Equal(!Importable.CanImport(SourceLayout.PhysionetCsv, m), problems.Contains("mimic-infra:sourceLayout:"));
            }
    }
}
