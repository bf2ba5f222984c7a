using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The GCP lab's exfiltration boundary, read once from the stack: a VPC Service Controls perimeter under an existing
/// access policy (null: none), whether it only logs (dry run), the access level members must meet from outside, and
/// whether the Workbench network resolves Google APIs to restricted.googleapis.com.
/// </summary>
public sealed record GcpBoundarySettings(string? AccessPolicy, bool DryRun, string? AccessLevel, bool RestrictedGoogleApis)
{
    public static GcpBoundarySettings None { get; } = new(null, false, null, false);

    public bool Perimeter => AccessPolicy is not null;
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
public sealed class GcpBoundary(LabSettings lab, ProgramBuilder program)
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

    private GcpSettings Gcp => lab.Gcp!;
    private GcpBoundarySettings Boundary => Gcp.Hardening.Boundary;
    private ResourceOptions Options(params string[] dependsOn) => new(GcpProvider.Name, GcpProvider.Version) { DependsOn = dependsOn };

    /// <summary>A perimeter id: a letter first, then letters, digits and underscores, at most 50 characters.</summary>
    public static string PerimeterId(LabSettings lab)
    {
        var id = lab.Names.Lab.Replace('-', '_');
        return id.Length > 50 ? id[..50] : id;
    }

    public void Build()
    {
        if (Boundary.Perimeter) Perimeter();
        if (Boundary.RestrictedGoogleApis && Gcp.Workbench is { } wb) RestrictedApis(wb);
    }

