using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Gcp.Hardening;

/// <summary>Reads the GCP side's customer-managed keys, audit log retention and JupyterLab restrictions.</summary>
public static partial class GcpHardeningReader
{
    public static GcpHardening Read(ConfigValues c, Catalog.Release? release, WorkbenchSettings? workbench)
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
        return new GcpHardening(scratchKey, workbenchKey, retention, WorkbenchDisableDownloads: downloads, WorkbenchDisableTerminal: terminal) { AuditLogLocked = locked };
    }

    private static string? ReadKmsKey(ConfigValues c, string setting, string location, string why)
    {
        if (c.Str(setting) is not { } key) return null;
        if (!KmsKeyName().IsMatch(key))
        {
            c.Problem(setting, $"{ConfigValues.Q(key)} must name an existing Cloud KMS key as projects/PROJECT/locations/{location}/keyRings/RING/cryptoKeys/KEY " +
                               "(the key itself, not a key version); the lab never creates a key.");
            return null;
        }
        if (GcpHardening.KeyLocation(key) != location)
        {
            c.Problem(setting, $"{ConfigValues.Q(key)} is in location {GcpHardening.KeyLocation(key)}, but {why}; name a key of location {location}.");
            return null;
        }
        return key;
    }

    [GeneratedRegex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}$")]
    private static partial Regex KmsKeyName();
}
