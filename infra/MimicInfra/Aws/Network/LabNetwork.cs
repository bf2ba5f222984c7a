using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Network;

/// <summary>An interface endpoint the notebook needs, and the call on the notebook that needs it.</summary>
public sealed record InterfaceEndpoint(string Service, string LogicalName, string Why);

/// <summary>What the lab's network is built from: its settings, the lab's region, name and tags, and the handles it references or adds.</summary>
public sealed record LabNetworkArgs
{
    public required LabVpcSettings Vpc { get; init; }
    public required string Region { get; init; }

    /// <summary>The lab's name (LabNames.Lab), which names the network's resources.</summary>
    public required string LabName { get; init; }

    /// <summary>The lab's tags; each resource adds its own Name first.</summary>
    public required YMap Tags { get; init; }

    /// <summary>The caller identity (getCallerIdentity): the endpoints admit only its account's principals.</summary>
    public required Handle Account { get; init; }

    /// <summary>The S3 gateway endpoint, which this adds (the perimeter's policies name it).</summary>
    public required Handle S3Endpoint { get; init; }

    /// <summary>The notebook's subnet and security group, which this adds (the workspace's notebook runs in them).</summary>
    public required Handle Subnet { get; init; }
    public required Handle NotebookSecurityGroup { get; init; }
}

/// <summary>
/// The lab's own network for its notebook (notebookNetwork lab-vpc): one VPC with one private subnet in one
/// Availability Zone, no internet gateway and no NAT, so nothing on the notebook reaches the internet. What the
/// notebook does call is reached privately: S3 through a gateway endpoint on the subnet's route table, the few
/// AWS APIs it uses through interface endpoints with private DNS. Security groups let the notebook open only
/// HTTPS to those endpoints and to S3; the endpoints accept only HTTPS from the notebook; the VPC's default
/// security group has no rules. Every endpoint admits only principals of the lab's account, so credentials of
/// another account brought into the notebook cannot carry data out through them.
/// </summary>
public sealed class LabNetwork(ProgramBuilder program, LabNetworkArgs args)
{
    /// <summary>The VPC's range: private, never routed anywhere (the VPC is peered with nothing).</summary>
    public const string VpcCidr = "10.0.0.0/24";
    public const string SubnetCidr = "10.0.0.0/25";
    public const int Https = 443;

    /// <summary>
    /// The interface endpoints, each for a call the notebook makes (AWS's SDKs use these endpoints' public names, which
    /// private DNS answers inside the VPC). Left out: STS (the instance's credentials come from its metadata service,
    /// and nothing on it calls STS) and KMS (S3, Athena and the volume's EBS call KMS themselves for SSE-KMS; the
    /// notebook never does). The Jupyter UI needs none: SageMaker serves it through the instance's network interface
    /// in SageMaker's own VPC, whatever the lab's VPC allows.
    /// </summary>
    public static readonly IReadOnlyList<InterfaceEndpoint> InterfaceEndpoints =
    [
        new("athena", "athenaEndpoint", "the example notebook runs its queries with boto3's Athena client"),
        new("glue", "glueEndpoint", "the example notebook reads the lab's tables and import record from the Glue catalog"),
        new("sagemaker.api", "sagemakerApiEndpoint", "idle stop calls sagemaker:StopNotebookInstance"),
        new("logs", "logsEndpoint", "the instance writes its lifecycle-script and Jupyter logs to CloudWatch Logs as the notebook role"),
    ];

    /// <summary>The Availability Zones the lab's subnet and endpoints are in: one, as interface endpoints are billed per zone.</summary>
    public const int Zones = 1;

    private readonly string _region = args.Region;
    private readonly string _name = args.LabName;

    /// <summary>The subnet the notebook runs in: the lab's own (<paramref name="labSubnet"/>), or the stack's (vpc); none with direct internet.</summary>
    public static string? SubnetOf(NotebookSettings notebook, Handle labSubnet) => notebook.LabVpc is not null ? labSubnet.Id : notebook.SubnetId;