    private void Perimeter()
    {
        var policy = Boundary.AccessPolicy!;
        program.Variable(ProjectInfoVariable, GcpProvider.Invoke("gcp:organizations/getProject:getProject", YMap.Of(("projectId", Gcp.Project))));
        var rules = YMap.Of(
            ("resources", new object[] { $"projects/${{{ProjectInfoVariable}.number}}" }),
            ("restrictedServices", RestrictedServices.Cast<object>().ToList()),
            ("ingressPolicies", new object[]
            {
                YMap.Of(
                    ("title", "lab members use BigQuery and Notebooks"),
                    ("ingressFrom", YMap.Of(
                        ("identities", Gcp.Members.Cast<object>().ToList()),
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
        program.Add(new PulumiResource(PerimeterResource, "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter", YMap.Of(
            ("parent", $"accessPolicies/{policy}"),
            ("name", $"accessPolicies/{policy}/servicePerimeters/{PerimeterId(lab)}"),
            ("title", lab.Names.Lab),
            ("description", $"VPC Service Controls perimeter of MIMIC lab {lab.Names.Lab} (study {lab.Study}) around project {Gcp.Project}. Managed by MimicInfra."),
            ("perimeterType", "PERIMETER_TYPE_REGULAR"),
            // Dry run: the same rules as `spec`, which only logs what it would block; the enforced `status` is left empty.
            (Boundary.DryRun ? "spec" : "status", rules),
            ("useExplicitDryRunSpec", Boundary.DryRun ? true : null)), Options()));
        program.Output("gcpPerimeter", $"${{{PerimeterResource}.name}}");
    }

    /// <summary>
    /// The expiry stop (Expiry/GcpExpiryStop) is a Workflows workflow, started by Cloud Scheduler, that calls the Notebooks
    /// API as a service account of its own, from outside any network of the perimeter: without this rule the perimeter
    /// would block the stop. IAM limits that account to stopping the lab's instance.
    /// </summary>
    private IEnumerable<object> ExpiryStopIngress()
    {
        if (Gcp.Workbench is null) yield break;
        yield return YMap.Of(
            ("title", "the expiry job stops the Workbench instance"),
            ("ingressFrom", YMap.Of(
                ("identities", new object[] { $"serviceAccount:${{{ExpiryServiceAccount}.email}}" }),
                ("sources", new object[] { YMap.Of(("accessLevel", "*")) }))),
            ("ingressTo", YMap.Of(
                ("resources", new object[] { "*" }),
                ("operations", new object[] { YMap.Of(("serviceName", "notebooks.googleapis.com"), ("methodSelectors", new object[] { YMap.Of(("method", "*")) })) }))));
    }

    /// <summary>The expiry stop's service account (the resource Expiry/GcpExpiryStop adds whenever there is a Workbench instance).</summary>
    public const string ExpiryServiceAccount = "expiryServiceAccount";

    private void RestrictedApis(WorkbenchSettings wb)
    {
        var networkProject = wb.Network.Split('/')[1];
        var networkUrl = $"https://www.googleapis.com/compute/v1/{wb.Network}";
        program.Add(new PulumiResource("service-dns", "gcp:projects/service:Service", YMap.Of(
            ("project", networkProject),
            ("service", "dns.googleapis.com"),
            ("disableOnDestroy", false)), Options()));
        foreach (var (key, dnsName) in RestrictedZones)
        {
            var zone = $"restrictedApis-{key}";
            program.Add(new PulumiResource(zone, "gcp:dns/managedZone:ManagedZone", YMap.Of(
                ("project", networkProject),
                ("name", $"{lab.Names.Lab}-{key}"),
                ("dnsName", dnsName),
                ("description", $"{dnsName} resolved to restricted.googleapis.com on the Workbench network of MIMIC lab {lab.Names.Lab}. Managed by MimicInfra."),
                ("visibility", "private"),
                ("privateVisibilityConfig", YMap.Of(("networks", new object[] { YMap.Of(("networkUrl", networkUrl)) }))),
                ("labels", GcpLab.LabelsOf(lab))), Options("service-dns")));
            if (key == "googleapis")
            {
                Record($"{zone}-vip", zone, "restricted.googleapis.com.", "A", RestrictedVips);
                Record($"{zone}-all", zone, "*.googleapis.com.", "CNAME", ["restricted.googleapis.com."]);
            }
            else
                Record($"{zone}-all", zone, $"*.{dnsName}", "A", RestrictedVips);
        }
        // The VIP is reached through the default internet gateway (it is never announced to the internet); a network
        // without a default route needs this one.
        program.Add(new PulumiResource("restrictedApis-route", "gcp:compute/route:Route", YMap.Of(
            ("project", networkProject),
            ("name", $"{lab.Names.Lab}-restricted-apis"),
            ("description", $"restricted.googleapis.com for the Workbench instance of MIMIC lab {lab.Names.Lab}. Managed by MimicInfra."),
            ("network", networkUrl),
            ("destRange", RestrictedVipRange),
            ("nextHopGateway", "default-internet-gateway")), Options("service-compute")));
    }

    private void Record(string name, string zone, string dnsName, string type, IEnumerable<string> data) =>
        program.Add(new PulumiResource(name, "gcp:dns/recordSet:RecordSet", YMap.Of(
            ("project", Gcp.Workbench!.Network.Split('/')[1]),
            ("managedZone", $"${{{zone}.name}}"),
            ("name", dnsName),
            ("type", type),
            ("ttl", 300),
            ("rrdatas", data.Cast<object>().ToList())), Options()));

    /// <summary>What `preview` says about the boundary.</summary>
    public static IEnumerable<string> PreviewLines(LabSettings lab)
    {
        var gcp = lab.Gcp!;
        var b = gcp.Hardening.Boundary;
        if (b.Perimeter)
        {
            yield return $"  perimeter   VPC Service Controls perimeter {PerimeterId(lab)} (policy {b.AccessPolicy}{(b.DryRun ? ", DRY RUN: logs, blocks nothing" : "")}) around {gcp.Project}: " +
                         $"BigQuery, Cloud Storage, Notebooks; queries read BigQuery outside (physionet-data) and write nothing outside; " +
                         $"gcpMembers reach it {(b.AccessLevel is { } level ? $"only under {level}" : "from anywhere")}; run `pulumi up` as one of them";
            yield return "              members can still copy what they read from outside the perimeter (their PhysioNet access is their own); see README \"The GCP boundary\"";
        }
        else if (lab.Release.Access == Catalog.Access.Credentialed)
            yield return "  perimeter   none: members' credentials reach any project's buckets and datasets from the lab (set gcpAccessPolicy for a VPC Service Controls perimeter)";
        if (gcp.Workbench is { } wb)
            yield return b.RestrictedGoogleApis
                ? $"  apis        {wb.Network} resolves googleapis.com and the Workbench domains to restricted.googleapis.com ({RestrictedVipRange}); " +
                  (b.Perimeter ? "only APIs the perimeter enforces" : "without a perimeter that blocks only APIs VPC Service Controls does not support")
                : "  apis        the Workbench instance reaches every Google API through Private Google Access (gcpRestrictedGoogleApis)";
    }
}
