using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using static MimicInfra.Lab.ConfigValues;

namespace MimicInfra.Aws.Audit;

/// <summary>The audit trail settings of the AWS side: auditTrail, auditRetentionDays, auditKeepOnDestroy.</summary>
public static partial class AuditSettingsReader
{
    public const string OrganizationPrefix = "organization:";

    public static AuditTrailSettings Read(ConfigValues c, Release? release, string region)
    {
        var credentialed = release?.Access == Access.Credentialed;
        var text = c.Str("auditTrail") ?? (credentialed ? "lab" : "none");
        var retention = (int)c.Integer("auditRetentionDays", 90, 3650);
        var keep = c.Boolean("auditKeepOnDestroy");
        if (text is not "lab")
        {
            // Both only shape the lab's own trail bucket; a stack that sets them expects one.
            foreach (var key in new[] { "auditRetentionDays", "auditKeepOnDestroy" }.Where(c.Has))
                c.Problem(key, $"applies only with auditTrail lab (the lab's own trail bucket); auditTrail is {Q(text)}. Remove {key}, or set auditTrail to lab.");
        }
        switch (text)
        {
            case "lab":
                return new AuditTrailSettings(AuditTrailMode.Lab, retention, keep, null);
            case "none":
                if (credentialed)
                    c.Problem("auditTrail", $"none is not allowed for {release!.Id}: access to credentialed data must leave an audit trail. " +
                                            $"Use lab (the lab creates its own trail) or {OrganizationPrefix}<trail ARN> (the organization trail that already covers the account).");
                return AuditTrailSettings.None;
        }
        if (!text.StartsWith(OrganizationPrefix, StringComparison.Ordinal))
        {
            c.Problem("auditTrail", $"{Q(text)} must be lab (the lab creates its own trail), {OrganizationPrefix}<trail ARN> " +
                                    "(e.g. organization:arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail, the trail that already covers the account)" +
                                    (credentialed ? "." : " or none (open data only)."));
            return AuditTrailSettings.None;
        }
        var arn = text[OrganizationPrefix.Length..];
        var m = TrailArn().Match(arn);
        if (!m.Success)
        {
            c.Problem("auditTrail", $"{Q(arn)} is not a CloudTrail trail ARN; write it as {OrganizationPrefix}arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME " +
                                    "(12-digit account; name 3-128 letters, digits, . _ -, starting and ending with a letter or digit), as `aws cloudtrail describe-trails` shows it.");
            return AuditTrailSettings.None;
        }
        var trail = new OrganizationTrailArn(arn, m.Groups["partition"].Value, m.Groups["region"].Value, m.Groups["account"].Value, m.Groups["name"].Value);
        if (AdjacentPunctuation().IsMatch(trail.Name))
            c.Problem("auditTrail", $"trail name {Q(trail.Name)} has adjacent periods, underscores or dashes, which CloudTrail does not allow in a name; copy the ARN from `aws cloudtrail describe-trails`.");
        var partition = AwsProvider.PartitionOf(region);
        if (trail.Partition != partition)
            c.Problem("auditTrail", $"the trail is in partition {trail.Partition}, the lab's region {region} in {partition}; a trail covers accounts of its own partition only. Name a trail of partition {partition}.");
        return new AuditTrailSettings(AuditTrailMode.Organization, 0, false, trail);
    }

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov):cloudtrail:(?<region>[a-z]{2}(-[a-z]+)+-[0-9]):(?<account>[0-9]{12}):trail/(?<name>[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9])$")]
    private static partial Regex TrailArn();

    [GeneratedRegex(@"[._-]{2}")]
    private static partial Regex AdjacentPunctuation();
}