    /// <summary>The notebook's security groups: the lab's notebook group, or the stack's (vpc); none with direct internet.</summary>
    public static IReadOnlyList<string> SecurityGroupsOf(NotebookSettings notebook, Handle notebookSecurityGroup) =>
        notebook.LabVpc is not null ? [notebookSecurityGroup.Id] : notebook.SecurityGroupIds;

    /// <summary>
    /// What must exist before the notebook boots: its on-create script copies the example notebook from S3 (the
    /// gateway route), and its egress rules and endpoints must be in place for idle stop and queries.
    /// </summary>
    public static IReadOnlyList<string> ReadyBeforeNotebook(NotebookSettings notebook) => notebook.LabVpc is null ? [] :
        ["s3Endpoint", "labRouteTableAssociation", "notebookToEndpoints", "notebookToS3", "endpointsFromNotebook", .. InterfaceEndpoints.Select(e => e.LogicalName)];

    public static string ServiceName(string region, string service) => $"com.amazonaws.{region}.{service}";

    private static ResourceOptions Options() => AwsProvider.Options();

    private YMap Tags(string name)
    {
        var tags = YMap.Of(("Name", name));
        foreach (var (k, v) in args.Tags) tags[k] = v;
        return tags;
    }

    public void Build()
    {
        var chosenAtDeploy = args.Vpc.AvailabilityZone is null;
        var zone = args.Vpc.AvailabilityZone ?? ZoneWhereEveryEndpointIsOffered().Out("names[0]");
        var vpc = Vpc();
        var routeTable = Subnet(vpc, zone, chosenAtDeploy);
        var endpointGroup = SecurityGroups(vpc);
        S3GatewayEndpoint(vpc, routeTable);
        foreach (var endpoint in InterfaceEndpoints) InterfaceEndpointFor(endpoint, vpc, endpointGroup);
        // Every lab VPC gets the firewall (LabDnsFirewall.Applies).
        using (program.Component(nameof(LabDnsFirewall)))
            new LabDnsFirewall(program, new() { Region = _region, LabName = _name, Tags = args.Tags, Vpc = vpc }).Build();
    }

    /// <summary>The variable holding the zones the lab may use; the subnet takes its first name.</summary>
    public const string ZonesVariable = "labZones";

