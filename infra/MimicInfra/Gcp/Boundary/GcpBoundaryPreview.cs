using MimicInfra.Lab;

namespace MimicInfra.Gcp.Boundary;

/// <summary>What `preview` says about the GCP boundary: the perimeter (or its absence) and how the Workbench network reaches Google APIs.</summary>
public static class GcpBoundaryPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        var gcp = lab.Gcp!;
        var b = gcp.Boundary;
        if (b.Perimeter)
        {
            yield return $"  perimeter   VPC Service Controls perimeter {GcpBoundary.PerimeterId(lab.Names.Lab)} (policy {b.AccessPolicy}{(b.DryRun ? ", DRY RUN: logs, blocks nothing" : "")}) around {gcp.Project}: " +
                         $"BigQuery, Cloud Storage, Notebooks; queries read BigQuery outside (physionet-data) and write nothing outside; " +
                         $"gcpMembers reach it {(b.AccessLevel is { } level ? $"only under {level}" : "from anywhere")}; run `pulumi up` as one of them";
            yield return "              members can still copy what they read from outside the perimeter (their PhysioNet access is their own); see README \"The GCP boundary\"";
        }
        else if (lab.Release.Access == Catalog.Access.Credentialed)
            yield return "  perimeter   none: members' credentials reach any project's buckets and datasets from the lab (set gcpAccessPolicy for a VPC Service Controls perimeter)";
        if (gcp.Workbench is { } wb)
            yield return b.RestrictedGoogleApis
                ? $"  apis        {wb.Network} resolves googleapis.com and the Workbench domains to restricted.googleapis.com ({GcpBoundary.RestrictedVipRange}); " +
                  (b.Perimeter ? "only APIs the perimeter enforces" : "without a perimeter that blocks only APIs VPC Service Controls does not support")
                : "  apis        the Workbench instance reaches every Google API through Private Google Access (gcpRestrictedGoogleApis)";
    }
}
