using MimicInfra.Catalog;
using MimicInfra.Gcp.Boundary;
using MimicInfra.Gcp.CostGuards;
using MimicInfra.Gcp.Hardening;

namespace MimicInfra.Gcp;

/// <summary>The GCP side of a lab: BigQuery datasets of views over physionet-data, a scratch dataset, access.</summary>
public sealed record GcpSettings(
    string Project,
    string Location,
    IReadOnlyList<string> Members,
    int ScratchExpirationDays,
    bool KeepScratchOnDestroy,
    WorkbenchSettings? Workbench)
{
    /// <summary>The daily per-user query quota and the notebook's per-query byte cap.</summary>
    public GcpCostGuards CostGuards { get; init; } = GcpCostGuards.Default;

    /// <summary>The derived module offered as views (pinned to its versioned dataset); null when switched off or not pinned.</summary>
    public Module? Derived { get; init; }

    /// <summary>Customer-managed keys, audit log retention and Workbench restrictions.</summary>
    public GcpHardening Hardening { get; init; } = GcpHardening.Default;

    /// <summary>The exfiltration boundary: a VPC Service Controls perimeter and restricted Google APIs.</summary>
    public GcpBoundarySettings Boundary { get; init; } = GcpBoundarySettings.None;
}

/// <summary>
/// The researcher's Workbench instance (Gcp/Workbench builds it, <see cref="Workbench.WorkbenchSettingsReader"/> reads it).
/// Beside <see cref="GcpSettings"/>, of which it is a part, so every GCP concern that looks at the instance sees it.
/// </summary>
public sealed record WorkbenchSettings(string Owner, string MachineType, string Zone, string Subnet, string Network, int IdleMinutes)
{
    // Whatever the zone text (the reader reports a malformed one): a region, never an exception.
    public string Region => Zone.LastIndexOf('-') is > 0 and var dash ? Zone[..dash] : Zone;
}
