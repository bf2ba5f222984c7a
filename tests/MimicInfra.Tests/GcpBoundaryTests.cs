using MimicInfra.Check;
using MimicInfra.Cli;
using MimicInfra.Lab;
using YamlDotNet.Serialization;

namespace MimicInfra.Tests;

/// <summary>
/// The GCP exfiltration boundary and the audit record's lock, by control: the VPC Service Controls perimeter, restricted
/// Google APIs on the Workbench network, the Workbench terminal and the audit log bucket lock; and `check`'s rule for each.
/// </summary>
public class GcpBoundaryTests
{
    private const string Policy = "123456789012";
    private static readonly (string, string)[] Perimeter = [("gcpAccessPolicy", Policy)];

    private static StackConfig Stack(params (string, string)[] extra) => Gcp.Only31([.. Gcp.Workbench, .. extra]);

    private static ParsedProgram Program(params (string, string)[] extra) => new(Labs.Compile(Stack(extra)));

    private static LabSettings Settings(params (string, string)[] extra) => LabSettingsReader.Read(Stack(extra), Labs.Catalog);

    private static string Preview(params (string, string)[] extra) { var lab = Settings(extra); return LabPreview.Summary(lab, LabCompiler.Compile(lab)); }

    private static IReadOnlyList<CheckProblem> Check(Action<ParsedProgram> change, params (string, string)[] extra)
    {
        var p = Program(extra);
        change(p);
        return LabRules.Check(new SerializerBuilder().Build().Serialize(p.Root), Settings(extra));
    }

    private static Dictionary<object, object> Rules(ParsedProgram p, string part = "status") => p.Named(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource)[part].Map();

    [Fact]
    public void VpcServiceControls_ThePerimeterHoldsTheProjectAndRestrictsBigQueryStorageAndNotebooks()
    {
        var p = Program(Perimeter);
        var perimeter = p.Single("gcp:accesscontextmanager/servicePerimeter:ServicePerimeter");
        Assert.Equal($"accessPolicies/{Policy}", perimeter["parent"]);
        Assert.Matches($"^accessPolicies/{Policy}/servicePerimeters/[A-Za-z][A-Za-z0-9_]{{0,49}}$", (string)perimeter["name"]);
        Assert.Equal("PERIMETER_TYPE_REGULAR", perimeter["perimeterType"]);
        var rules = Rules(p);
        Assert.Equal(new List<object> { "projects/${gcpProjectInfo.number}" }, rules["resources"]);
        Assert.Equal("gcp:organizations/getProject:getProject", p.Root["variables"].Map()["gcpProjectInfo"].Map()["fn::invoke"].At("function"));
        Assert.Equal("mimic-research-1", p.Root["variables"].Map()["gcpProjectInfo"].Map()["fn::invoke"].At("arguments", "projectId"));
        Assert.Equal(new List<object> { "bigquery.googleapis.com", "storage.googleapis.com", "notebooks.googleapis.com" }, rules["restrictedServices"]);
        Assert.False(perimeter.ContainsKey("spec"));
        Assert.Equal("${gcpPerimeter.name}", p.Outputs["gcpPerimeter"]);
    }

    [Fact]
    public void VpcServiceControls_EgressOnlyReadsBigQueryOutsideSoNoCopyExtractOrQueryWritesToAnotherProject()
    {
        var egress = Assert.Single(Rules(Program(Perimeter))["egressPolicies"].List()).Map();
        // Queries of the project read physionet-data (another project) through the views: read permissions, any identity
        // (the deployer's view creation reads the source's schema too), any project outside.
        Assert.Equal("ANY_IDENTITY", egress.At("egressFrom", "identityType"));
        Assert.Equal(new List<object> { "*" }, egress.At("egressTo", "resources"));
        var op = Assert.Single(egress.At("egressTo", "operations").List()).Map();
        Assert.Equal("bigquery.googleapis.com", op["serviceName"]);
        Assert.Equal(new[] { "bigquery.datasets.get", "bigquery.tables.get", "bigquery.tables.list", "bigquery.tables.getData" },
            op["methodSelectors"].List().Select(s => s.At("permission")));
        // Nothing that writes: a copy or query into another project needs bigquery.tables.create/updateData there, an
        // extract writes to Cloud Storage, which has no egress at all; no job may be created in another project.
        Assert.DoesNotContain(op["methodSelectors"].List(), s => s.Map().ContainsKey("method"));
        Assert.DoesNotContain(egress.At("egressTo").Map().Keys, k => (string)k == "roles");
    }

