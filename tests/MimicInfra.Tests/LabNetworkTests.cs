using MimicInfra.Aws;
using MimicInfra.Aws.Network;
using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The credentialed lab's notebook network (notebookNetwork lab-vpc, the default for credentialed releases), by the
/// rule ids of Security Hub (SageMaker.1, .2), Checkov (CKV_AWS_122, CKV_AWS_130, CKV_AWS_23, CKV2_AWS_12, CKV2_AWS_11) and cdk-nag
/// (AwsSolutions-SM1, -SM3, -EC23, -VPC7; HIPAA.Security-SageMakerNotebookNoDirectInternetAccess). Deliberate exceptions:
/// <list type="bullet">
/// <item>CKV_AWS_122 / SageMaker.1 on open (demo) releases, and on a credentialed release whose stack sets
/// notebookNetwork internet: the setting is the opt-in, and preview says egress is open.</item>
/// <item>CKV2_AWS_11 / AwsSolutions-VPC7 (VPC flow logs): the lab's VPC has no flow log. It has no route out (no gateway, NAT or route,
/// which LabRules refuses), its only peers are the lab's endpoints, each admitting this account's principals only,
/// and every call through them is an AWS API call CloudTrail records with the caller; a flow log would add a log
/// group, a delivery role and ingestion billed per GB for records of HTTPS connections to those same endpoints.
/// The audit trail setting (a lab trail) is where the lab's record lives.</item>
/// </list>
/// </summary>
public class LabNetworkTests
{
    private static ParsedProgram Program(StackConfig stack) => new(Labs.Compile(stack));

    private static Dictionary<object, object> Notebook(ParsedProgram p) => p.Single("aws:sagemaker/notebookInstance:NotebookInstance");

    public static TheoryData<string> CredentialedLabs => new() { "csv31", "full31" };

    private static StackConfig Credentialed(string name, params (string, string)[] extra) => name == "csv31" ? Labs.Csv31(extra) : Labs.Full31(extra);

    [Theory]
    [MemberData(nameof(CredentialedLabs))]
    public void SageMaker_1_2_CKV_AWS_122_AwsSolutions_SM1_SM3_HIPAA_NoDirectInternetAccess_ACredentialedLabsNotebookHasNoDirectInternetAndRunsInTheLabsSubnet(string stack)
    {
        var nb = Notebook(Program(Credentialed(stack)));
        Assert.Equal("Disabled", nb["directInternetAccess"]);                                  // SageMaker.1, CKV_AWS_122, AwsSolutions-SM3, HIPAA
        Assert.Equal("${labSubnet.id}", nb["subnetId"]);                                       // SageMaker.2, AwsSolutions-SM1: in a VPC
        Assert.Equal(new List<object> { "${notebookSecurityGroup.id}" }, nb["securityGroups"]);
    }

    [Theory]
    [MemberData(nameof(CredentialedLabs))]
    public void CKV_AWS_130_TheLabsVpcHasNoInternetGatewayNoNatNoRouteAndNoPublicAddress(string stack)
    {
        var p = Program(Credentialed(stack));
        Assert.DoesNotContain(p.Resources, r => r.Type.Contains("internetGateway", StringComparison.OrdinalIgnoreCase)
            || r.Type.Contains("natGateway", StringComparison.OrdinalIgnoreCase) || r.Type is "aws:ec2/route:Route" or "aws:ec2/eip:Eip");
        Assert.False(p.Single("aws:ec2/routeTable:RouteTable").ContainsKey("routes"));
        Assert.Equal("false", p.Single("aws:ec2/subnet:Subnet")["mapPublicIpOnLaunch"]);
        var association = p.Single("aws:ec2/routeTableAssociation:RouteTableAssociation");
        Assert.Equal("${labSubnet.id}", association["subnetId"]);
        Assert.Equal("${labRouteTable.id}", association["routeTableId"]);
        Assert.Single(p.OfType("aws:ec2/vpc:Vpc"));
        Assert.Single(p.OfType("aws:ec2/subnet:Subnet"));                                     // one zone: endpoints bill per zone
    }

