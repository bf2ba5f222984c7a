namespace MimicInfra.Gcp;

/// <summary>
/// The GCP lab's optional hardening, read once from the stack: customer-managed keys (existing Cloud KMS keys the
/// lab uses but never creates, since a KMS key cannot be deleted), the BigQuery data-access audit log's retention,
/// and what JupyterLab on the Workbench instance lets a researcher do.
/// </summary>
public sealed record GcpHardening(
    string? ScratchKmsKey,
    string? WorkbenchKmsKey,
    int AuditLogRetentionDays,
    bool WorkbenchDisableDownloads,
    bool WorkbenchDisableTerminal)
{
    public const int DefaultAuditLogRetentionDays = 365;

    public static GcpHardening Default { get; } = new(null, null, DefaultAuditLogRetentionDays, WorkbenchDisableDownloads: true, WorkbenchDisableTerminal: false);

    /// <summary>The location of a key (projects/P/locations/L/keyRings/R/cryptoKeys/K): `us`, a region such as us-central1, or global.</summary>
    public static string KeyLocation(string key) => key.Split('/')[3];
}