    [Fact]
    public void VpcServiceControls_OnlyTheMembersCrossIntoThePerimeter_UnderTheAccessLevelWhenOneIsSet()
    {
        var rules = Rules(Program(Perimeter))["ingressPolicies"].List();
        Assert.Equal(2, rules.Count);
        var ingress = rules[0].Map();
        // The expiry stop (a workflow, outside any network of the perimeter) may call the Notebooks API to stop the
        // instance, as its own service account, which IAM limits to notebooks.instances.stop.
        var expiry = rules[1];
        Assert.Equal(new List<object> { "serviceAccount:${expiryServiceAccount.email}" }, expiry.At("ingressFrom", "identities"));
        Assert.Equal("notebooks.googleapis.com", expiry.At("ingressTo", "operations").List().Single().At("serviceName"));
        Assert.Single(new ParsedProgram(Labs.Compile(Gcp.Only31(Perimeter))).Named(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource)["status"].At("ingressPolicies").List());
        Assert.Equal(new List<object> { "user:jdoe@example.org", "group:icu-lab@example.org" }, ingress.At("ingressFrom", "identities"));
        Assert.Equal("*", ingress.At("ingressFrom", "sources").List().Single().At("accessLevel"));
        Assert.Equal(new[] { "bigquery.googleapis.com", "notebooks.googleapis.com" }, ingress.At("ingressTo", "operations").List().Select(o => o.At("serviceName")));
        Assert.False(ingress.At("ingressFrom").Map().ContainsKey("identityType"));   // never ANY_IDENTITY
        const string level = $"accessPolicies/{Policy}/accessLevels/corp_network";
        var narrowed = Rules(Program([.. Perimeter, ("gcpPerimeterAccessLevel", level)]))["ingressPolicies"].List()[0];
        Assert.Equal(level, narrowed.At("ingressFrom", "sources").List().Single().At("accessLevel"));
    }

    [Fact]
    public void VpcServiceControls_DryRunLogsWithTheSameRulesAndEnforcesNothing()
    {
        var p = Program([.. Perimeter, ("gcpPerimeterDryRun", "true")]);
        var perimeter = p.Named(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource);
        Assert.Equal("true", perimeter["useExplicitDryRunSpec"]);
        Assert.False(perimeter.ContainsKey("status"));
        Assert.Equal(Rules(Program(Perimeter)), perimeter["spec"]);
        Assert.Contains("DRY RUN: logs, blocks nothing", Preview([.. Perimeter, ("gcpPerimeterDryRun", "true")]));
    }

    [Fact]
    public void VpcServiceControls_NoPerimeterWithoutAnAccessPolicy_AndPreviewSaysWhatThatLeavesOpen()
    {
        var p = Program();
        Assert.Empty(p.OfType("gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"));
        Assert.Empty(p.OfType("gcp:dns/managedZone:ManagedZone"));
        var preview = Preview();
        Assert.Contains("  perimeter   none: members' credentials reach any project's buckets and datasets from the lab (set gcpAccessPolicy", preview);
        Assert.Contains("  apis        the Workbench instance reaches every Google API through Private Google Access (gcpRestrictedGoogleApis)", preview);
        var bounded = Preview(Perimeter);
        Assert.Contains($"(policy {Policy}) around mimic-research-1: BigQuery, Cloud Storage, Notebooks; queries read BigQuery outside (physionet-data) and write nothing outside", bounded);
        Assert.Contains("members can still copy what they read from outside the perimeter", bounded);
    }

