using MimicInfra.Cli;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>What a review found would break on a real GCP deploy; each test fails on the program before the fix.</summary>
public class GcpDeployBreakageTests
{
    private static ParsedProgram Program(params (string, string)[] extra) => new(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, .. extra])));

    [Fact]
    public void WorkbenchNetworkIsTheSubnetsNetworkNeverTheDefault()
    {
        var nic = Program().Single("gcp:workbench/instance:Instance").At("gceSetup", "networkInterfaces", 0).Map();
        Assert.Equal(Gcp.Subnet, nic["subnet"]);
        Assert.Equal(Gcp.Network, nic["network"]);
        Assert.DoesNotContain(Workspace.Strings(Program().Root), s => s.Contains("/networks/default"));
    }

    [Fact]
    public void WorkbenchWithoutANamedSubnetIsRefusedBecauseTheDefaultNetworkCannotReachGoogleApisWithoutAPublicIp()
    {
        var config = Labs.Config("t", [.. Gcp.Only31().Values.Select(kv => (kv.Key, kv.Value)), ("gcpWorkbench", "true"), ("gcpWorkbenchOwner", "jdoe@example.org")]);
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(config, Labs.Catalog));
        Assert.Contains("mimic-infra:gcpWorkbenchSubnet: required.", e.Message);
        Assert.Contains("mimic-infra:gcpWorkbenchNetwork: required.", e.Message);
    }

    [Fact]
    public void TheOwnerHoldsARoleToFindAndOpenTheInstance()
    {
        var grants = Program().OfType("gcp:projects/iAMMember:IAMMember").Select(g => ((string)g.Props["member"], (string)g.Props["role"])).ToList();
        Assert.Contains(("user:jdoe@example.org", "roles/notebooks.viewer"), grants);
        Assert.DoesNotContain(grants, g => g.Item2 is "roles/notebooks.admin" or "roles/owner" or "roles/editor");
    }

    [Fact]
    public void TheDeployersNeedForPhysioNetAccessIsAnOutputAndInThePreview()
    {
        var p = Program();
        var need = (string)p.Outputs["bigqueryDeployerNeeds"];
        Assert.Contains("physionet-data.mimiciv_3_1_hosp", need);
        Assert.Contains("`pulumi up`", need);
        var lab = LabSettingsReader.Read(Gcp.Only31(Gcp.Workbench), Labs.Catalog);
        var preview = LabPreview.Summary(lab, MimicInfra.Lab.LabCompiler.Compile(lab));
        Assert.Contains("deployer    the account that runs `pulumi up` must itself have PhysioNet's BigQuery access", preview);
        Assert.Contains("needs Private Google Access", preview);
    }
}
