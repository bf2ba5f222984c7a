using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Lab;

/// <summary>
/// Reads a stack's config into <see cref="LabSettings"/>. Every problem is collected and reported together,
/// each naming its config key and the fix; nothing is emitted from a config with any problem.
/// </summary>
public static partial class LabSettingsReader
{
    private const string Ns = StackConfig.Project + ":";

    public static LabSettings Read(StackConfig config, SchemaCatalog catalog)
    {
        var problems = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in config.Values)
        {
            if (!key.Contains(':'))
            {
                problems.Add($"{key}: config keys are namespaced; write it as {Ns}{key}.");
                continue;
            }
            if (!key.StartsWith(Ns, StringComparison.Ordinal)) continue;   // provider keys such as aws:region
            var name = key[Ns.Length..];
            if (SettingSpecs.Find(name) is null)
            {
                var near = SettingSpecs.All.Select(s => s.Key).OrderBy(k => Distance(k, name)).First();
                problems.Add($"{key}: unknown setting. Did you mean {Ns}{near}? Settings are listed in Pulumi.yaml.");
                continue;
            }
            values[name] = value;
        }

        string? Str(string key) => values.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        string Required(string key, string example)
        {
            var v = Str(key);
            if (v is null) problems.Add($"{Ns}{key}: required. Set it with `pulumi config set {key} {example}`.");
            return v ?? "";
        }
        T Typed<T>(string key, T fallback, Func<string, T?> parse, string expected) where T : struct
        {
            var v = Str(key);
            if (v is null) return SettingSpecs.Find(key)!.Default is T d ? d : fallback;
            var parsed = parse(v);
            if (parsed is null) problems.Add($"{Ns}{key}: '{v}' is not {expected}.");
            return parsed ?? fallback;
        }
        long Integer(string key, long min, long max)
        {
            var n = Typed<long>(key, 0, s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var x) ? x : null, "a whole number");
            if (n < min || n > max) problems.Add($"{Ns}{key}: {n} is out of range; use {min}..{max}.");
            return Math.Clamp(n, min, max);
        }
        bool Boolean(string key) => Typed<bool>(key, false, s => s switch { "true" => true, "false" => false, _ => null }, "true or false");
        List<string> List(string key)
        {
            var v = Str(key);
            if (v is null) return [];
            try
            {
                var items = JsonSerializer.Deserialize<List<string>>(v);
                if (items is not null) return items;
            }
            catch (JsonException) { }
            problems.Add($"{Ns}{key}: '{v}' is not a list of strings; write it in the stack file as a YAML list, e.g. [a, b].");
            return [];
        }

        // Release and modules.
        var releaseId = Required("release", "mimic-iv-demo-2.2");
        var release = releaseId.Length == 0 ? null : catalog.Find(releaseId);
        if (releaseId.Length > 0 && release is null)
            problems.Add($"{Ns}release: unknown release '{releaseId}'. Known releases: {string.Join(", ", catalog.ReleaseIds)}.");
        var modules = new List<Module>();
        if (release is not null)
        {
            var wanted = List("modules");
            if (values.ContainsKey("modules") && wanted.Count == 0 && problems.All(p => !p.StartsWith(Ns + "modules", StringComparison.Ordinal)))
                problems.Add($"{Ns}modules: the list is empty; name at least one of {string.Join(", ", release.Modules.Select(m => m.Name))}, or remove the setting for all.");
            foreach (var name in wanted.Distinct())
            {
                var m = release.FindModule(name);
                if (m is null) problems.Add($"{Ns}modules: release {release.Id} has no module '{name}'; it has {string.Join(", ", release.Modules.Select(x => x.Name))}.");
            }
            // Catalog order, whatever order the stack lists them in, so output never depends on it.
            modules = wanted.Count == 0 ? [.. release.Modules] : release.Modules.Where(m => wanted.Contains(m.Name)).ToList();
        }

        // Who and until when.
        var researcher = Required("researcher", "jdoe");
        if (researcher.Length > 0 && !ResearcherId().IsMatch(researcher))
            problems.Add($"{Ns}researcher: '{researcher}' must be 1-64 letters, digits or . _ @ + -, starting with a letter or digit.");
        var study = Required("study", "sepsis-2026");
        if (study.Length > 0 && !StudyId().IsMatch(study))
            problems.Add($"{Ns}study: '{study}' must be 1-64 letters, digits or . _ -, starting with a letter or digit.");
        var expiresText = Required("expires", "2027-06-30");
        var expires = default(DateOnly);
        if (expiresText.Length > 0 && !DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expires))
            problems.Add($"{Ns}expires: '{expiresText}' is not a date; write it as YYYY-MM-DD.");

        var reserved = new HashSet<string> { "lab", "researcher", "study", "expires", "managed-by" };
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in List("tags"))
        {
            var eq = tag.IndexOf('=');
            var (k, v) = eq < 0 ? (tag, "") : (tag[..eq], tag[(eq + 1)..]);
            if (eq < 1 || !TagKey().IsMatch(k) || k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) || !TagValue().IsMatch(v))
                problems.Add($"{Ns}tags: '{tag}' must be key=value (key 1-128 and value 0-256 letters, digits, spaces or _ . : / = + - @; no aws: prefix).");
            else if (reserved.Contains(k) || tags.Any(t => t.Key == k))
                problems.Add($"{Ns}tags: '{k}' is set by the lab itself or listed twice; choose another key.");
            else
                tags.Add(new(k, v));
        }

        var aws = Boolean("aws") ? ReadAws(config, release, modules, Str, Integer, Boolean, List, problems) : null;
        if (aws is null && problems.Count == 0)
            problems.Add($"{Ns}aws: the lab has no cloud side; set aws to true.");

        if (problems.Count > 0)
            throw new UserError($"stack '{config.Stack}' has {problems.Count} problem(s) in its config:\n  " + string.Join("\n  ", problems));
        return new LabSettings(config.Stack, release!, modules, researcher, study, expires, tags, aws);
    }

    private static AwsSettings? ReadAws(StackConfig config, Release? release, List<Module> modules, Func<string, string?> str,
        Func<string, long, long, long> integer, Func<string, bool> boolean, Func<string, List<string>> list, List<string> problems)
    {
        var region = config.Values.TryGetValue("aws:region", out var r) && r.Length > 0 ? r : null;
        region ??= modules.Select(m => m.OpenS3?.Region).FirstOrDefault(x => x is not null) ?? "us-east-1";
        if (!AwsRegion().IsMatch(region))
            problems.Add($"aws:region: '{region}' is not an AWS region name such as us-east-1.");

        var layoutText = str("sourceLayout") ?? "flat-csv";
        SourceLayout? layout = layoutText switch { "flat-csv" => SourceLayout.FlatCsv, "table-parquet" => SourceLayout.TableParquet, _ => null };
        if (layout is null) problems.Add($"{Ns}sourceLayout: '{layoutText}' must be flat-csv or table-parquet.");

        var root = str("sourceUri");
        if (root is not null && !S3Folder().IsMatch(root))
            problems.Add($"{Ns}sourceUri: '{root}' must be an s3:// folder ending in '/', e.g. s3://my-copy/mimiciv/3.1/.");
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in list("moduleSources"))
        {
            var eq = item.IndexOf('=');
            var (m, uri) = eq < 0 ? (item, "") : (item[..eq], item[(eq + 1)..]);
            if (!modules.Any(x => x.Name == m)) problems.Add($"{Ns}moduleSources: '{item}' names no module of this lab ({string.Join(", ", modules.Select(x => x.Name))}).");
            else if (!S3Folder().IsMatch(uri)) problems.Add($"{Ns}moduleSources: '{item}' must be module=s3://bucket/folder/ (ending in '/').");
            else overrides[m] = uri;
        }

        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in modules)
        {
            var folder = m.Folder.Length == 0 ? "" : m.Folder + "/";
            var uri = overrides.GetValueOrDefault(m.Name)
                ?? (root is not null ? root + folder : null)
                ?? (layout == SourceLayout.FlatCsv && m.OpenS3 is not null ? m.OpenS3.Uri + folder : null);
            if (uri is null)
            {
                problems.Add(layout == SourceLayout.TableParquet
                    ? $"{Ns}sourceUri: table-parquet needs your own Parquet copy (PhysioNet publishes CSV); set sourceUri to the folder holding {m.Name}/<table>/."
                    : $"{Ns}sourceUri: release {release?.Id} module {m.Name} is credentialed; set sourceUri to the S3 folder (or access-point alias) holding {folder}, or moduleSources for this module.");
                continue;
            }
            sources[m.Name] = uri;
            if (layout == SourceLayout.FlatCsv)
                foreach (var t in m.Tables.Where(t => t.MultilineText))
                    problems.Add($"{Ns}sourceLayout: {m.Name}.{t.Name} has line breaks inside its text fields, which Athena's CSV reader cannot read; use table-parquet, or leave module {m.Name} out.");
        }

        var cutoff = integer("athenaBytesScannedCutoff", 10_000_000, long.MaxValue);
        var retention = (int)integer("resultsRetentionDays", 1, 3650);
        var keep = boolean("keepResultsOnDestroy");
        var encryption = str("resultsEncryption") ?? "kms";
        if (encryption is not ("kms" or "s3")) problems.Add($"{Ns}resultsEncryption: '{encryption}' must be kms or s3.");
        return new AwsSettings(region, layout ?? SourceLayout.FlatCsv, sources, cutoff, retention, keep, encryption == "kms");
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length];
    }

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

    [GeneratedRegex(@"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?/$")]
    private static partial Regex S3Folder();
}
