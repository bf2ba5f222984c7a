using MimicInfra.Lab;

namespace MimicInfra.Tests;

internal static class Gcp
{
    public static readonly (string, string)[] Settings =
        [("gcp", "true"), ("gcpProject", "mimic-research-1"), ("gcpMembers", "[\"user:jdoe@example.org\", \"group:icu-lab@example.org\"]")];

    public const string Subnet = "projects/mimic-research-1/regions/us-central1/subnetworks/lab";
    public const string Network = "projects/mimic-research-1/global/networks/lab-vpc";

    public static readonly (string, string)[] Workbench =
        [("gcpWorkbench", "true"), ("gcpWorkbenchOwner", "jdoe@example.org"), ("gcpWorkbenchSubnet", Subnet), ("gcpWorkbenchNetwork", Network)];

    /// <summary>A MIMIC-IV 3.1 lab on BigQuery only, all four modules.</summary>
    public static StackConfig Only31(params (string, string)[] extra) =>
        Labs.Config("gcp31", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("aws", "false"), .. Settings, .. extra]);

    /// <summary>AWS and GCP in one stack.</summary>
    public static StackConfig Combined() => Labs.Csv31([.. Settings, .. Workbench]);

    /// <summary>The example stack file as it is, placeholders and all.</summary>
    public static StackConfig ExampleFile => StackConfig.FromFile("gcp-mimic-iv-3-1", Path.Combine(Shared.RepoRoot, "stacks", "Pulumi.gcp-mimic-iv-3-1.yaml"));

    /// <summary>The example stack file with its placeholders filled in, as a platform engineer would.</summary>
    public static StackConfig FromFile => ExampleFile with
    {
        Values = ExampleFile.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("replace-research-project", "mimic-research-1").Replace("REPLACE-jdoe", "jdoe")),
    };
}