    [Fact]
    public void RestrictedGoogleApis_TheWorkbenchNetworkResolvesGoogleApisAndTheWorkbenchDomainsToTheRestrictedVip()
    {
        var p = Program(Perimeter);
        var zones = p.OfType("gcp:dns/managedZone:ManagedZone");
        Assert.Equal(new[] { "googleapis.com.", "notebooks.cloud.google.com.", "notebooks.googleusercontent.com." }, zones.Select(z => z.Props["dnsName"]));
        Assert.All(zones, z =>
        {
            Assert.Equal("private", z.Props["visibility"]);
            Assert.Equal("mimic-research-1", z.Props["project"]);
            Assert.Equal($"https://www.googleapis.com/compute/v1/{Gcp.Network}", z.Props.At("privateVisibilityConfig", "networks").List().Single().At("networkUrl"));
        });
        var records = p.OfType("gcp:dns/recordSet:RecordSet").ToDictionary(r => (string)r.Props["name"], r => r.Props);
        Assert.Equal(new List<object> { "199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7" }, records["restricted.googleapis.com."]["rrdatas"]);
        Assert.Equal("CNAME", records["*.googleapis.com."]["type"]);
        Assert.Equal(new List<object> { "restricted.googleapis.com." }, records["*.googleapis.com."]["rrdatas"]);
        Assert.Equal("A", records["*.notebooks.googleusercontent.com."]["type"]);
        Assert.Equal(records["restricted.googleapis.com."]["rrdatas"], records["*.notebooks.cloud.google.com."]["rrdatas"]);
        var route = p.Single("gcp:compute/route:Route");
        Assert.Equal("199.36.153.4/30", route["destRange"]);
        Assert.Equal("default-internet-gateway", route["nextHopGateway"]);
        Assert.Contains("restricted.googleapis.com (199.36.153.4/30); only APIs the perimeter enforces", Preview(Perimeter));
    }

    [Fact]
    public void RestrictedGoogleApis_FollowThePerimeterByDefaultAndCanBeSetEitherWay()
    {
        Assert.Empty(Program([("gcpRestrictedGoogleApis", "false"), .. Perimeter]).OfType("gcp:dns/managedZone:ManagedZone"));
        var alone = Program(("gcpRestrictedGoogleApis", "true"));
        Assert.Equal(3, alone.OfType("gcp:dns/managedZone:ManagedZone").Count);
        Assert.Empty(alone.OfType("gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"));
        Assert.Contains("without a perimeter that blocks only APIs VPC Service Controls does not support", Preview(("gcpRestrictedGoogleApis", "true")));
    }

    [Theory]
    [InlineData("gcpAccessPolicy", "my-policy", "mimic-infra:gcpAccessPolicy: 'my-policy' must be the numeric id of an access policy")]
    [InlineData("gcpAccessPolicy", "${gcpProvider.id}", "must be the numeric id of an access policy")]
    [InlineData("gcpPerimeterAccessLevel", "accessPolicies/999/accessLevels/corp", "mimic-infra:gcpPerimeterAccessLevel: 'accessPolicies/999/accessLevels/corp' belongs to another access policy than gcpAccessPolicy 123456789012")]
    [InlineData("gcpPerimeterAccessLevel", "corp", "mimic-infra:gcpPerimeterAccessLevel: 'corp' must be accessPolicies/POLICY_ID/accessLevels/NAME.")]
    public void BadBoundarySettingsAreRejectedNamingTheKey(string key, string value, string expected)
    {
        var e = Assert.Throws<UserError>(() => Settings([.. Perimeter, (key, value)]));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("gcpPerimeterDryRun", "true", "the lab has no perimeter (set gcpAccessPolicy); remove the setting.")]
    [InlineData("gcpPerimeterAccessLevel", "accessPolicies/1/accessLevels/corp", "the lab has no perimeter (set gcpAccessPolicy); remove the setting.")]
    public void PerimeterSettingsWithoutAPerimeterAreRejected(string key, string value, string expected)
    {
        var e = Assert.Throws<UserError>(() => Settings((key, value)));
        Assert.Contains($"mimic-infra:{key}: {expected}", e.Message);
        var noWorkbench = Assert.Throws<UserError>(() => LabSettingsReader.Read(Gcp.Only31(("gcpRestrictedGoogleApis", "true")), Labs.Catalog));
        Assert.Contains("mimic-infra:gcpRestrictedGoogleApis: the lab has no Workbench instance (gcpWorkbench false); remove the setting.", noWorkbench.Message);
    }

