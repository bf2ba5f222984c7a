using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Network;

/// <summary>What the firewall is built from: the lab's region (the names it allows), name and tags, and the lab VPC it guards.</summary>
public sealed record LabDnsFirewallArgs
{
    public required string Region { get; init; }
    public required string LabName { get; init; }
    public required YMap Tags { get; init; }
    public required Handle Vpc { get; init; }
}

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
public sealed class LabDnsFirewall(ProgramBuilder program, LabDnsFirewallArgs args)
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
        var name = args.LabName;
        var tags = args.Tags;
        var allowed = program.Add(new PulumiResource("dnsAllowedDomains", "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList", YMap.Of(
            ("name", $"{name}-allowed"),
            ("domains", AllowedDomains(args.Region).Cast<object>().ToArray()),
            ("tags", tags)), AwsProvider.Options()));
        var everyDomain = program.Add(new PulumiResource("dnsEveryDomain", "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList", YMap.Of(
            ("name", $"{name}-everything-else"),
            ("domains", new object[] { "*" }),
            ("tags", tags)), AwsProvider.Options()));
        var firewall = program.Add(new PulumiResource("dnsFirewall", "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup", YMap.Of(
            ("name", $"{name}-dns"),
            ("tags", tags)), AwsProvider.Options()));
        var allow = program.Add(new PulumiResource("dnsAllowAwsServices", "aws:route53/resolverFirewallRule:ResolverFirewallRule", YMap.Of(
            ("name", "allow-the-labs-aws-services"),
            ("firewallRuleGroupId", firewall.Id),
            ("firewallDomainListId", allowed.Id),
            ("priority", AllowPriority),
            ("action", "ALLOW"),
            ("firewallDomainRedirectionAction", "TRUST_REDIRECTION_DOMAIN")), AwsProvider.Options()));
        var block = program.Add(new PulumiResource("dnsBlockEverythingElse", "aws:route53/resolverFirewallRule:ResolverFirewallRule", YMap.Of(
            ("name", "block-every-other-name"),
            ("firewallRuleGroupId", firewall.Id),
            ("firewallDomainListId", everyDomain.Id),
            ("priority", BlockPriority),
            ("action", "BLOCK"),
            ("blockResponse", "NXDOMAIN")), AwsProvider.Options()));
        program.Add(new PulumiResource("dnsFirewallAssociation", "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation", YMap.Of(
            ("name", $"{name}-dns"),
            ("firewallRuleGroupId", firewall.Id),
            ("vpcId", args.Vpc.Id),
            ("priority", AssociationPriority),
            ("mutationProtection", "DISABLED"),
            ("tags", tags)), AwsProvider.OptionsAfter(allow, block)));
    }

    /// <summary>What preview says of it.</summary>
    public static IEnumerable<string> Describe(string region)
    {
        yield return $"  dns         DNS Firewall on the lab VPC: answers only {string.Join(", ", AllowedDomains(region))}; every other name gets NXDOMAIN (no DNS exfiltration)";
    }

    /// <summary>The `check` rule: a credentialed lab in its own VPC has the rule group, blocking `*`, associated with that VPC.</summary>
    public static void Check(LabSettings lab, IReadOnlyList<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        if (!Required(lab)) return;
        var vpcs = resources.Where(r => r.Type == "aws:ec2/vpc:Vpc").Select(r => r.Name).ToList();
        var association = resources.FirstOrDefault(r => r.Type == "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
                                                        && vpcs.Any(vpc => IsIdOf(r.Props.GetValueOrDefault("vpcId"), vpc)));
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
            .Any(list => resources.Any(d => IsIdOf(list, d.Name) && d.Props.GetValueOrDefault("domains") is List<object> domains && domains.Contains("*")));
        if (!blocks)
            problems.Add(new(association.Name, "the lab VPC's DNS Firewall rule group must block every name not allowed (a BLOCK rule on a domain list of '*')"));
    }

    /// <summary>Whether a property's value is exactly the id of the named resource (as the program's text references it).</summary>
    private static bool IsIdOf(object? value, string resource) =>
        value is string text && Interpolation.Parse(text) is { IsSingleReference: true, References: [{ Path: ["id"] } reference] } && reference.Root == resource;
}
