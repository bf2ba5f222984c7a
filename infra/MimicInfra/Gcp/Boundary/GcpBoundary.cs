using MimicInfra.Program;

namespace MimicInfra.Gcp.Boundary;

/// <summary>What the boundary needs: its settings, the lab's project, members and names, and the handles it references.</summary>
public sealed record GcpBoundaryArgs
{
    public required GcpBoundarySettings Boundary { get; init; }
    public required string Project { get; init; }
    public required IReadOnlyList<string> Members { get; init; }
    /// <summary>The lab's Workbench instance (null: none): its network gets the restricted APIs, its expiry stop an ingress rule.</summary>
    public required WorkbenchSettings? Workbench { get; init; }
    /// <summary>The lab's name (perimeter id and title, zone and route names).</summary>
    public required string LabName { get; init; }
    public required string Study { get; init; }
    public required YMap Labels { get; init; }
    public required Handle ProjectInfo { get; init; }
    public required Handle ComputeService { get; init; }
    public required Handle ExpiryServiceAccount { get; init; }
}

/// <summary>
/// The perimeter and the restricted API routing. VPC Service Controls blocks a restricted service's calls that cross the
/// perimeter unless an ingress or egress rule admits them, whatever IAM allows. So:
/// - the perimeter holds the researcher's project and restricts BigQuery, Cloud Storage and Notebooks in it: from inside
///   (the Workbench VM, BigQuery jobs of the project) nothing is written to a bucket, dataset or job of another project;
/// - one egress rule lets queries in the project read BigQuery data outside (the views read physionet-data, which is
///   another project): read permissions only, so a copy, extract or query that writes outside stays blocked;
/// - one ingress rule lets the lab's members (from anywhere, or from an access level) use BigQuery and Notebooks in the
///   project: the console, `bq` and the Workbench proxy work, and nobody else reaches the data across the perimeter.
/// With restricted Google APIs the Workbench network resolves *.googleapis.com and the Workbench domains to
/// restricted.googleapis.com (199.36.153.4/30), which serves only APIs VPC Service Controls supports, so no other API
/// becomes a way out of the VM.
/// </summary>
public sealed class GcpBoundary(ProgramBuilder program, GcpBoundaryArgs args)
{
    public const string PerimeterResource = "gcpPerimeter";
    public const string ProjectInfoVariable = "gcpProjectInfo";
    public const string RestrictedVipRange = "199.36.153.4/30";
    public static readonly string[] RestrictedVips = ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"];
    public static readonly string[] RestrictedServices = ["bigquery.googleapis.com", "storage.googleapis.com", "notebooks.googleapis.com"];

    /// <summary>What a query in the project may do to BigQuery outside the perimeter: read table data and metadata, nothing else.</summary>
    public static readonly string[] OutsideReadPermissions = ["bigquery.datasets.get", "bigquery.tables.get", "bigquery.tables.list", "bigquery.tables.getData"];

    /// <summary>What members may use inside the perimeter from outside it.</summary>
    public static readonly string[] MemberServices = ["bigquery.googleapis.com", "notebooks.googleapis.com"];

    /// <summary>Private zones on the Workbench network, each resolved to the restricted VIP (Workbench's service-perimeter setup).</summary>
    public static readonly (string Key, string DnsName)[] RestrictedZones =
    [
        ("googleapis", "googleapis.com."),
        ("notebooks-cloud", "notebooks.cloud.google.com."),
        ("notebooks-content", "notebooks.googleusercontent.com."),
    ];

    private GcpBoundarySettings Boundary => args.Boundary;

    /// <summary>A perimeter id of a lab's name: a letter first, then letters, digits and underscores, at most 50 characters.</summary>
    public static string PerimeterId(string labName)
    {
        var id = labName.Replace('-', '_');
        return id.Length > 50 ? id[..50] : id;
    }

    public void Build()
    {
        if (Boundary.Perimeter) Perimeter();
        if (Boundary.RestrictedGoogleApis && args.Workbench is { } wb) RestrictedApis(wb);
    }

