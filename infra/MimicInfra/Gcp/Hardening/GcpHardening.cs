namespace MimicInfra.Gcp.Hardening;

/// <summary>
/// The GCP lab's optional hardening, read once from the stack: customer-managed keys (existing Cloud KMS keys the
/// lab uses but never creates, since a KMS key cannot be deleted), the BigQuery data-access audit log's retention,
/// whether its bucket is locked, and what JupyterLab on the Workbench instance lets a researcher do.
/// </summary>
public sealed record GcpHardening(
    string? ScratchKmsKey,
    string? WorkbenchKmsKey,
    int AuditLogRetentionDays,
    bool WorkbenchDisableDownloads,
    bool WorkbenchDisableTerminal)
{
    public const int DefaultAuditLogRetentionDays = 365;

    /// <summary>The audit log bucket is locked: nothing deletes its entries before retention, and the lock cannot be undone.</summary>
    public bool AuditLogLocked { get; init; }

    public static GcpHardening Default { get; } = new(null, null, DefaultAuditLogRetentionDays, WorkbenchDisableDownloads: true, WorkbenchDisableTerminal: false);

    /// <summary>The location of a key (projects/P/locations/L/keyRings/R/cryptoKeys/K): `us`, a region such as us-central1, or global.</summary>
    public static string KeyLocation(string key) => key.Split('/')[3];
}