    [Fact]
    public void WorkbenchTerminal_OffForCredentialedReleasesOnForOpenOnesUnlessSet()
    {
        static string Terminal(StackConfig s) => (string)new ParsedProgram(Labs.Compile(s)).Single("gcp:workbench/instance:Instance").At("gceSetup", "metadata", "notebook-disable-terminal")!;
        Assert.Equal("true", Terminal(Stack()));
        static StackConfig Demo(params (string, string)[] extra) => Labs.Config("iiidemo", [.. Labs.Basics, ("release", "mimic-iii-demo-1.4"), ("aws", "false"), .. Gcp.Settings, .. Gcp.Workbench, .. extra]);
        Assert.Equal("false", Terminal(Demo()));
        Assert.Equal("true", Terminal(Demo(("gcpWorkbenchDisableTerminal", "true"))));
        Assert.Equal("false", Terminal(Stack(("gcpWorkbenchDisableTerminal", "false"))));
    }

    [Fact]
    public void AuditLogBucketLock_LockedForCredentialedReleasesAndPreviewSaysTheLockIsIrreversible()
    {
        Assert.Equal("true", Program().Named("bigqueryAuditLogBucket")["locked"]);
        Assert.Equal("false", Program(("gcpAuditLogLocked", "false")).Named("bigqueryAuditLogBucket")["locked"]);
        var demo = Labs.Config("iiidemo", [.. Labs.Basics, ("release", "mimic-iii-demo-1.4"), ("aws", "false"), .. Gcp.Settings]);
        Assert.Equal("false", new ParsedProgram(Labs.Compile(demo)).Named("bigqueryAuditLogBucket")["locked"]);
        var preview = Preview();
        Assert.Contains("LOCKED: irreversible, its entries cannot be deleted nor its retention changed, and the bucket cannot be deleted until every entry is 365 days old", preview);
        Assert.Contains("not locked (gcpAuditLogLocked)", Preview(("gcpAuditLogLocked", "false")));
    }

    [Fact]
    public void Check_RefusesAPerimeterEgressRuleThatLetsAnythingBeWrittenOutside()
    {
        static void Egress(ParsedProgram p, Dictionary<object, object> op) =>
            Rules(p)["egressPolicies"].List()[0].At("egressTo", "operations").List().Add(op);
        var storage = Check(p => Egress(p, new() { ["serviceName"] = "storage.googleapis.com", ["methodSelectors"] = new List<object> { new Dictionary<object, object> { ["method"] = "*" } } }), Perimeter);
        Assert.Equal("gcpPerimeter: a perimeter egress rule lets storage.googleapis.com reach outside; the lab's egress only reads BigQuery", Assert.Single(storage).ToString());
        var anyMethod = Check(p => Egress(p, new() { ["serviceName"] = "bigquery.googleapis.com", ["methodSelectors"] = new List<object> { new Dictionary<object, object> { ["method"] = "*" } } }), Perimeter);
        Assert.StartsWith("gcpPerimeter: a perimeter egress rule allows method * outside; only bigquery.datasets.get", Assert.Single(anyMethod).ToString());
        var write = Check(p => Egress(p, new() { ["serviceName"] = "bigquery.googleapis.com", ["methodSelectors"] = new List<object> { new Dictionary<object, object> { ["permission"] = "bigquery.tables.updateData" } } }), Perimeter);
        Assert.StartsWith("gcpPerimeter: a perimeter egress rule allows bigquery.tables.updateData outside", Assert.Single(write).ToString());
        var dryRunWrite = Check(p => p.Named(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource)["spec"].At("egressPolicies").List()[0].At("egressTo", "operations").List()
            .Add(new Dictionary<object, object> { ["serviceName"] = "bigquery.googleapis.com" }), [.. Perimeter, ("gcpPerimeterDryRun", "true")]);
        Assert.StartsWith("gcpPerimeter: a perimeter egress rule allows every method outside", Assert.Single(dryRunWrite).ToString());
    }

