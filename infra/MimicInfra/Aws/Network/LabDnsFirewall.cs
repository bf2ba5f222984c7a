using MimicInfra.Aws;
using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Network;

/// <summary>
/// DNS exfiltration guard of the lab's own VPC (the default for credentialed releases): a Route 53 Resolver DNS Firewall rule group, associated with
/// the lab VPC, that answers only the names of the AWS services the notebook reaches (the interface endpoints' private
/// DNS names, S3's regional and legacy global names with their bucket subdomains, the VPC's own host and reverse names)
/// and blocks every other name with NXDOMAIN. DNS is the one way out a VPC without internet still has: the VPC resolver
/// recurses to the internet for any name ("DNS exfiltration ... a primary use of DNS Firewall protections", Route 53
/// Developer Guide, "Using DNS Firewall to filter outbound DNS traffic").
///
/// The allow rule trusts the redirection chain (CNAME, DNAME) of an allowed name, since S3's public names answer through
/// CNAMEs whose targets are not on the list; the block rule matches `*`, every name (a domain specification "can
/// optionally start with *", Developer Guide, "Managing your own domain lists"). The VPC's firewall fails closed, its
/// default (FirewallFailOpen DISABLED). Mutation protection stays off: it would refuse `pulumi destroy` the association.
/// </summary>
public sealed class LabDnsFirewall(LabSettings lab, ProgramBuilder program)
{
    public const int AllowPriority = 100, BlockPriority = 200, AssociationPriority = 101;

    /// <summary>Every lab in its own VPC gets the firewall (an open lab that opts into lab-vpc wants no way out either); a stack-owned VPC is the platform's.</summary>
    public static bool Applies(LabSettings lab) => lab.Aws?.Notebook?.LabVpc is not null;

    /// <summary>Where `check` requires it: credentialed data in the lab's own VPC.</summary>
    public static bool Required(LabSettings lab) => lab.Release.Access == Catalog.Access.Credentialed && Applies(lab);

    /// <summary>The names the notebook resolves: each interface endpoint's private DNS name, S3 through the gateway, the VPC's own names.</summary>
    public static IReadOnlyList<string> AllowedDomains(string region)
    {
        var endpoints = LabNetwork.InterfaceEndpoints.Select(e => PrivateDnsName(e.Service, region));
        return
        [
            .. endpoints,
            // S3 through the gateway endpoint: the regional name and bucket names under it (virtual-hosted style), and the
            // legacy global name the SDKs still use in us-east-1.
            $"s3.{region}.amazonaws.com", $"*.s3.{region}.amazonaws.com", "s3.amazonaws.com", "*.s3.amazonaws.com",
            // The VPC's own host names and the reverse names of its range (the resolver answers them locally).
            region == "us-east-1" ? "*.ec2.internal" : $"*.{region}.compute.internal",
            "*.0.0.10.in-addr.arpa",
        ];
    }

    /// <summary>
    /// The private DNS name an interface endpoint answers for its service: `SERVICE.REGION.amazonaws.com`, except the
    /// SageMaker API, whose name is `api.sagemaker.REGION.amazonaws.com` (its endpoint service is com.amazonaws.REGION.sagemaker.api).
    /// </summary>
    public static string PrivateDnsName(string service, string region) => service switch
    {
        "sagemaker.api" => $"api.sagemaker.{region}.amazonaws.com",
        _ => $"{service}.{region}.amazonaws.com",
    };

    /// <summary>The domain names the firewall stores (billed per domain name per month).</summary>
    public static int StoredDomains(string region) => AllowedDomains(region).Count + 1;

    public void Build()
    {
        var name = lab.Names.Lab;
        var tags = AwsProvider.TagsOf(lab);
        program.Add(new PulumiResource("dnsAllowedDomains", "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList", YMap.Of(
            ("name", $"{name}-allowed"),
            ("domains", AllowedDomains(lab.Aws!.Region).Cast<object>().ToArray()),
            ("tags", tags)), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsEveryDomain", "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList", YMap.Of(
            ("name", $"{name}-everything-else"),
            ("domains", new object[] { "*" }),
            ("tags", tags)), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsFirewall", "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup", YMap.Of(
            ("name", $"{name}-dns"),
            ("tags", tags)), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsAllowAwsServices", "aws:route53/resolverFirewallRule:ResolverFirewallRule", YMap.Of(
            ("name", "allow-the-labs-aws-services"),
            ("firewallRuleGroupId", "${dnsFirewall.id}"),
            ("firewallDomainListId", "${dnsAllowedDomains.id}"),
            ("priority", AllowPriority),
            ("action", "ALLOW"),
            ("firewallDomainRedirectionAction", "TRUST_REDIRECTION_DOMAIN")), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsBlockEverythingElse", "aws:route53/resolverFirewallRule:ResolverFirewallRule", YMap.Of(
            ("name", "block-every-other-name"),
            ("firewallRuleGroupId", "${dnsFirewall.id}"),
            ("firewallDomainListId", "${dnsEveryDomain.id}"),
            ("priority", BlockPriority),
            ("action", "BLOCK"),
            ("blockResponse", "NXDOMAIN")), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsFirewallAssociation", "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation", YMap.Of(
            ("name", $"{name}-dns"),
            ("firewallRuleGroupId", "${dnsFirewall.id}"),
            ("vpcId", "${labVpc.id}"),
            ("priority", AssociationPriority),
            ("mutationProtection", "DISABLED"),
            ("tags", tags)), AwsProvider.Options("dnsAllowAwsServices", "dnsBlockEverythingElse")));
    }

    /// <summary>What preview says of it.</summary>
    public static IEnumerable<string> Describe(LabSettings lab)
    {
        if (!Applies(lab)) yield break;
        var region = lab.Aws!.Region;
        yield return $"  dns         DNS Firewall on the lab VPC: answers only {string.Join(", ", AllowedDomains(region))}; every other name gets NXDOMAIN (no DNS exfiltration)";
    }

    /// <summary>The `check` rule: a credentialed lab in its own VPC has the rule group, blocking `*`, associated with that VPC.</summary>
    public static void Check(LabSettings lab, IReadOnlyList<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        if (!Required(lab)) return;
        var association = resources.FirstOrDefault(r => r.Type == "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
                                                        && r.Props.GetValueOrDefault("vpcId") as string == "${labVpc.id}");
        if (association.Name is null)
        {
            problems.Add(new("labVpc", "a credentialed lab's VPC must have a DNS Firewall rule group associated (DNS is its one way out); none is"));
            return;
        }
        var group = association.Props.GetValueOrDefault("firewallRuleGroupId") as string ?? "";
        var blocks = resources.Where(r => r.Type == "aws:route53/resolverFirewallRule:ResolverFirewallRule"
                                          && r.Props.GetValueOrDefault("firewallRuleGroupId") as string == group
                                          && r.Props.GetValueOrDefault("action") as string == "BLOCK")
            .Select(r => r.Props.GetValueOrDefault("firewallDomainListId") as string ?? "")
            .Any(list => resources.Any(d => $"${{{d.Name}.id}}" == list && d.Props.GetValueOrDefault("domains") is List<object> domains && domains.Contains("*")));
        if (!blocks)
            problems.Add(new(association.Name, "the lab VPC's DNS Firewall rule group must block every name not allowed (a BLOCK rule on a domain list of '*')"));
    }
}
