namespace MimicInfra.Aws.Audit;

/// <summary>Where a lab's audit trail is (the `auditTrail` setting).</summary>
public enum AuditTrailMode
{
    /// <summary>No trail: allowed only for open releases, and said so in preview.</summary>
    None,

    /// <summary>The lab creates its own trail, logs bucket and retention (<see cref="LabAuditTrail"/>).</summary>
    Lab,

    /// <summary>A trail that already covers the account (an organization trail, or the account's own), named by ARN.</summary>
    Organization,
}

/// <summary>
/// The audit trail of a lab's AWS side, read once from the stack (<see cref="AuditSettingsReader"/>).
/// </summary>
/// <param name="RetentionDays">Days the lab trail's records (log files, digests, exported query history) are kept.</param>
/// <param name="KeepOnDestroy">Whether `pulumi destroy` keeps the trail bucket with its guards (and the lab key that decrypts it).</param>
/// <param name="OrganizationTrail">The existing trail's ARN, for <see cref="AuditTrailMode.Organization"/>.</param>
public sealed record AuditTrailSettings(AuditTrailMode Mode, int RetentionDays, bool KeepOnDestroy, OrganizationTrailArn? OrganizationTrail)
{
    public static AuditTrailSettings None { get; } = new(AuditTrailMode.None, 0, false, null);

    public bool CreatesTrail => Mode == AuditTrailMode.Lab;
}

/// <summary>A CloudTrail trail ARN, split: arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME.</summary>
public sealed record OrganizationTrailArn(string Arn, string Partition, string Region, string Account, string Name);
