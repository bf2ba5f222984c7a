namespace MimicInfra.Gcp.Boundary;

/// <summary>
/// The GCP lab's exfiltration boundary, read once from the stack: a VPC Service Controls perimeter under an existing
/// access policy (null: none), whether it only logs (dry run), the access level members must meet from outside, and
/// whether the Workbench network resolves Google APIs to restricted.googleapis.com.
/// </summary>
public sealed record GcpBoundarySettings(string? AccessPolicy, bool DryRun, string? AccessLevel, bool RestrictedGoogleApis)
{
    public static GcpBoundarySettings None { get; } = new(AccessPolicy: null, DryRun: false, AccessLevel: null, RestrictedGoogleApis: false);

    public bool Perimeter => AccessPolicy is not null;
}
