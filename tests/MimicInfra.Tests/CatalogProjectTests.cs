using MimicInfra.Catalog;

namespace MimicInfra.Tests;

public class CatalogProjectTests
{
    [Fact]
    public void CatalogShowNamesTheProjectOfEachModule()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "show", "mimic-iv-3.1", "--module", "ed"]);
        Assert.Equal(0, code);
        Assert.Contains("  files from PhysioNet project mimic-iv-ed 2.2 (physionet.org/content/mimic-iv-ed/2.2/)", stdout);
        var (_, json, _) = Cli.Run(["catalog", "show", "mimic-iv-3.1", "--module", "hosp", "--json"]);
        var module = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("modules")[0];
        Assert.Equal("mimiciv", module.GetProperty("physionet").GetProperty("slug").GetString());
        Assert.Equal("3.1", module.GetProperty("physionet").GetProperty("version").GetString());
    }

    [Fact]
    public void AProjectThatIsNotASlugAndVersionIsACatalogProblem()
    {
        var e = Assert.Throws<CatalogException>(() => CatalogLoader.Load([("schemas/x.yaml", """
            release: x-1.0
            title: X
            physionet: {slug: "Not A Slug", version: "one"}
            access: credentialed
            files: "{table}.csv.gz"
            modules:
              - name: m
                tables:
                  - name: t
                    columns: [{name: a, type: integer}]
            """)]));
        Assert.Contains("'physionet: {slug: Not A Slug, version: one}' must be a project slug", e.Message);
    }
}
