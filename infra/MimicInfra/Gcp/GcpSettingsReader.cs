using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Gcp.Boundary;
using MimicInfra.Gcp.CostGuards;
using MimicInfra.Gcp.Hardening;
using MimicInfra.Gcp.Workbench;
using MimicInfra.Lab;

namespace MimicInfra.Gcp;

/// <summary>Reads the GCP side of a lab (gcp* settings) from the stack's config values; every problem names its key and the fix.</summary>
public static partial class GcpSettingsReader
{
    public static GcpSettings Read(ConfigValues c, Release? release, List<Module> modules, Module? derived)
    {
        var project = c.Required("gcpProject", "my-research-project");
        if (project.Length > 0 && !GcpProject().IsMatch(project))
            c.Problem("gcpProject", $"{ConfigValues.Q(project)} is not a GCP project id (6-30 lower-case letters, digits, hyphens, starting with a letter).");
        var location = c.Str("gcpLocation") ?? "US";
        if (!location.Equals("US", StringComparison.OrdinalIgnoreCase))
            c.Problem("gcpLocation", $"{ConfigValues.Q(location)} cannot work: physionet-data lives in the US multi-region and a BigQuery view reads only datasets of its own location; use US.");
        foreach (var m in modules.Where(m => m.BigQueryDataset is null))
            c.Problem("gcp", $"release {release?.Id} module {m.Name} has no dataset in physionet-data; choose a release with BigQuery datasets (e.g. mimic-iv-3.1) or set gcp to false.");

        var members = c.List("gcpMembers");
        if (members.Count == 0 && !c.HasProblem("gcpMembers"))
            c.Problem("gcpMembers", "required: who may use the lab, e.g. [user:jdoe@example.org].");
        foreach (var m in members)
        {
            if (m is "allUsers" or "allAuthenticatedUsers" || m.EndsWith(":allUsers", StringComparison.Ordinal) || m.EndsWith(":allAuthenticatedUsers", StringComparison.Ordinal))
                c.Problem("gcpMembers", $"{ConfigValues.Q(m)} would make MIMIC data public; name users, groups or service accounts.");
            else if (!GcpMember().IsMatch(m))
                c.Problem("gcpMembers", $"{ConfigValues.Q(m)} must be user:EMAIL, group:EMAIL or serviceAccount:EMAIL.");
        }
        var expiration = (int)c.Integer("gcpScratchExpirationDays", 1, 3650);
        var keep = c.Boolean("gcpKeepScratchOnDestroy");

        var workbench = c.Boolean("gcpWorkbench") ? WorkbenchSettingsReader.Read(c, members) : null;
        var guards = GcpCostGuardsReader.Read(c);
        return new GcpSettings(project, "US", members, expiration, KeepScratchOnDestroy: keep, Workbench: workbench) { Derived = ReadDerived(c, release, derived), CostGuards = guards, Hardening = GcpHardeningReader.Read(c, release, workbench), Boundary = GcpBoundarySettingsReader.Read(c, workbench) };
    }

    /// <summary>Derived views are on whenever the release pins a derived dataset; gcpDerived false switches them off.</summary>
    private static Module? ReadDerived(ConfigValues c, Release? release, Module? derived)
    {
        var on = c.Boolean("gcpDerived");
        var asked = on && c.Has("gcpDerived");
        if (!on) return null;
        if (derived is null)
        {
            if (asked && release is not null)
                c.Problem("gcpDerived", release.Modules.Any(m => m.IsDerived)
                    ? "the lab leaves the derived module out (modules); add it to modules, or remove gcpDerived."
                    : $"release {release.Id} has no derived module; remove gcpDerived.");
            return null;
        }
        if (derived.BigQueryDataset is null)
        {
            if (asked)
                c.Problem("gcpDerived", $"release {release?.Id} pins no derived dataset in physionet-data" +
                    (derived.BigQueryNote is null ? "" : $" ({derived.BigQueryNote})") + "; remove gcpDerived or set it to false.");
            return null;
        }
        return derived;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex GcpProject();

    [GeneratedRegex(@"^(user|group|serviceAccount):[^@\s:${}*?]+@[^@\s${}*?]+\.[^@\s${}*?]+$")]
    private static partial Regex GcpMember();
}
