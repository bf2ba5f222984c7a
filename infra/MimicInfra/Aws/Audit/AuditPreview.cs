using MimicInfra.Lab;

namespace MimicInfra.Aws.Audit;

/// <summary>
/// What `preview` says about a lab's audit trail: what the lab's own trail records and keeps, or what could be checked
/// offline about the organization trail named instead and the commands that check the rest; and what survives of the
/// Athena query history. A pure function of the settings.
/// </summary>
public static class AuditPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        var audit = aws.AuditTrail;
        switch (audit.Mode)
        {
            case AuditTrailMode.None:
                yield return "  audit       none (open data; auditTrail none): only CloudTrail's 90-day event history of management events, no S3 data events. Set auditTrail to lab for a trail";
                break;
            case AuditTrailMode.Lab:
                yield return $"  audit       trail {LabAuditTrail.TrailName(lab.Names)}, multi-region, home {aws.Region}: every management event (read and write) and the S3 data events " +
                             $"(read and write) on the lab's buckets ({string.Join(", ", LoggedBuckets(lab))}) and on its own bucket (all but its deliveries); log file validation; " +
                             (aws.KmsEncryption ? $"encrypted with KMS key {lab.Names.KmsAlias}" : "encrypted with S3-managed keys (resultsEncryption s3: no lab key)");
                yield return $"  audit logs  bucket {LabAuditTrail.BucketPrefixOf(lab.Names)}<unique suffix>: private, TLS only, versioned, Object Lock (governance) for {audit.RetentionDays} days, " +
                             "no delete but CloudTrail's, query history readable by the lab's people only; records expire after the lock, " +
                             (audit.KeepOnDestroy
                                 ? "kept on destroy with its guards" + (aws.KmsEncryption ? $" and the key {lab.Names.KmsAlias} that decrypts them" : "") + "; delete them once the records have expired"
                                 : "destroyed with the lab (auditKeepOnDestroy false; the provider's force destroy removes locked records too)");
                yield return "  audit cost  the first copy of management events in an account is free; if another trail (an organization trail) already delivers them, this trail's copy is billed: " +
                             "then name that trail instead (auditTrail organization:<ARN>). Data events are billed from the first (see the cost lines)";
                break;
            case AuditTrailMode.Organization:
                var org = audit.OrganizationTrail!;
                yield return $"  audit       organization trail {org.Arn}: not created by the lab. Checked here: the ARN's form, partition {org.Partition}, " +
                             $"home region {org.Region}" + (org.Region == aws.Region ? " (the lab's)" : $" (not the lab's {aws.Region}: it covers the lab only if it is multi-region)") +
                             $", account {org.Account}" + (lab.Providers.AwsAccountId is { } acct
                                 ? org.Account == acct ? " (this lab's account: its own trail, or the organization's if this is its management or delegated administrator account)" : $" (not the lab's {acct}: the organization's management or delegated administrator account)"
                                 : "");
                foreach (var line in ManualCheck(lab, org)) yield return "  audit check " + line;
                break;
        }
        if (audit.Mode == AuditTrailMode.None) yield break;
        yield return "  athena      query history (text, state, bytes scanned) is Athena's for 45 days and is deleted with the workgroups on destroy. The trail records who started each query, " +
                     "when and in which workgroup (StartQueryExecution; Athena omits the query text), and its S3 data events which objects each query read and wrote; query results stay " +
                     $"{aws.ResultsRetentionDays} days in the results bucket. The texts survive only if exported before destroy: run output athenaHistoryBeforeDestroy " +
                     (audit.Mode == AuditTrailMode.Lab
                         ? $"(into the trail bucket, {LabAuditTrail.QueryHistoryPrefix}, kept {audit.RetentionDays} days)"
                         : $"(into the results bucket, {LabAuditTrail.QueryHistoryPrefix}, " + (aws.KeepResultsOnDestroy ? "kept on destroy)" : "which destroy deletes unless keepResultsOnDestroy)"));
    }

    private static IEnumerable<string> LoggedBuckets(LabSettings lab) =>
        lab.Aws!.OwnsData ? ["data", "results"] : ["results", .. lab.Aws.Sources.ModuleSources.Values.Select(s => s.ApiBucket).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The lab's logged buckets as a platform engineer finds them after `pulumi up`: stack outputs, or the source buckets read in place.</summary>
    private static IEnumerable<string> BucketOutputs(LabSettings lab) =>
        lab.Aws!.OwnsData ? ["stack outputs dataBucket and resultsBucket"] : ["stack output resultsBucket", .. lab.Aws.Sources.ModuleSources.Values.Select(s => s.ApiBucket).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// What only the account can tell, as commands a platform engineer runs (in the trail's home region; a member
    /// account sees an organization trail but only the management account can change it).
    /// </summary>
    public static IEnumerable<string> ManualCheck(LabSettings lab, OrganizationTrailArn org)
    {
        yield return $"aws cloudtrail get-trail-status --name {org.Arn} --region {org.Region}   # IsLogging: true";
        yield return $"aws cloudtrail describe-trails --trail-name-list {org.Arn} --region {org.Region}   # IsMultiRegionTrail: true (or HomeRegion {lab.Aws!.Region}), " +
                     "IsOrganizationTrail, LogFileValidationEnabled: true, KmsKeyId set";
        yield return $"aws cloudtrail get-event-selectors --trail-name {org.Arn} --region {org.Region}   # management events read and write, and S3 data events (AWS::S3::Object) " +
                     $"on all buckets or on the lab's ({string.Join(", ", BucketOutputs(lab))}); without them the lab's data reads are not recorded (S3.22/S3.23)";
        yield return "and ask the trail's owner how long its bucket keeps the records: that retention is the lab's";
    }
}
