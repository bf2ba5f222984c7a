using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Gcp.Boundary;

/// <summary>Reads the GCP boundary settings (gcpAccessPolicy, gcpPerimeterDryRun, gcpPerimeterAccessLevel, gcpRestrictedGoogleApis).</summary>
public static partial class GcpBoundarySettingsReader
{
    /// <summary>The VPC Service Controls perimeter (with an access policy) and restricted Google APIs on the Workbench network.</summary>
    public static GcpBoundarySettings Read(ConfigValues c, WorkbenchSettings? workbench)
    {
        string? policy = null;
        if (c.Str("gcpAccessPolicy") is { } text)
        {
            var m = AccessPolicy().Match(text);
            if (m.Success) policy = m.Groups["id"].Value;
            else c.Problem("gcpAccessPolicy", $"{ConfigValues.Q(text)} must be the numeric id of an access policy (`gcloud access-context-manager policies list --organization ORG_ID` prints it), e.g. 123456789012.");
        }
        var dryRun = c.Boolean("gcpPerimeterDryRun");
        var level = c.Str("gcpPerimeterAccessLevel");
        if (level is not null && !AccessLevel().IsMatch(level))
        {
            c.Problem("gcpPerimeterAccessLevel", $"{ConfigValues.Q(level)} must be accessPolicies/POLICY_ID/accessLevels/NAME.");
            level = null;
        }
        else if (level is not null && policy is not null && level.Split('/')[1] != policy)
            c.Problem("gcpPerimeterAccessLevel", $"{ConfigValues.Q(level)} belongs to another access policy than gcpAccessPolicy {policy}; a perimeter uses its own policy's levels.");
        foreach (var key in new[] { "gcpPerimeterDryRun", "gcpPerimeterAccessLevel" }.Where(k => c.Has(k) && !c.Has("gcpAccessPolicy")))
            c.Problem(key, "the lab has no perimeter (set gcpAccessPolicy); remove the setting.");
        var restricted = workbench is not null && (c.Has("gcpRestrictedGoogleApis") ? c.Boolean("gcpRestrictedGoogleApis") : policy is not null);
        return new GcpBoundarySettings(policy, DryRun: dryRun, AccessLevel: level, RestrictedGoogleApis: restricted);
    }

    [GeneratedRegex("^(accessPolicies/)?(?<id>[0-9]{1,20})$")]
    private static partial Regex AccessPolicy();

    [GeneratedRegex("^accessPolicies/[0-9]{1,20}/accessLevels/[A-Za-z][A-Za-z0-9_]{0,49}$")]
    private static partial Regex AccessLevel();
}
