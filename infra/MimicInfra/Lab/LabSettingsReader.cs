using System.Globalization;
using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Cli;
using MimicInfra.Input;
using MimicInfra.Sources;

namespace MimicInfra.Lab;

/// <summary>
/// Reads a stack's config into <see cref="LabSettings"/>. Every problem is collected and reported together,
/// each naming its config key and the fix; nothing is emitted from a config with any problem.
/// </summary>
public static partial class LabSettingsReader
{
    private const string Ns = StackConfig.Project + ":";

    /// <summary>A user's value as messages show it: quoted, at most 100 characters.</summary>
    private static string Q(string value) => Shown.Quote(value);

    /// <param name="today">The UTC date an expiry is judged against (default: today).</param>
    public static LabSettings Read(StackConfig config, SchemaCatalog catalog, DateOnly? today = null) => Read(config, catalog, cloud: true, today);

    /// <summary>
    /// For the local lab, which is built from the release and modules alone: the cloud sides' settings are not
    /// read, so their limits do not stop a lab DuckDB can build.
    /// </summary>
    public static LabSettings ReadForLocal(StackConfig config, SchemaCatalog catalog) => Read(config, catalog, cloud: false, null);

    private static LabSettings Read(StackConfig config, SchemaCatalog catalog, bool cloud, DateOnly? today)
    {
        var c = new ConfigValues(config);

        // Release and modules.
        var releaseId = c.Required("release", "mimic-iv-demo-2.2");
        var release = releaseId.Length == 0 ? null : catalog.Find(releaseId);
        if (releaseId.Length > 0 && release is null)
            c.Problem("release", $"unknown release {Q(releaseId)}. Known releases: {string.Join(", ", catalog.ReleaseIds)}.");
        var modules = new List<Module>();
        if (release is not null)
        {
            var wanted = c.List("modules");
            if (c.Has("modules") && wanted.Count == 0 && !c.HasProblem("modules"))
                c.Problem("modules", $"the list is empty; name at least one of {string.Join(", ", release.Modules.Select(m => m.Name))}, or remove the setting for all.");
            foreach (var name in wanted.Distinct().Where(n => release.FindModule(n) is null))
                c.Problem("modules", $"release {release.Id} has no module {Q(name)}; it has {string.Join(", ", release.Modules.Select(x => x.Name))}.");
            // Catalog order, whatever order the stack lists them in, so output never depends on it.
            modules = wanted.Count == 0 ? [.. release.Modules] : release.Modules.Where(m => wanted.Contains(m.Name)).ToList();
        }
        var derived = modules.FirstOrDefault(m => m.IsDerived);
        modules.RemoveAll(m => m.IsDerived);
        if (derived is not null && modules.Count == 0)
            c.Problem("modules", $"{derived.Name} is computed from the other modules; list them too, e.g. [hosp, icu, {derived.Name}].");

        // Who and until when.
        var researcher = c.Required("researcher", "jdoe");
        if (researcher.Length > 0 && !ResearcherId().IsMatch(researcher))
            c.Problem("researcher", $"{Q(researcher)} must be 1-64 letters, digits or . _ @ + -, starting with a letter or digit.");
        var study = c.Required("study", "sepsis-2026");
        if (study.Length > 0 && !StudyId().IsMatch(study))
            c.Problem("study", $"{Q(study)} must be 1-64 letters, digits or . _ -, starting with a letter or digit.");
        var expiresText = c.Required("expires", "2027-06-30");
        var expires = default(DateOnly);
        if (expiresText.Length > 0 && !DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expires))
            c.Problem("expires", $"{Q(expiresText)} is not a date; write it as YYYY-MM-DD.");
        var tags = ReadTags(c);

        var aws = cloud && c.Boolean("aws") ? ReadAws(c, config, release, modules, derived) : null;
        var gcp = cloud && c.Boolean("gcp") ? Gcp.GcpSettingsReader.Read(c, release, modules, derived) : null;
        // Neither side (aws: false, gcp unset or false) is a local lab: `local` builds it, the cloud program is empty.

        // Fleet rules (expiry, placeholders, secrets) and the provider keys passed to the explicit providers.
        c.Problems.AddRange(Fleet.StackRules.Problems(config, expires == default ? null : expires, today ?? Fleet.ExpiryDates.Today()));
        var providers = Fleet.ProviderSettingsReader.Read(config, c.Str("awsAccountId"), gcp?.Project, aws is not null, gcp is not null, c.Problems.Add);

