using MimicInfra.Aws.Network;
using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The lab VPC's DNS Firewall: only the AWS service names the notebook uses resolve; `check` refuses a credentialed lab-vpc lab without it.</summary>
public class LabDnsFirewallTests
{
    private static (LabSettings Lab, string Text) Compiled(StackConfig stack)
    {
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        return (lab, MimicInfra.Program.ProgramYaml.Write(LabCompiler.Compile(lab)));
    }

    [Fact]
    public void DnsFirewall_TheLabVpcAnswersOnlyTheNamesOfTheServicesItsEndpointsServe()
    {
        var (_, text) = Compiled(Labs.Csv31(("aws:region", "us-east-1")));
        var p = new ParsedProgram(text);
        var allowed = p.Named("dnsAllowedDomains")["domains"].List().Cast<string>().ToList();
        Assert.Equal(["athena.us-east-1.amazonaws.com", "glue.us-east-1.amazonaws.com", "api.sagemaker.us-east-1.amazonaws.com", "logs.us-east-1.amazonaws.com",
            "s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com", "s3.amazonaws.com", "*.s3.amazonaws.com", "*.ec2.internal", "*.0.0.10.in-addr.arpa"], allowed);
        // One name per interface endpoint the lab creates, so a new endpoint cannot be forgotten here.
        Assert.Equal(LabNetwork.InterfaceEndpoints.Count, p.OfType("aws:ec2/vpcEndpoint:VpcEndpoint").Count(e => (string)e.Props["vpcEndpointType"] == "Interface"));
        Assert.All(LabNetwork.InterfaceEndpoints, e => Assert.Contains(LabDnsFirewall.PrivateDnsName(e.Service, "us-east-1"), allowed));
        Assert.Equal(["*"], p.Named("dnsEveryDomain")["domains"].List());
        var allow = p.Named("dnsAllowAwsServices");
        var block = p.Named("dnsBlockEverythingElse");
        Assert.Equal(("ALLOW", "${dnsAllowedDomains.id}", "TRUST_REDIRECTION_DOMAIN"), ((string)allow["action"], (string)allow["firewallDomainListId"], (string)allow["firewallDomainRedirectionAction"]));
        Assert.Equal(("BLOCK", "${dnsEveryDomain.id}", "NXDOMAIN"), ((string)block["action"], (string)block["firewallDomainListId"], (string)block["blockResponse"]));
        Assert.True(int.Parse((string)allow["priority"]) < int.Parse((string)block["priority"]));   // allow first
        var association = p.Named("dnsFirewallAssociation");
        Assert.Equal("${labVpc.id}", association["vpcId"]);
        Assert.Equal("${dnsFirewall.id}", association["firewallRuleGroupId"]);
        Assert.InRange(int.Parse((string)association["priority"]), 101, 9900);   // the range the API accepts
        Assert.Equal("DISABLED", association["mutationProtection"]);   // destroy must be able to remove it
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(text).Problems);
    }

    [Fact]
    public void DnsFirewall_OtherRegionsUseTheirOwnNames()
    {
        Assert.Contains("api.sagemaker.eu-west-1.amazonaws.com", LabDnsFirewall.AllowedDomains("eu-west-1"));
        Assert.Contains("*.eu-west-1.compute.internal", LabDnsFirewall.AllowedDomains("eu-west-1"));
        Assert.DoesNotContain("*.ec2.internal", LabDnsFirewall.AllowedDomains("eu-west-1"));
        Assert.All(LabDnsFirewall.AllowedDomains("eu-west-1"), d => Assert.Matches(@"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$", d));   // DNS Firewall's domain syntax
    }

    [Fact]
    public void DnsFirewall_OnlyLabsInTheirOwnVpc()
    {
        const string group = "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup";
        Assert.Empty(new ParsedProgram(Compiled(Labs.Csv31(("notebookNetwork", "internet"))).Text).OfType(group));
        Assert.Empty(new ParsedProgram(Compiled(Labs.Csv31(Workspace.Vpc)).Text).OfType(group));
        Assert.Empty(Workspace.Demo.OfType(group));
        // An open lab that opts into the lab's VPC gets it too; `check` requires it only of credentialed labs.
        var (demo, text) = Compiled(Labs.Config("demo", [.. Labs.Demo.Values.Select(kv => (kv.Key, kv.Value)), ("notebookNetwork", "lab-vpc")]));
        Assert.Single(new ParsedProgram(text).OfType(group));
        Assert.Empty(LabRules.Check(text.Replace("  dnsFirewallAssociation:", "  dnsFirewallAssociationGone:").Replace("vpcId: ${labVpc.id}\n      priority: 101", "vpcId: vpc-0\n      priority: 101"), demo));
    }

    [Fact]
    public void DnsFirewall_CheckRefusesACredentialedLabVpcWithoutIt()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        Assert.Empty(LabRules.Check(text, lab));
        var at = text.IndexOf("  dnsFirewallAssociation:\n", StringComparison.Ordinal);
        var end = text.IndexOf("\n  ", text.IndexOf("\n", at + 3, StringComparison.Ordinal) + 1, StringComparison.Ordinal);
        while (end >= 0 && text[end + 3] == ' ') end = text.IndexOf("\n  ", end + 1, StringComparison.Ordinal);
        var without = text[..at] + text[(end + 1)..];
        Assert.Equal("labVpc: a credentialed lab's VPC must have a DNS Firewall rule group associated (DNS is its one way out); none is",
            Assert.Single(LabRules.Check(without, lab)).ToString());
        var allowAll = text.Replace("      action: BLOCK\n", "      action: ALERT\n");
        Assert.NotEqual(text, allowAll);
        Assert.StartsWith("dnsFirewallAssociation: the lab VPC's DNS Firewall rule group must block every name not allowed", Assert.Single(LabRules.Check(allowAll, lab)).ToString());
    }
}