    private void Perimeter()
    {
        var policy = Boundary.AccessPolicy!;
        program.Variable(args.ProjectInfo, GcpProvider.Invoke("gcp:organizations/getProject:getProject", YMap.Of(("projectId", args.Project))));
        var rules = YMap.Of(
            ("resources", new object[] { ProjectResource(args.ProjectInfo) }),
            ("restrictedServices", RestrictedServices.Cast<object>().ToList()),
            ("ingressPolicies", new object[]
            {
                YMap.Of(
                    ("title", "lab members use BigQuery and Notebooks"),
                    ("ingressFrom", YMap.Of(
                        ("identities", args.Members.Cast<object>().ToList()),
                        ("sources", new object[] { YMap.Of(("accessLevel", Boundary.AccessLevel ?? "*")) }))),
                    ("ingressTo", YMap.Of(
                        ("resources", new object[] { "*" }),
                        ("operations", MemberServices.Select(s => (object)YMap.Of(("serviceName", s), ("methodSelectors", new object[] { YMap.Of(("method", "*")) }))).ToList())))),
            }.Concat(ExpiryStopIngress()).ToList()),
            ("egressPolicies", new object[]
            {
                YMap.Of(
                    ("title", "queries read BigQuery data outside (physionet-data), write nothing outside"),
                    ("egressFrom", YMap.Of(("identityType", "ANY_IDENTITY"))),
                    ("egressTo", YMap.Of(
                        ("resources", new object[] { "*" }),
                        ("operations", new object[]
                        {
                            YMap.Of(("serviceName", "bigquery.googleapis.com"),
                                    ("methodSelectors", OutsideReadPermissions.Select(p => (object)YMap.Of(("permission", p))).ToList())),
                        })))),
            }));
        var perimeter = program.Add(PerimeterResource, "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter", YMap.Of(
            ("parent", $"accessPolicies/{policy}"),
            ("name", $"accessPolicies/{policy}/servicePerimeters/{PerimeterId(args.LabName)}"),
            ("title", args.LabName),
            ("description", $"VPC Service Controls perimeter of MIMIC lab {args.LabName} (study {args.Study}) around project {args.Project}. Managed by MimicInfra."),
            ("perimeterType", "PERIMETER_TYPE_REGULAR"),
            // Dry run: the same rules as `spec`, which only logs what it would block; the enforced `status` is left empty.
            (Boundary.DryRun ? "spec" : "status", rules),
            ("useExplicitDryRunSpec", Boundary.DryRun ? true : null)), GcpProvider.Options());
        program.Output("gcpPerimeter", perimeter.Out("name"));
    }

    /// <summary>
    /// The expiry stop (GcpExpiryStop) is a Workflows workflow, started by Cloud Scheduler, that calls the Notebooks
    /// API as a service account of its own, from outside any network of the perimeter: without this rule the perimeter
    /// would block the stop. IAM limits that account to stopping the lab's instance.
    /// </summary>
    private IEnumerable<object> ExpiryStopIngress()
    {
        if (args.Workbench is null) yield break;
        yield return YMap.Of(
            ("title", "the expiry job stops the Workbench instance"),
            ("ingressFrom", YMap.Of(
                ("identities", new object[] { $"serviceAccount:{args.ExpiryServiceAccount.Out("email")}" }),
                ("sources", new object[] { YMap.Of(("accessLevel", "*")) }))),
            ("ingressTo", YMap.Of(
                ("resources", new object[] { "*" }),
                ("operations", new object[] { YMap.Of(("serviceName", "notebooks.googleapis.com"), ("methodSelectors", new object[] { YMap.Of(("method", "*")) })) }))));
    }

    /// <summary>The expiry stop's service account (the resource GcpExpiryStop adds whenever there is a Workbench instance).</summary>
    public const string ExpiryServiceAccount = "expiryServiceAccount";

    private void RestrictedApis(WorkbenchSettings wb)
    {
        var networkProject = wb.Network.Split('/')[1];
        var networkUrl = $"https://www.googleapis.com/compute/v1/{wb.Network}";
        var dns = GcpProvider.Service(program, "service-dns", "dns.googleapis.com", networkProject);
        foreach (var (key, dnsName) in RestrictedZones)
        {
            var name = $"restrictedApis-{key}";
            var zone = program.Add(name, "gcp:dns/managedZone:ManagedZone", YMap.Of(
                ("project", networkProject),
                ("name", $"{args.LabName}-{key}"),
                ("dnsName", dnsName),
                ("description", $"{dnsName} resolved to restricted.googleapis.com on the Workbench network of MIMIC lab {args.LabName}. Managed by MimicInfra."),
                ("visibility", "private"),
                ("privateVisibilityConfig", YMap.Of(("networks", new object[] { YMap.Of(("networkUrl", networkUrl)) }))),
                ("labels", args.Labels)), GcpProvider.OptionsAfter(dns));
            if (key == "googleapis")
            {
                Record($"{name}-vip", zone, networkProject, "restricted.googleapis.com.", "A", RestrictedVips);
                Record($"{name}-all", zone, networkProject, "*.googleapis.com.", "CNAME", ["restricted.googleapis.com."]);
            }
            else
                Record($"{name}-all", zone, networkProject, $"*.{dnsName}", "A", RestrictedVips);
        }
        // The VIP is reached through the default internet gateway (it is never announced to the internet); a network
        // without a default route needs this one.
        program.Add("restrictedApis-route", "gcp:compute/route:Route", YMap.Of(
            ("project", networkProject),
            ("name", $"{args.LabName}-restricted-apis"),
            ("description", $"restricted.googleapis.com for the Workbench instance of MIMIC lab {args.LabName}. Managed by MimicInfra."),
            ("network", networkUrl),
            ("destRange", RestrictedVipRange),
            ("nextHopGateway", "default-internet-gateway")), GcpProvider.OptionsAfter(args.ComputeService));
    }

    private void Record(string name, Handle zone, string project, string dnsName, string type, IEnumerable<string> data) =>
        program.Add(name, "gcp:dns/recordSet:RecordSet", YMap.Of(
            ("project", project),
            ("managedZone", zone.Out("name")),
            ("name", dnsName),
            ("type", type),
            ("ttl", 300),
            ("rrdatas", data.Cast<object>().ToList())), GcpProvider.Options());

    /// <summary>The perimeter's resource entry for the lab's project: perimeters take project numbers, read at deploy time.</summary>
    private static string ProjectResource(Handle projectInfo) => $"projects/{projectInfo.Out("number")}";
}
