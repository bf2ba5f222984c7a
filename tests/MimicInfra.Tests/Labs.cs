using MimicInfra.Catalog;
using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>Stacks and compiled programs for tests.</summary>
internal static class Labs
{
    public static SchemaCatalog Catalog => CatalogLoader.LoadEmbedded();

    public static StackConfig Demo => StackConfig.FromFile("demo", Path.Combine(Shared.RepoRoot, "stacks", "Pulumi.demo.yaml"));

    /// <summary>A stack from settings; keys without a namespace are the project's own.</summary>
    public static StackConfig Config(string stack, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string>();
        foreach (var (key, value) in settings) values[key.Contains(':') ? key : $"{StackConfig.Project}:{key}"] = value;   // a later setting overrides
        return new(stack, values);
    }

    /// <summary>The verified IAM user of the test labs (researcherPrincipalArn, required for credentialed releases).</summary>
    public const string ResearcherArn = "arn:aws:iam::012345678901:user/jdoe";

    public static readonly (string, string)[] Basics =
        [("researcher", "jdoe"), ("study", "sepsis"), ("expires", "2027-06-30"), ("researcherPrincipalArn", ResearcherArn)];

    /// <summary>A credentialed MIMIC-IV 3.1 lab with all four modules, reading Parquet.</summary>
    public static StackConfig Full31(params (string, string)[] extra) => Config("full31",
        [.. Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\",\"icu\",\"ed\",\"note\"]"),
         ("sourceLayout", "table-parquet"), ("sourceUri", "s3://my-mimic-copy/mimiciv/3.1/"), .. extra]);

    /// <summary>
    /// MIMIC-IV 3.1 from PhysioNet's CSV files behind the researcher's access points, given as the URIs PhysioNet
    /// shows (no note module: its text has line breaks).
    /// </summary>
    public static StackConfig Csv31(params (string, string)[] extra) => Config("csv31",
        [.. Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\",\"icu\",\"ed\"]"),
         ("sourceUri", AccessPoint31), ("moduleSources", "[\"ed=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/\"]"), .. extra]);

    /// <summary>A per-user S3 URI in the form PhysioNet's project page shows it (access point ARN).</summary>
    public const string AccessPoint31 = "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/";

    public static string Compile(StackConfig config) => ProgramYaml.Write(LabCompiler.Compile(config, Catalog));

    /// <summary>The provider schemas generated into the repository (infra/provider-schemas), as `check` uses them.</summary>
    public static IReadOnlyDictionary<string, ProviderSchema> Schemas() => MimicInfra.Cli.CheckCommand.BuiltInSchemas();
}