        if (c.Problems.Count > 0)
            throw new UserError($"stack {Q(config.Stack)} has {c.Problems.Count} problem(s) in its config:\n  " + string.Join("\n  ", c.Problems));
        return new LabSettings(config.Stack, release!, modules, researcher, study, expires, tags, aws, gcp) { Providers = providers, Derived = derived };
    }

    private static List<KeyValuePair<string, string>> ReadTags(ConfigValues c)
    {
        var reserved = new HashSet<string> { "lab", "researcher", "study", "expires", "managed-by" };
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in c.List("tags"))
        {
            var eq = tag.IndexOf('=');
            var (k, v) = eq < 0 ? (tag, "") : (tag[..eq], tag[(eq + 1)..]);
            if (eq < 1 || !TagKey().IsMatch(k) || k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) || !TagValue().IsMatch(v))
                c.Problem("tags", $"{Q(tag)} must be key=value (key 1-128 and value 0-256 letters, digits, spaces or _ . : / = + - @; no aws: prefix).");
            // Pulumi YAML reads a mapping key that starts with fn:: (any case) as a built-in function (fn::readFile,
            // fn::fileAsset...) or warns of a reserved prefix, and tag keys are mapping keys; `${` cannot occur (no $ above).
            else if (PulumiReserved(k) || PulumiReserved(v))
                c.Problem("tags", $"{Q(k)}: {(PulumiReserved(k) ? "a key" : "a value")} may not start with fn:: (Pulumi YAML's prefix for built-in functions); choose another {(PulumiReserved(k) ? "key" : "value")}.");
            else if (reserved.Contains(k) || tags.Any(t => t.Key == k))
                c.Problem("tags", $"{Q(k)} is set by the lab itself or listed twice; choose another key.");
            else
                tags.Add(new(k, v));
        }
        return tags;
    }

    private static bool PulumiReserved(string text) => text.TrimStart().StartsWith("fn::", StringComparison.OrdinalIgnoreCase);

    private static AwsSettings ReadAws(ConfigValues c, StackConfig config, Release? release, List<Module> modules, Module? derived)
    {
        var region = config.Values.TryGetValue("aws:region", out var r) && r.Length > 0 ? r : null;
        region ??= modules.Select(m => m.OpenS3?.Region).FirstOrDefault(x => x is not null) ?? "us-east-1";
        if (!AwsRegion().IsMatch(region))
            c.Problems.Add($"aws:region: {Q(region)} is not an AWS region name such as us-east-1.");

        var sources = SourceSettingsReader.Read(c, release, modules, derived, region);

        var cutoff = c.Integer("athenaBytesScannedCutoff", 10_000_000, long.MaxValue);
        var retention = (int)c.Integer("resultsRetentionDays", 1, 3650);
        var keep = c.Boolean("keepResultsOnDestroy");
        var encryption = c.Str("resultsEncryption") ?? "kms";
        if (encryption is not ("kms" or "s3")) c.Problem("resultsEncryption", $"{Q(encryption)} must be kms or s3.");
        var importCutoff = c.Integer("importBytesScannedCutoff", 10_000_000, long.MaxValue);

        return new AwsSettings(region, sources, importCutoff, cutoff, retention, keep, encryption == "kms",
            c.Boolean("notebook") ? Aws.Workspace.WorkspaceSettingsReader.ReadNotebook(c, () => Aws.Network.NetworkSettingsReader.Read(c, release, region)) : null, Aws.Workspace.WorkspaceSettingsReader.ReadBudget(c)) { AuditTrail = Aws.Audit.AuditSettingsReader.Read(c, release, region), Perimeter = Aws.Perimeter.PerimeterSettingsReader.Read(c, release, region, kms: encryption == "kms"),
              GlueCatalogKeyArn = Aws.Perimeter.PerimeterSettingsReader.GlueCatalogKey(c, region), DmlTimeoutQuota = Aws.Data.LabImportSettingsReader.DmlTimeoutQuota(c) };
    }

    private static int Distance(string a, string b) => Input.EditDistance.Between(a, b);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")]
    private static partial Regex ResearcherId();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex StudyId();

    [GeneratedRegex(@"^[A-Za-z0-9 _.:/=+\-@]{1,128}$")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"^[A-Za-z0-9 _.:/=+\-@]{0,256}$")]
    private static partial Regex TagValue();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    private static partial Regex AwsRegion();
}