    [Fact]
    public void Check_RefusesAPerimeterTheStackAskedForThatIsGoneOrLeaksAService()
    {
        var gone = Check(p => ((Dictionary<object, object>)p.Root["resources"]).Remove(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource), Perimeter);
        Assert.StartsWith("gcpPerimeter: the stack sets gcpAccessPolicy, but the program has no perimeter", Assert.Single(gone).ToString());
        var storageOpen = Check(p => Rules(p)["restrictedServices"].List().Remove("storage.googleapis.com"), Perimeter);
        Assert.Equal("gcpPerimeter: the perimeter must restrict storage.googleapis.com", Assert.Single(storageOpen).ToString());
        var enforcedWhenDryRunAsked = Check(p => { var r = p.Named(MimicInfra.Gcp.Boundary.GcpBoundary.PerimeterResource); r["status"] = r["spec"]; r.Remove("spec"); }, [.. Perimeter, ("gcpPerimeterDryRun", "true")]);
        Assert.NotEmpty(enforcedWhenDryRunAsked);
    }

    [Fact]
    public void Check_RefusesARestrictedApiRecordThatResolvesElsewhereOrAMissingZone()
    {
        var privateVip = Check(p => p.Named("restrictedApis-googleapis-all")["rrdatas"] = new List<object> { "private.googleapis.com." }, Perimeter);
        Assert.Equal("restrictedApis-googleapis-all: a restricted-API record must resolve to restricted.googleapis.com (199.36.153.4/30); it resolves to private.googleapis.com.", Assert.Single(privateVip).ToString());
        var otherIp = Check(p => p.Named("restrictedApis-notebooks-content-all")["rrdatas"] = new List<object> { "199.36.153.8" }, Perimeter);
        Assert.Single(otherIp);
        var noZone = Check(p => ((Dictionary<object, object>)p.Root["resources"]).Remove("restrictedApis-notebooks-cloud"), Perimeter);
        Assert.Equal("restrictedApis: gcpRestrictedGoogleApis is on, but no private zone resolves notebooks.cloud.google.com. on the Workbench network", Assert.Single(noZone).ToString());
    }

    [Fact]
    public void Check_RefusesTheTerminalOnOrAnUnlockedAuditBucketWhereTheStackTurnedThemOff()
    {
        var terminal = Check(p => p.Single("gcp:workbench/instance:Instance").At("gceSetup", "metadata").Map()["notebook-disable-terminal"] = "false");
        Assert.Equal("workbench: gceSetup.metadata.notebook-disable-terminal must be \"true\": the terminal is off for a credentialed release unless gcpWorkbenchDisableTerminal is false", Assert.Single(terminal).ToString());
        var unlocked = Check(p => p.Named("bigqueryAuditLogBucket")["locked"] = false);
        Assert.Equal("bigqueryAuditLogBucket: the audit log bucket must be locked (locked: true) for a credentialed release unless gcpAuditLogLocked is false", Assert.Single(unlocked).ToString());
        Assert.Empty(Check(p => { }, ("gcpWorkbenchDisableTerminal", "false"), ("gcpAuditLogLocked", "false")));
    }

    [Theory]
    [InlineData("perimeter")]
    [InlineData("dry-run")]
    [InlineData("restricted-only")]
    public void BoundedLabsPassTheirOwnRulesAndTheSchemas(string variant)
    {
        (string, string)[] extra = variant switch
        {
            "perimeter" => [.. Perimeter, ("gcpPerimeterAccessLevel", $"accessPolicies/{Policy}/accessLevels/corp")],
            "dry-run" => [.. Perimeter, ("gcpPerimeterDryRun", "true")],
            _ => [("gcpRestrictedGoogleApis", "true")],
        };
        var text = Labs.Compile(Stack(extra));
        Assert.Empty(LabRules.Check(text, Settings(extra)));
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(text).Problems);
    }
}