    /// <summary>
    /// The first Availability Zone of the region (in name order, as EC2 lists them) where every interface endpoint the lab
    /// creates is offered: an endpoint service is not offered in every zone of every account ("The VPC endpoint service ...
    /// does not support the availability zone of the subnet"), so the first zone alone can fail `pulumi up` halfway.
    /// Pulumi YAML has no set functions, so the intersection is the region's zones minus, for each service, the zones it
    /// lacks: one DescribeVpcEndpointServices lookup per service (its AvailabilityZones), one DescribeAvailabilityZones per
    /// service with those excluded (the zones it lacks), and one more excluding all of them. Availability Zones only: an
    /// account that opted into a Local Zone lists it too (and it sorts first, as in us-east-1-bos-1a), where neither
    /// SageMaker nor these endpoints are offered. The subnet ignores later changes of the result, so the zone never moves.
    /// </summary>
    private Handle ZoneWhereEveryEndpointIsOffered()
    {
        static YMap Zones(object excludeNames) => AwsProvider.Invoke("aws:index/getAvailabilityZones:getAvailabilityZones", YMap.Of(("state", "available"),
            ("filters", new object[] { YMap.Of(("name", "opt-in-status"), ("values", new object[] { "opt-in-not-required" })) }),
            ("excludeNames", excludeNames)));
        var lacking = new List<object>();
        foreach (var endpoint in InterfaceEndpoints)
        {
            var service = program.Variable(ServiceVariable(endpoint), AwsProvider.Invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService", YMap.Of(
                ("serviceName", ServiceName(_region, endpoint.Service)), ("serviceType", "Interface"))));
            var zonesWithout = program.Variable(LackingVariable(endpoint), Zones(service.Out("availabilityZones")));
            lacking.Add(YMap.Fn("join", new object[] { ",", zonesWithout.Out("names") }));
        }
        return program.Variable(ZonesVariable, Zones(YMap.Fn("split", new object[] { ",", YMap.Fn("join", new object[] { ",", lacking }) })));
    }

    public static string ServiceVariable(InterfaceEndpoint endpoint) => $"{endpoint.LogicalName}Service";

    public static string LackingVariable(InterfaceEndpoint endpoint) => $"zonesWithout{char.ToUpperInvariant(endpoint.LogicalName[0])}{endpoint.LogicalName[1..]}";

    private Handle Vpc()
    {
        // Private DNS of interface endpoints needs both DNS attributes on.
        var vpc = program.Add(new PulumiResource("labVpc", "aws:ec2/vpc:Vpc", YMap.Of(
            ("cidrBlock", VpcCidr),
            ("enableDnsSupport", true),
            ("enableDnsHostnames", true),
            ("tags", Tags($"{_name}-notebook"))), Options() with { DeleteTimeout = "40m" }));   // SageMaker's interfaces may hold it a while
        // Adopting the default security group without rules removes the rules AWS gives it (CKV2_AWS_12).
        program.Add(new PulumiResource("labVpcDefaultSecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", YMap.Of(
            ("vpcId", vpc.Id),
            ("tags", Tags($"{_name}-default-unused"))), Options()));
        return vpc;
    }

    /// <summary>The subnet and its own route table, which it returns.</summary>
    private Handle Subnet(Handle vpc, string zone, bool chosenAtDeploy)
    {
        var subnet = program.Add(args.Subnet, "aws:ec2/subnet:Subnet", YMap.Of(
            ("vpcId", vpc.Id),
            ("cidrBlock", SubnetCidr),
            ("availabilityZone", zone),
            ("mapPublicIpOnLaunch", false),
            ("tags", Tags($"{_name}-notebook-private"))),
            // The zone is chosen once: a later change of the region's zone list must never move the subnet (and so replace
            // the notebook and its volume). SageMaker's network interfaces can outlive the notebook for minutes: wait for them.
            Options() with { IgnoreChanges = chosenAtDeploy ? ["availabilityZone"] : [], DeleteTimeout = "40m" });
        // Its own route table: only the VPC's local route and the S3 gateway endpoint's; no route to any gateway.
        var routeTable = program.Add(new PulumiResource("labRouteTable", "aws:ec2/routeTable:RouteTable", YMap.Of(
            ("vpcId", vpc.Id),
            ("tags", Tags($"{_name}-notebook-private"))), Options()));
        program.Add(new PulumiResource("labRouteTableAssociation", "aws:ec2/routeTableAssociation:RouteTableAssociation", YMap.Of(
            ("subnetId", subnet.Id),
            ("routeTableId", routeTable.Id)), Options()));
        return routeTable;
    }

    /// <summary>The notebook's and the endpoints' security groups and their rules; returns the endpoints' group.</summary>
    private Handle SecurityGroups(Handle vpc)
    {
        // No inline rules: the provider then also removes the allow-all egress rule AWS adds to a new group, so each
        // group has exactly the rules below.
        var notebook = program.Add(args.NotebookSecurityGroup, "aws:ec2/securityGroup:SecurityGroup", YMap.Of(
            ("name", $"{_name}-notebook"),
            ("description", $"MIMIC lab {_name} notebook: HTTPS out to the lab's endpoints and S3 only"),
            ("vpcId", vpc.Id),
            ("tags", Tags($"{_name}-notebook"))), Options() with { DeleteTimeout = "40m" });   // SageMaker's interface may outlive the notebook
        var endpoints = program.Add(new PulumiResource("endpointSecurityGroup", "aws:ec2/securityGroup:SecurityGroup", YMap.Of(
            ("name", $"{_name}-endpoints"),
            ("description", $"MIMIC lab {_name} endpoints: HTTPS in from the lab's notebook only"),
            ("vpcId", vpc.Id),
            ("tags", Tags($"{_name}-endpoints"))), Options() with { DeleteTimeout = "40m" }));
        program.Add(Rule("notebookToEndpoints", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", notebook.Id,
            ("referencedSecurityGroupId", endpoints.Id), "HTTPS to the lab's interface endpoints"));
        program.Add(Rule("notebookToS3", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", notebook.Id,
            ("prefixListId", args.S3Endpoint.Out("prefixListId")), "HTTPS to S3 through the gateway endpoint"));
        program.Add(Rule("endpointsFromNotebook", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", endpoints.Id,
            ("referencedSecurityGroupId", notebook.Id), "HTTPS from the lab's notebook"));
        return endpoints;
    }

    private PulumiResource Rule(string logicalName, string type, string group, (string Key, object Value) peer, string description) =>
        new(logicalName, type, YMap.Of(
            ("securityGroupId", group),
            ("description", description),
            ("ipProtocol", "tcp"),
            ("fromPort", Https),
            ("toPort", Https),
            (peer.Key, peer.Value),
            ("tags", Tags($"{_name}-{logicalName}"))), Options());

    /// <summary>
    /// Only principals of the lab's account (and AWS services acting for them) may use an endpoint, so another account's
    /// keys brought into the notebook carry nothing out, and an unsigned request gets nowhere: the identity perimeter of
    /// AWS's data-perimeter examples, with the lab's account where those name an organization.
    /// </summary>
    internal static YMap EndpointPolicy(Handle account) => YMap.Fn("toJSON", YMap.Of(
        ("Version", "2012-10-17"),
        ("Statement", new object[]
        {
            YMap.Of(
                ("Sid", "OnlyThisAccountsPrincipals"),
                ("Effect", "Allow"),
                ("Principal", "*"),
                ("Action", "*"),
                ("Resource", "*"),
                ("Condition", YMap.Of(("StringEquals", YMap.Of(("aws:PrincipalAccount", account.Out("accountId"))))))),
            YMap.Of(
                ("Sid", "AwsServicesActingForIt"),
                ("Effect", "Allow"),
                ("Principal", "*"),
                ("Action", "*"),
                ("Resource", "*"),
                ("Condition", YMap.Of(("Bool", YMap.Of(("aws:PrincipalIsAWSService", "true")))))),
        })));

    /// <summary>
    /// The S3 gateway's policy: this account's principals, and only on this account's buckets (aws:ResourceAccount), so
    /// no credentials used on the notebook can copy data to a bucket elsewhere through it (AWS's resource-perimeter example).
    /// </summary>
    internal static YMap S3EndpointPolicy(Handle account) => YMap.Fn("toJSON", YMap.Of(
        ("Version", "2012-10-17"),
        ("Statement", new object[]
        {
            YMap.Of(
                ("Sid", "OnlyThisAccountsPrincipalsOnItsBuckets"),
                ("Effect", "Allow"),
                ("Principal", "*"),
                ("Action", "*"),
                ("Resource", "*"),
                ("Condition", YMap.Of(("StringEquals", YMap.Of(("aws:PrincipalAccount", account.Out("accountId")), ("aws:ResourceAccount", account.Out("accountId"))))))),
        })));

    private void S3GatewayEndpoint(Handle vpc, Handle routeTable) =>
        program.Add(args.S3Endpoint, "aws:ec2/vpcEndpoint:VpcEndpoint", YMap.Of(
            ("vpcId", vpc.Id),
            ("serviceName", ServiceName(_region, "s3")),
            ("vpcEndpointType", "Gateway"),
            ("routeTableIds", new object[] { routeTable.Id }),
            ("policy", S3EndpointPolicy(args.Account)),
            ("tags", Tags($"{_name}-s3"))), Options());

    private void InterfaceEndpointFor(InterfaceEndpoint endpoint, Handle vpc, Handle endpointGroup) =>
        program.Add(new PulumiResource(endpoint.LogicalName, "aws:ec2/vpcEndpoint:VpcEndpoint", YMap.Of(
            ("vpcId", vpc.Id),
            ("serviceName", ServiceName(_region, endpoint.Service)),
            ("vpcEndpointType", "Interface"),
            ("subnetIds", new object[] { args.Subnet.Id }),
            ("securityGroupIds", new object[] { endpointGroup.Id }),
            ("privateDnsEnabled", true),
            ("policy", EndpointPolicy(args.Account)),
            ("tags", Tags($"{_name}-{endpoint.Service.Replace('.', '-')}"))), Options()));

    /// <summary>What preview says of the notebook's network: what it can reach, and how egress is opened where it is.</summary>
    public static IEnumerable<string> Describe(LabSettings lab)
    {
        if (lab.Aws?.Notebook is not { } nb) yield break;
        var region = lab.Aws.Region;
        if (nb.LabVpc is { } vpc)
        {
            yield return $"  network     the lab's own VPC {VpcCidr}: one private subnet in {vpc.AvailabilityZone ?? "one zone"}, no internet gateway, no NAT: " +
                         $"the notebook reaches only S3 (gateway endpoint) and {string.Join(", ", InterfaceEndpoints.Select(e => e.Service))} (interface endpoints, private DNS), " +
                         "HTTPS only, for this account's principals only; no `pip install` from the internet";
            yield return vpc.AvailabilityZone is null
                ? $"  zone        chosen at the first `pulumi up`: the first Availability Zone of {region} (by name, Local Zones left out) where " +
                  $"{string.Join(", ", InterfaceEndpoints.Select(e => e.Service))} interface endpoints are all offered (ec2:DescribeVpcEndpointServices); " +
                  "it never moves afterwards. To see the candidates: " + ZoneCheckCommand(region)
                : $"  zone        {vpc.AvailabilityZone} (notebookAvailabilityZone); check every endpoint service is offered there: {ZoneCheckCommand(region)}";
            foreach (var line in LabDnsFirewall.Describe(region)) yield return line;
            yield return "  upgrade     a lab first deployed with direct internet gets a new notebook, with an empty volume, on this update (the provider replaces it): " +
                         "save /home/ec2-user/SageMaker first, or set notebookNetwork internet to keep the old one";
        }
        else if (!nb.DirectInternetAccess)
            yield return $"  network     your subnet {nb.SubnetId} and security groups {string.Join(", ", nb.SecurityGroupIds)}: no direct internet; it reaches what your VPC routes to, " +
                         $"and needs S3 and {string.Join(", ", InterfaceEndpoints.Select(e => e.Service))} (endpoints or NAT)";
        else if (lab.Release.Access == Catalog.Access.Credentialed)
            yield return "  network     DIRECT INTERNET, egress open (notebookNetwork internet, an explicit opt-in): anything run on the notebook can send this credentialed data anywhere; " +
                         "remove the setting for the default lab-vpc";
        else
            yield return "  network     direct internet, egress open (the default for an open release, so `pip install` works)";
    }

    /// <summary>A command that lists the zones where each endpoint service is offered, to choose notebookAvailabilityZone.</summary>
    public static string ZoneCheckCommand(string region) =>
        $"aws ec2 describe-vpc-endpoint-services --region {region} --service-names " +
        string.Join(" ", InterfaceEndpoints.Select(e => ServiceName(region, e.Service))) +
        " --query 'ServiceDetails[].[ServiceName,AvailabilityZones]'";
}
