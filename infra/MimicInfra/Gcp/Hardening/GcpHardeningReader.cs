using System.Text.RegularExpressions;
using MimicInfra.Gcp;

namespace MimicInfra.Lab;

public static partial class LabSettingsReader
{
    /// <summary>Customer-managed keys, audit log retention and JupyterLab restrictions of the GCP side.</summary>
    private static GcpHardening ReadGcpHardening(ConfigValues c, Catalog.Release? release, WorkbenchSettings? workbench)
    {
        // A dataset in the US multi-region takes only a key of the `us` multi-region (BigQuery's CMEK rule).
        var scratchKey = ReadKmsKey(c, "gcpKmsKey", "us", "the scratch dataset is in the US multi-region, which takes only keys of location us");
        string? workbenchKey = null;
        if (c.Has("gcpWorkbenchKmsKey") && workbench is null)
            c.Problem("gcpWorkbenchKmsKey", "the lab has no Workbench instance (gcpWorkbench false); remove the setting.");
        else if (workbench is not null && !c.HasProblem("gcpWorkbenchZone"))   // a zone that is no zone has no region
            workbenchKey = ReadKmsKey(c, "gcpWorkbenchKmsKey", workbench.Region, $"the Workbench instance's disks are in region {workbench.Region} and take a key of that region");
        var retention = (int)c.Integer("gcpAuditLogRetentionDays", 1, 3650);
        var downloads = c.Boolean("gcpWorkbenchDisableDownloads");
        // Credentialed data: no terminal and a locked audit record unless the stack says otherwise.
        var credentialed = release?.Access == Catalog.Access.Credentialed;
        var terminal = c.Has("gcpWorkbenchDisableTerminal") ? c.Boolean("gcpWorkbenchDisableTerminal") : credentialed;
        var locked = c.Has("gcpAuditLogLocked") ? c.Boolean("gcpAuditLogLocked") : credentialed;
        foreach (var key in new[] { "gcpWorkbenchDisableDownloads", "gcpWorkbenchDisableTerminal", "gcpRestrictedGoogleApis" }.Where(k => c.Has(k) && workbench is null))
            c.Problem(key, "the lab has no Workbench instance (gcpWorkbench false); remove the setting.");
        return new GcpHardening(scratchKey, workbenchKey, retention, downloads, terminal) { AuditLogLocked = locked, Boundary = ReadGcpBoundary(c, workbench) };
    }

    /// <summary>The VPC Service Controls perimeter (with an access policy) and restricted Google APIs on the Workbench network.</summary>
    private static GcpBoundarySettings ReadGcpBoundary(ConfigValues c, WorkbenchSettings? workbench)
    {
        string? policy = null;
        if (c.Str("gcpAccessPolicy") is { } text)
        {
            var m = AccessPolicy().Match(text);
            if (m.Success) policy = m.Groups["id"].Value;
            else c.Problem("gcpAccessPolicy", $"{Q(text)} must be the numeric id of an access policy (`gcloud access-context-manager policies list --organization ORG_ID` prints it), e.g. 123456789012.");
        }
        var dryRun = c.Boolean("gcpPerimeterDryRun");
        var level = c.Str("gcpPerimeterAccessLevel");
        if (level is not null && !AccessLevel().IsMatch(level))
        {
            c.Problem("gcpPerimeterAccessLevel", $"{Q(level)} must be accessPolicies/POLICY_ID/accessLevels/NAME.");
            level = null;
        }
        else if (level is not null && policy is not null && level.Split('/')[1] != policy)
            c.Problem("gcpPerimeterAccessLevel", $"{Q(level)} belongs to another access policy than gcpAccessPolicy {policy}; a perimeter uses its own policy's levels.");
        foreach (var key in new[] { "gcpPerimeterDryRun", "gcpPerimeterAccessLevel" }.Where(k => c.Has(k) && !c.Has("gcpAccessPolicy")))
            c.Problem(key, "the lab has no perimeter (set gcpAccessPolicy); remove the setting.");
        var restricted = workbench is not null && (c.Has("gcpRestrictedGoogleApis") ? c.Boolean("gcpRestrictedGoogleApis") : policy is not null);
        return new GcpBoundarySettings(policy, dryRun, level, restricted);
    }

    private static string? ReadKmsKey(ConfigValues c, string setting, string location, string why)
    {
        if (c.Str(setting) is not { } key) return null;
        if (!KmsKeyName().IsMatch(key))
        {
            c.Problem(setting, $"{Q(key)} must name an existing Cloud KMS key as projects/PROJECT/locations/{location}/keyRings/RING/cryptoKeys/KEY " +
                               "(the key itself, not a key version); the lab never creates a key.");
            return null;
        }
        if (GcpHardening.KeyLocation(key) != location)
        {
            c.Problem(setting, $"{Q(key)} is in location {GcpHardening.KeyLocation(key)}, but {why}; name a key of location {location}.");
            return null;
        }
        return key;
    }

    [GeneratedRegex("^(accessPolicies/)?(?<id>[0-9]{1,20})$")]
    private static partial Regex AccessPolicy();

    [GeneratedRegex("^accessPolicies/[0-9]{1,20}/accessLevels/[A-Za-z][A-Za-z0-9_]{0,49}$")]
    private static partial Regex AccessLevel();

    [GeneratedRegex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}$")]
    private static partial Regex KmsKeyName();
}
