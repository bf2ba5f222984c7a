using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The rule in `check` that a credentialed lab's notebook has no direct internet unless the stack opts in, proven to fire.</summary>
public class CredentialedNotebookRuleTests
{
    private static (LabSettings Lab, string Text) Compiled(StackConfig stack)
    {
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        return (lab, MimicInfra.Program.ProgramYaml.Write(LabCompiler.Compile(lab)));
    }

    [Fact]
    public void DirectInternetOnACredentialedNotebookWithoutTheOptInIsRefused()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        Assert.Empty(LabRules.Check(text, lab));
        var broken = text.Replace("directInternetAccess: Disabled", "directInternetAccess: Enabled");
        Assert.NotEqual(text, broken);
        var problem = Assert.Single(LabRules.Check(broken, lab));
        Assert.Equal("notebook: a credentialed lab's notebook must have directInternetAccess Disabled unless the stack opts in with notebookNetwork internet; it is 'Enabled'", problem.ToString());
    }

    [Fact]
    public void AnInternetGatewayOrARouteInTheLabsVpcIsRefused()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        var gateway = "  labGateway:\n    type: aws:ec2/internetGateway:InternetGateway\n    properties:\n      vpcId: ${labVpc.id}\n";
        var problem = Assert.Single(LabRules.Check(text.Replace("resources:\n", "resources:\n" + gateway), lab));
        Assert.StartsWith("labGateway: aws:ec2/internetGateway:InternetGateway gives the lab's VPC a way to the internet", problem.ToString());
        var at = text.IndexOf("  labRouteTable:\n", StringComparison.Ordinal);
        var props = text.IndexOf("    properties:\n", at, StringComparison.Ordinal) + "    properties:\n".Length;
        var routed = text[..props] + "      routes:\n        - cidrBlock: 0.0.0.0/0\n          gatewayId: igw-0123\n" + text[props..];
        Assert.Equal("labRouteTable: the lab's route table has routes of its own; it must have only the local route and the S3 gateway endpoint's",
            Assert.Single(LabRules.Check(routed, lab)).ToString());
    }

    [Fact]
    public void APublicAddressOnTheLabsSubnetIsRefused()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        var broken = text.Replace("mapPublicIpOnLaunch: false", "mapPublicIpOnLaunch: true");
        Assert.NotEqual(text, broken);
        Assert.Equal("labSubnet: the lab's subnet must not give public addresses (mapPublicIpOnLaunch false)", Assert.Single(LabRules.Check(broken, lab)).ToString());
    }

    [Fact]
    public void TheOptInAndOpenReleasesAreNotRefused()
    {
        foreach (var stack in new[] { Labs.Csv31(("notebookNetwork", "internet")), Labs.Demo, Labs.Csv31(Workspace.Vpc) })
        {
            var (lab, text) = Compiled(stack);
            Assert.Empty(LabRules.Check(text, lab));
        }
    }
}