    [Fact]
    public void S3IsReachedByAGatewayEndpointOnTheSubnetsRouteTableAndEachApiTheNotebookCallsByAnInterfaceEndpointWithPrivateDns()
    {
        var p = Program(Labs.Csv31());
        var endpoints = p.OfType("aws:ec2/vpcEndpoint:VpcEndpoint").ToDictionary(e => (string)e.Props["serviceName"], e => e.Props);
        Assert.Equal(["com.amazonaws.us-east-1.athena", "com.amazonaws.us-east-1.glue", "com.amazonaws.us-east-1.logs",
                      "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.sagemaker.api"], endpoints.Keys.Order(StringComparer.Ordinal));
        var s3 = endpoints["com.amazonaws.us-east-1.s3"];
        Assert.Equal("Gateway", s3["vpcEndpointType"]);
        Assert.Equal(new List<object> { "${labRouteTable.id}" }, s3["routeTableIds"]);
        foreach (var (_, e) in endpoints.Where(e => e.Key != "com.amazonaws.us-east-1.s3"))
        {
            Assert.Equal("Interface", e["vpcEndpointType"]);
            Assert.Equal("true", e["privateDnsEnabled"]);                                      // the SDKs' public names resolve to the endpoint
            Assert.Equal(new List<object> { "${labSubnet.id}" }, e["subnetIds"]);
            Assert.Equal(new List<object> { "${endpointSecurityGroup.id}" }, e["securityGroupIds"]);
        }
        // Private DNS needs both DNS attributes of the VPC.
        var vpc = p.Single("aws:ec2/vpc:Vpc");
        Assert.Equal("true", vpc["enableDnsSupport"]);
        Assert.Equal("true", vpc["enableDnsHostnames"]);
    }

    [Fact]
    public void NoStsOrKmsEndpoint_TheNotebookNeverCallsThem()
    {
        // Credentials come from the instance metadata service; S3, Athena and EBS call KMS themselves for SSE-KMS.
        var services = LabNetwork.InterfaceEndpoints.Select(e => e.Service).ToList();
        Assert.DoesNotContain("sts", services);
        Assert.DoesNotContain("kms", services);
        // The idle stop's one call is what the sagemaker.api endpoint is for.
        Assert.Contains("stop_notebook_instance", MimicInfra.Aws.LifecycleScripts.Autostop);
        Assert.Contains("sagemaker.api", services);
    }

    [Fact]
    public void EndpointsAdmitOnlyThisAccountsPrincipals()
    {
        foreach (var (name, e) in Program(Labs.Csv31()).OfType("aws:ec2/vpcEndpoint:VpcEndpoint").Where(e => e.Name != "s3Endpoint"))
        {
            var statements = e.At("policy", "fn::toJSON", "Statement").List().Select(x => x.Map()).ToList();
            Assert.All(statements, s => Assert.Equal("Allow", s["Effect"]));
            // Every statement is conditioned: this account's principals, or AWS services acting for them; nothing unconditioned.
            Assert.Equal(["StringEquals aws:PrincipalAccount ${awsAccount.accountId}", "Bool aws:PrincipalIsAWSService true"], statements.Select(s =>
                string.Join(" ", s["Condition"].Map().Select(c => $"{c.Key} {string.Join(" ", c.Value.Map().Select(kv => $"{kv.Key} {kv.Value}"))}"))));
        }
    }

