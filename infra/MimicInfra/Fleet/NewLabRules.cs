using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Input;
using MimicInfra.Sources;

namespace MimicInfra.Fleet;

/// <summary>
/// What `labs new` decides before it writes a stack: the modules a lab gets when none are named (those every
/// chosen cloud side can build from the given sources), and problems said in the flags the user typed.
/// Pure; the command prints and writes.
/// </summary>
public static partial class NewLabRules
{
    /// <summary>The flag of `labs new` that sets each setting it writes (stack key without the project prefix).</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["release"] = "--release", ["modules"] = "--module", ["researcher"] = "--researcher", ["study"] = "--study",
        ["expires"] = "--expires", ["awsAccountId"] = "--aws-account", ["aws:region"] = "--aws-region", ["aws:profile"] = "--aws-profile",
        ["sourceUri"] = "--source-uri", ["moduleSources"] = "--module-source", ["researcherPrincipalArn"] = "--researcher-arn",
        ["aws"] = "--no-aws", ["gcp"] = "--gcp-project", ["gcpProject"] = "--gcp-project", ["gcp:project"] = "--gcp-project",
        ["gcpMembers"] = "--gcp-member",
    };

    /// <summary>A module left out of the default set, and how to add it.</summary>
    public sealed record LeftOut(string Module, string Why);

    /// <summary>
    /// The modules of a new lab: those named, or else every module each chosen cloud side can build: on AWS what
    /// the import reads from PhysioNet's CSV files (<see cref="Importable"/>) and has a source (the open bucket,
    /// --source-uri for the release's own project, --module-source for another project's), on GCP what
    /// physionet-data has a dataset for.
    /// </summary>
    public static (IReadOnlyList<string> Modules, IReadOnlyList<LeftOut> LeftOut) ModulesOf(NewLab lab, Release release)
    {
        if (lab.Modules.Count > 0) return (lab.Modules, []);
        var own = OwnSources(lab);
        var chosen = new List<string>();
        var left = new List<LeftOut>();
        foreach (var m in release.Modules)
        {
            var why = lab.Aws ? WhyNotOnAws(lab, release, m, own) : null;
            why ??= lab.Gcp && m.BigQueryDataset is null ? $"physionet-data has no BigQuery dataset of {release.Id} {m.Name}" : null;
            if (why is null) chosen.Add(m.Name);
            else left.Add(new LeftOut(m.Name, why));
        }
        // A derived module alone is nothing: it is computed from the others.
        if (chosen.All(n => release.FindModule(n)!.IsDerived)) chosen.Clear();
        return (chosen, left);
    }

    private static string? WhyNotOnAws(NewLab lab, Release release, Module m, IReadOnlySet<string> own)
    {
        if (m.IsDerived)
            return lab.Gcp ? null : "an AWS lab imports derived concepts from Parquet you build (README \"Derived concepts\")";
        if (own.Contains(m.Name)) return null;
        if (Importable.WhyNot(SourceLayout.PhysionetCsv, m) is var (t, reason))
            return $"{m.Name}.{t.Name} {reason}; build it locally (`local --parquet`) or use a lab on BigQuery (--gcp-project)";
        if (ModuleSources.IsFromAnotherProject(release, m) && (lab.SourceUri is not null || m.OpenS3 is null))
            return $"its files come from PhysioNet project {m.Project}, which has an access point of its own: add --module-source {m.Name}=URI (the URI the {m.Project!.Slug} project page shows)";
        if (lab.SourceUri is null && m.OpenS3 is null)
            return "credentialed: add --source-uri (the URI PhysioNet's project page shows)";
        return null;
    }

    private static HashSet<string> OwnSources(NewLab lab) =>
        lab.ModuleSources.Select(s => s.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);

    /// <summary>Problems of the command line itself, named by flag, before a stack file is even written.</summary>
    public static List<string> Problems(NewLab lab, SchemaCatalog catalog)
    {
        var problems = new List<string>();
        var release = catalog.Find(lab.Release);
        if (release is null)
        {
            problems.Add($"--release {Shown.Quote(lab.Release)} is not a release of the catalog; pick one of {string.Join(", ", catalog.ReleaseIds)} (`catalog list`).");
            return problems;
        }
        var names = string.Join(" ", release.Modules.Select(m => $"--module {m.Name}"));
        foreach (var name in lab.Modules.Distinct().Where(n => release.FindModule(n) is null))
            problems.Add($"--module {Shown.Quote(name)}: release {release.Id} has no such module; it has {names}.");
        foreach (var entry in lab.ModuleSources)
        {
            var eq = entry.IndexOf('=');
            var (name, uri) = eq < 1 ? (entry, "") : (entry[..eq], entry[(eq + 1)..]);
            var module = release.FindModule(name);
            if (eq < 1 || module is null)
                problems.Add($"--module-source {Shown.Quote(entry)} must be MODULE=URI with a module of {release.Id} ({string.Join(", ", release.Modules.Select(m => m.Name))}), " +
                             "e.g. --module-source ed=s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/mimic-iv-ed/2.2/ed/.");
            else if (!lab.Aws)
                problems.Add($"--module-source {name}=...: a module source is where an AWS lab imports from; remove it, or the --no-aws.");
            else if (lab.Modules.Count > 0 && !lab.Modules.Contains(name))
                problems.Add($"--module-source {name}=...: the lab leaves module {name} out; add --module {name}, or remove the --module-source.");
            else if (S3Source.TryParse(uri, out var why) is null)
                problems.Add($"--module-source {name}={Shown.Quote(uri)}: the URI {why}.");
        }
        if (lab.SourceUri is { } source && S3Source.TryParse(source, out var sourceWhy) is null)
            problems.Add($"--source-uri {Shown.Quote(source)} {sourceWhy}.");
        var (modules, left) = ModulesOf(lab, release);
        var sourceMissing = false;
        if (lab.Aws)
        {
            foreach (var name in lab.Modules.Distinct().Where(n => release.FindModule(n) is { IsDerived: false } m && !OwnSources(lab).Contains(n)
                                                                   && Importable.WhyNot(SourceLayout.PhysionetCsv, m) is not null))
            {
                var (t, reason) = Importable.WhyNot(SourceLayout.PhysionetCsv, release.FindModule(name)!)!.Value;
                var others = release.Modules.Where(m => !m.IsDerived && m.Name != name && Importable.CanImport(SourceLayout.PhysionetCsv, m)).Select(m => $"--module {m.Name}");
                problems.Add($"--module {name}: {name}.{t.Name} {reason}, so an AWS lab cannot import it from PhysioNet's files; leave it out" +
                             (others.Any() ? $" ({string.Join(" ", others)})" : "") + ", or build it locally (`local --parquet`).");
            }
            var candidates = lab.Modules.Count > 0
                ? lab.Modules.Distinct().Select(n => release.FindModule(n)).OfType<Module>()
                : release.Modules.Where(m => Importable.CanImport(SourceLayout.PhysionetCsv, m) && !ModuleSources.IsFromAnotherProject(release, m));
            var credentialed = candidates.Where(m => !m.IsDerived && m.OpenS3 is null && !OwnSources(lab).Contains(m.Name)).ToList();
            sourceMissing = credentialed.Count > 0 && lab.SourceUri is null;
            if (sourceMissing)
                problems.Add($"--source-uri is required for {release.Id} on AWS ({string.Join(", ", credentialed.Select(m => m.Name))} credentialed): the S3 URI PhysioNet's project page shows you, " +
                             $"e.g. --source-uri s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/{release.Project?.Prefix ?? "<project>/<version>/"}, or a copy of your own.");
            if (release.Access == Access.Credentialed && lab.ResearcherArn is null)
                problems.Add($"--researcher-arn is required for {release.Id} on AWS: the researcher's IAM user that PhysioNet verified, " +
                             $"e.g. --researcher-arn arn:aws:iam::{lab.AwsAccountId ?? "012345678901"}:user/{lab.Researcher}; the lab's data then admits only that user, the notebook and the deployer.");
        }
        if (!sourceMissing && lab.Modules.Count == 0 && modules.Count == 0 && (lab.Aws || lab.Gcp))
            problems.Add($"no module of {release.Id} can be built by default: {string.Join("; ", left.Select(l => $"{l.Module}: {l.Why}"))}.");
        return problems;
    }

    /// <summary>Whether a flag says who the lab is for or where it lands, rather than what it holds.</summary>
    public static bool IsAboutWhoOrWhere(string flag) =>
        flag is "--researcher" or "--study" or "--expires" or "--aws-account" or "--aws-region" or "--aws-profile" or "--researcher-arn" or "--gcp-member";

    /// <summary>
    /// The settings reader's problems, said in the flags of `labs new` instead of the stack keys it wrote
    /// (`mimic-infra:sourceUri: ...` becomes `--source-uri: ...`, `pulumi config set researcherPrincipalArn X` becomes `--researcher-arn X`).
    /// </summary>
    public static string InFlags(string problem)
    {
        var m = KeyPrefix().Match(problem);
        if (!m.Success) return problem;
        var key = m.Groups["key"].Value;
        var body = problem[m.Length..];
        // The one setting labs new turns off by a flag: its problem is that there is no cloud side left.
        if (key == "aws") return "--no-aws leaves the lab without a cloud side; add --gcp-project PROJECT --gcp-member user:EMAIL for a lab on BigQuery.";
        body = SetPath().Replace(body, x => $"`--module-source {x.Groups["value"].Value}`");
        body = ConfigSet().Replace(body, x => Flags.TryGetValue(x.Groups["key"].Value, out var f) ? $"`{f} {x.Groups["value"].Value}`" : x.Value);
        body = Words().Replace(body, x => Flags.TryGetValue(x.Value, out var f) ? f : x.Value);
        return Flags.TryGetValue(key, out var flag) ? $"{flag}: {body}" : $"{key} (in the stack file labs new writes): {body}";
    }

    [GeneratedRegex(@"^(mimic-infra:)?(?<key>(aws:|gcp:)?[A-Za-z]+): ")]
    private static partial Regex KeyPrefix();

    [GeneratedRegex(@"`pulumi config set --path '[A-Za-z]+\[[0-9]+\]' (?<value>[^`]*)`")]
    private static partial Regex SetPath();

    [GeneratedRegex(@"`pulumi config set (?<key>[A-Za-z:]+) (?<value>[^`]*)`")]
    private static partial Regex ConfigSet();

    [GeneratedRegex(@"(?<![\w:/.-])(researcherPrincipalArn|sourceUri|moduleSources|awsAccountId|gcpMembers|gcpProject)(?![\w-])")]
    private static partial Regex Words();
}