    /// <summary>The S3 gateway is also a resource perimeter: this account's principals on this account's buckets only, so nothing copies data out through it.</summary>
    [Fact]
    public void TheS3GatewayAdmitsOnlyThisAccountsPrincipalsOnItsOwnBuckets()
    {
        var p = Program(Labs.Csv31());
        var statement = Assert.Single(p.Named("s3Endpoint").At("policy", "fn::toJSON", "Statement").List()).Map();
        Assert.Equal("${awsAccount.accountId}", statement.At("Condition", "StringEquals", "aws:PrincipalAccount"));
        Assert.Equal("${awsAccount.accountId}", statement.At("Condition", "StringEquals", "aws:ResourceAccount"));
        // The zone comes from Availability Zones only (no opted-in Local Zone) and, once chosen, never moves the subnet.
        Assert.Equal("opt-in-status", p.Root.At("variables", "labZones", "fn::invoke", "arguments", "filters", 0, "name"));
        var subnet = p.Resources.Single(r => r.Name == "labSubnet").Options!;
        Assert.Equal(new List<object> { "availabilityZone" }, subnet["ignoreChanges"]);
        Assert.Equal("40m", subnet.At("customTimeouts", "delete"));
    }

    [Fact]
    public void AwsSolutions_EC23_SecurityGroups_TheNotebookOpensOnlyHttpsToTheEndpointsAndS3_TheEndpointsAcceptOnlyHttpsFromTheNotebook()
    {
        var p = Program(Labs.Csv31());
        string Rule(Dictionary<object, object> r) =>
            $"{r["securityGroupId"]} {r["ipProtocol"]} {r["fromPort"]}-{r["toPort"]} {r.GetValueOrDefault("referencedSecurityGroupId") ?? r.GetValueOrDefault("prefixListId") ?? r.GetValueOrDefault("cidrIpv4") ?? r.GetValueOrDefault("cidrIpv6")}";
        Assert.Equal(["${notebookSecurityGroup.id} tcp 443-443 ${endpointSecurityGroup.id}", "${notebookSecurityGroup.id} tcp 443-443 ${s3Endpoint.prefixListId}"],
            p.OfType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").Select(r => Rule(r.Props)).Order(StringComparer.Ordinal));
        Assert.Equal(["${endpointSecurityGroup.id} tcp 443-443 ${notebookSecurityGroup.id}"],
            p.OfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").Select(r => Rule(r.Props)));
        // No inline rules, so the provider also removes AWS's allow-all egress rule of a new group.
        Assert.All(p.OfType("aws:ec2/securityGroup:SecurityGroup"), g => Assert.False(g.Props.ContainsKey("egress") || g.Props.ContainsKey("ingress")));
        Assert.DoesNotContain(Workspace.Strings(p.Root), s => s.Contains("0.0.0.0/0") || s.Contains("::/0"));   // AwsSolutions-EC23
    }

    [Fact]
    public void CKV_AWS_23_EverySecurityGroupAndRuleSaysWhatItIsFor()
    {
        var p = Program(Labs.Csv31());
        var described = p.Resources.Where(r => r.Type is "aws:ec2/securityGroup:SecurityGroup" or "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
            or "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").ToList();
        Assert.Equal(5, described.Count);
        Assert.All(described, r => Assert.False(string.IsNullOrWhiteSpace(r.Props.GetValueOrDefault("description") as string), r.Name));
    }

    [Fact]
    public void CKV2_AWS_12_TheVpcsDefaultSecurityGroupHasNoRules()
    {
        var p = Program(Labs.Csv31());
        var group = p.Single("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        Assert.Equal("${labVpc.id}", group["vpcId"]);
        Assert.False(group.ContainsKey("ingress") || group.ContainsKey("egress"));
    }

    [Fact]
    public void CKV2_AWS_11_Exception_TheLabsVpcHasNoFlowLog() =>
        Assert.Empty(Program(Labs.Csv31()).OfType("aws:ec2/flowLog:FlowLog"));   // the reasons are in this class's comment

    [Fact]
    public void TheNotebookWaitsForItsRouteToS3ItsRulesAndItsEndpoints()
    {
        var options = Program(Labs.Csv31()).Resources.Single(r => r.Name == "notebook").Options!;
        var dependsOn = options["dependsOn"].List().Cast<string>().ToList();
        foreach (var name in new[] { "s3Endpoint", "labRouteTableAssociation", "notebookToEndpoints", "notebookToS3", "endpointsFromNotebook" }
                     .Concat(LabNetwork.InterfaceEndpoints.Select(e => e.LogicalName)))
            Assert.Contains("${" + name + "}", dependsOn);
    }

    [Fact]
    public void TheFirstBootCopyCallsTheRegionalS3EndpointTheGatewayEndpointServes()
    {
        var p = Program(Labs.Full31(("aws:region", "eu-west-1")));
        Assert.Contains("--region eu-west-1 --only-show-errors", Workspace.Script(p, "onCreate"));
        Assert.Contains(p.OfType("aws:ec2/vpcEndpoint:VpcEndpoint"), e => (string)e.Props["serviceName"] == "com.amazonaws.eu-west-1.s3");
        Assert.All(p.OfType("aws:ec2/vpcEndpoint:VpcEndpoint"), e => Assert.StartsWith("com.amazonaws.eu-west-1.", (string)e.Props["serviceName"]));
    }

    /// <summary>SageMaker's network interface can outlive the notebook for many minutes; the provider's default delete timeout is 15 minutes.</summary>
    [Fact]
    public void EverySecurityGroupAndSubnetSageMakerAttachesToWaits40MinutesOnDelete()
    {
        var p = Program(Labs.Csv31());
        var attached = p.Resources.Where(r => r.Type is "aws:ec2/securityGroup:SecurityGroup" or "aws:ec2/subnet:Subnet" or "aws:ec2/vpc:Vpc").ToList();
        Assert.Equal(["labVpc", "labSubnet", "notebookSecurityGroup", "endpointSecurityGroup"], attached.Select(r => r.Name));
        Assert.All(attached, r => Assert.Equal("40m", r.Options.At("customTimeouts", "delete")));
    }

    [Fact]
    public void TheZoneIsChosenByTheProgramUnlessTheStackNamesOne()
    {
        var byDefault = Program(Labs.Csv31());
        Assert.Equal("${labZones.names[0]}", byDefault.Single("aws:ec2/subnet:Subnet")["availabilityZone"]);
        Assert.Equal("available", byDefault.Root.At("variables", "labZones", "fn::invoke", "arguments", "state"));
        var named = Program(Labs.Csv31(("notebookAvailabilityZone", "us-east-1d")));
        Assert.Equal("us-east-1d", named.Single("aws:ec2/subnet:Subnet")["availabilityZone"]);
        Assert.DoesNotContain(named.Root.At("variables").Map().Keys, k => ((string)k).StartsWith("labZones") || ((string)k).StartsWith("zonesWithout") || ((string)k).EndsWith("EndpointService"));
    }

    /// <summary>
    /// The emitted lookups, evaluated as Pulumi and the provider would (getAvailabilityZones sorts by name and drops
    /// excludeNames; fn::join and fn::split as Pulumi YAML defines them) against accounts whose endpoint services lack
    /// different zones: the subnet lands in the first zone that offers every one of them.
    /// </summary>
    [Theory]
    [InlineData("", "", "us-east-1a")]                                   // every service everywhere
    [InlineData("athena:us-east-1a", "", "us-east-1b")]                  // the first zone lacks one service
    [InlineData("athena:us-east-1a,glue:us-east-1b,logs:us-east-1c", "", "us-east-1d")]
    [InlineData("sagemaker.api:us-east-1a us-east-1b", "us-east-1-bos-1a", "us-east-1c")]   // a Local Zone sorts first and is left out
    [InlineData("glue:us-east-1f", "", "us-east-1a")]
    public void TheSubnetLandsInTheFirstZoneWhereEveryEndpointServiceIsOffered(string lacking, string localZones, string expected)
    {
        var region = new[] { "us-east-1f", "us-east-1a", "us-east-1c", "us-east-1b", "us-east-1d" };   // as EC2 may list them
        var local = localZones.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var missing = lacking.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => x.Split(':'))
            .ToDictionary(x => x[0], x => x[1].Split(' '));
        var p = Program(Labs.Csv31());
        var values = new Dictionary<string, Dictionary<string, object>>();
        // Every value is a string or a list of strings.
        object Eval(object? node) => node switch
        {
            string r when r.StartsWith("${", StringComparison.Ordinal) && r.EndsWith('}') => values[r[2..r.IndexOf('.')]][r[(r.IndexOf('.') + 1)..^1]],
            string text => text,
            Dictionary<object, object> m when m.ContainsKey("fn::join") => string.Join((string)m["fn::join"].List()[0], (List<string>)Eval(m["fn::join"].List()[1])),
            Dictionary<object, object> m when m.ContainsKey("fn::split") => ((string)Eval(m["fn::split"].List()[1])).Split((string)m["fn::split"].List()[0]).ToList(),
            List<object> l => l.Select(i => (string)Eval(i)).ToList(),
            _ => throw new InvalidOperationException($"cannot evaluate {node}"),
        };
        foreach (var (key, value) in p.Root.At("variables").Map())
        {
            var name = (string)key;
            if (value.Map().GetValueOrDefault("fn::invoke") is not Dictionary<object, object> invoke) continue;
            var args = invoke["arguments"].Map();
            switch ((string)invoke["function"])
            {
                case "aws:ec2/getVpcEndpointService:getVpcEndpointService":
                    var service = ((string)args["serviceName"])["com.amazonaws.us-east-1.".Length..];
                    values[name] = new() { ["availabilityZones"] = region.Except(missing.GetValueOrDefault(service, [])).ToList() };
                    break;
                case "aws:index/getAvailabilityZones:getAvailabilityZones":
                    Assert.Equal("opt-in-not-required", args.At("filters", 0, "values", 0));   // the opt-in filter drops Local Zones
                    var excluded = (args.TryGetValue("excludeNames", out var e) ? (List<string>)Eval(e) : []).ToHashSet();
                    values[name] = new() { ["names"] = region.Order(StringComparer.Ordinal).Where(z => !excluded.Contains(z)).ToList() };
                    _ = local;   // never returned: the API's opt-in-status filter removes them
                    break;
            }
        }
        var zone = (string)p.Single("aws:ec2/subnet:Subnet")["availabilityZone"];
        Assert.Equal("${labZones.names[0]}", zone);
        Assert.Equal(expected, ((List<string>)values["labZones"]["names"])[0]);
    }

    [Theory]
    [InlineData("csv31", "")]
    [InlineData("csv31", "us-east-1d")]
    [InlineData("full31", "")]
    public void TheLabsNetworkConformsToTheProviderSchemas(string stack, string zone)
    {
        var config = zone.Length == 0 ? Credentialed(stack) : Credentialed(stack, ("notebookAvailabilityZone", zone));
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(Labs.Compile(config)).Problems);
    }

    [Theory]
    [InlineData("notebookNetwork", "private", "mimic-infra:notebookNetwork: 'private' must be lab-vpc (a private subnet the lab creates, no internet), vpc (your own notebookSubnetId) or internet")]
    [InlineData("notebookAvailabilityZone", "us-west-2a", "mimic-infra:notebookAvailabilityZone: 'us-west-2a' is not an Availability Zone of the lab's region us-east-1; name one such as us-east-1b")]
    [InlineData("notebookAvailabilityZone", "use1-az1", "mimic-infra:notebookAvailabilityZone: 'use1-az1' is not an Availability Zone of the lab's region us-east-1")]
    [InlineData("notebookSecurityGroupIds", "[\"sg-0123456789abcdef0\"]", "apply only with notebookNetwork vpc (this lab's default is lab-vpc); set notebookNetwork to vpc, or remove them.")]
    public void BadNetworkSettingsAreRejectedNamingTheKeyAndTheFix(string key, string value, string expected)
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Csv31((key, value)), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("internet")]
    [InlineData("vpc")]
    public void AZoneAppliesOnlyToTheLabsVpc(string network)
    {
        var extra = network == "vpc" ? Workspace.Vpc : [("notebookNetwork", network)];
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Csv31([.. extra, ("notebookAvailabilityZone", "us-east-1a")]), Labs.Catalog));
        Assert.Contains($"mimic-infra:notebookAvailabilityZone: applies only with notebookNetwork lab-vpc (this lab's is {network}); remove it", e.Message);
    }

    [Fact]
    public void CKV_AWS_122_Exception_InternetOnACredentialedReleaseIsAnExplicitOptInThatPreviewCallsOpenEgress()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(("notebookNetwork", "internet")), Labs.Catalog);
        var p = new ParsedProgram(MimicInfra.Program.ProgramYaml.Write(LabCompiler.Compile(lab)));
        Assert.Equal("Enabled", Notebook(p)["directInternetAccess"]);
        Assert.False(Notebook(p).ContainsKey("subnetId"));
        Assert.Empty(p.OfType("aws:ec2/vpc:Vpc"));
        Assert.Empty(LabRules.Check(Labs.Compile(Labs.Csv31(("notebookNetwork", "internet"))), lab));   // the opt-in passes the rule
        var preview = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("network     DIRECT INTERNET, egress open (notebookNetwork internet, an explicit opt-in)", preview);
        Assert.DoesNotContain(MimicInfra.Costs.CostEstimate.For(lab, MimicInfra.Costs.PriceTable.Embedded).Lines, l => l.Item.Contains("endpoint"));
    }

    [Fact]
    public void CKV_AWS_122_Exception_AnOpenDemoReleaseKeepsDirectInternetByDefault()
    {
        Assert.Equal(NetworkSettingsReader.InternetNetwork, NetworkSettingsReader.DefaultNotebookNetwork(Labs.Catalog.Find("mimic-iv-demo-2.2")));
        Assert.Equal(NetworkSettingsReader.LabVpcNetwork, NetworkSettingsReader.DefaultNotebookNetwork(Labs.Catalog.Find("mimic-iv-3.1")));
        Assert.Equal("Enabled", Notebook(Workspace.Demo)["directInternetAccess"]);
        Assert.Empty(Workspace.Demo.OfType("aws:ec2/vpc:Vpc"));
        var lab = LabSettingsReader.Read(Labs.Demo, Labs.Catalog);
        Assert.Contains("network     direct internet, egress open (the default for an open release", MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab)));
    }

    [Fact]
    public void TheDemoMayOptIntoTheLabsVpc()
    {
        var p = Program(Labs.Config("demo", [.. Labs.Demo.Values.Select(kv => (kv.Key, kv.Value)), ("notebookNetwork", "lab-vpc")]));
        Assert.Equal("Disabled", Notebook(p)["directInternetAccess"]);
        Assert.Equal("${labSubnet.id}", Notebook(p)["subnetId"]);
    }

    [Fact]
    public void AStacksOwnVpcStillWorksOnACredentialedRelease()
    {
        var p = Program(Labs.Csv31(Workspace.Vpc));
        Assert.Equal("Disabled", Notebook(p)["directInternetAccess"]);
        Assert.Equal("subnet-0123456789abcdef0", Notebook(p)["subnetId"]);
        Assert.Equal(new List<object> { "sg-0123456789abcdef0" }, Notebook(p)["securityGroups"]);
        Assert.Empty(p.OfType("aws:ec2/vpc:Vpc"));
        Assert.Empty(p.OfType("aws:ec2/vpcEndpoint:VpcEndpoint"));
        Assert.Equal(["${notebookRolePolicy}", "${exampleNotebook}"], p.Resources.Single(r => r.Name == "notebook").Options!["dependsOn"].List().Cast<string>());
        var lab = LabSettingsReader.Read(Labs.Csv31(Workspace.Vpc), Labs.Catalog);
        Assert.Contains("network     your subnet subnet-0123456789abcdef0 and security groups sg-0123456789abcdef0: no direct internet; it reaches what your VPC routes to, " +
                        "and needs S3 and athena, glue, sagemaker.api, logs (endpoints or NAT)", MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab)));
        Assert.Empty(LabRules.Check(Labs.Compile(Labs.Csv31(Workspace.Vpc)), lab));
    }

    [Fact]
    public void PreviewSaysWhatTheNotebookCanReachAndHowToPickAnotherZone()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("network     the lab's own VPC 10.0.0.0/24: one private subnet in one zone, no internet gateway, no NAT: " +
                        "the notebook reaches only S3 (gateway endpoint) and athena, glue, sagemaker.api, logs (interface endpoints, private DNS)", text);
        Assert.Contains("aws ec2 describe-vpc-endpoint-services --region us-east-1 --service-names com.amazonaws.us-east-1.athena", text);
        Assert.Contains("  zone        chosen at the first `pulumi up`: the first Availability Zone of us-east-1 (by name, Local Zones left out) where " +
                        "athena, glue, sagemaker.api, logs interface endpoints are all offered (ec2:DescribeVpcEndpointServices); it never moves afterwards.", text);
        var named = LabSettingsReader.Read(Labs.Csv31(("notebookAvailabilityZone", "us-east-1d")), Labs.Catalog);
        Assert.Contains("  zone        us-east-1d (notebookAvailabilityZone); check every endpoint service is offered there: aws ec2 describe-vpc-endpoint-services",
            MimicInfra.Cli.LabPreview.Summary(named, LabCompiler.Compile(named)));
        Assert.Contains("AWS lab VPC interface endpoints: 4 endpoints x 1 zone x 730 h = 2,920 endpoint-hours", text);
    }

    [Fact]
    public void TheNetworkIsBuiltFromItsArgsAlone_AndAProgramThatNeverAddsTheAccountItNamesFailsToBuild()
    {
        var program = new ProgramBuilder();
        var shared = AwsLabResources.Declare(program);
        program.Add(AwsProvider.Name, "pulumi:providers:aws", new YMap(), new ResourceOptions(null, AwsProvider.Version));
        new LabNetwork(program, new()
        {
            Vpc = new("eu-west-1b"), Region = "eu-west-1", LabName = "lab", Tags = YMap.Of(("lab", "lab")),
            Account = shared.Account, S3Endpoint = shared.S3Endpoint, Subnet = shared.LabSubnet, NotebookSecurityGroup = shared.NotebookSecurityGroup,
        }).Build();
        // The endpoints' policies reference the caller identity, which the orchestrator adds: without it, no program.
        Assert.Contains("'awsAccount' is referenced but was never added", Assert.Throws<InvalidOperationException>(() => program.Build("p", "d")).Message);

        program.Variable(shared.Account, new YMap());
        var built = program.Build("p", "d");
        var subnet = built.Resources.Single(r => r.Type == "aws:ec2/subnet:Subnet");
        Assert.Equal(shared.LabSubnet.LogicalName, subnet.Name);                     // the workspace's notebook names it through the same handle
        Assert.Equal("eu-west-1b", subnet.Properties["availabilityZone"]);
        Assert.Empty(subnet.Options!.IgnoreChanges);                                  // a zone the stack names is not chosen at deploy
        Assert.Contains(built.Resources, r => r.Name == shared.S3Endpoint.LogicalName && r.Type == "aws:ec2/vpcEndpoint:VpcEndpoint");
        Assert.Contains(built.Resources, r => r.Name == shared.NotebookSecurityGroup.LogicalName && r.Type == "aws:ec2/securityGroup:SecurityGroup");
        Assert.Equal([shared.Account.LogicalName], built.Variables.Select(v => v.Key));   // no zone lookup either
    }
}
