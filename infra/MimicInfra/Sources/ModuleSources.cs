using System.Text.RegularExpressions;
using MimicInfra.Catalog;

namespace MimicInfra.Sources;

/// <summary>
/// Where each module of an AWS lab reads its files: its own `moduleSources` entry, else its folder under
/// `sourceUri`, else PhysioNet's open bucket or Parquet copy. PhysioNet grants each project version through
/// an access point of its own, serving only `SLUG/VERSION/`, so a module from another project (MIMIC-IV-ED's
/// ed in a MIMIC-IV lab) cannot be found under the release's access point: that is refused, naming the fix.
/// Pure: problems go to the caller as (setting, message).
/// </summary>
public static partial class ModuleSources
{
    public static SortedDictionary<string, S3Source> Resolve(
        Release release, IReadOnlyList<Module> modules, SourceLayout layout, S3Source? root,
        IReadOnlyDictionary<string, S3Source> overrides, ParquetCopy? parquetCopy, bool reportMissing, Action<string, string> problem)
    {
        var sources = new SortedDictionary<string, S3Source>(StringComparer.Ordinal);
        var entry = overrides.Count;   // the next free moduleSources index, for the fix's `--path 'moduleSources[N]'`
        foreach (var m in modules)
        {
            var folder = SourcePlan.ModuleFolder(layout, release, m);
            var own = overrides.GetValueOrDefault(m.Name);
            var source = own ?? root?.Child(folder) ?? layout switch
            {
                SourceLayout.PhysionetCsv when m.OpenS3 is not null => S3Source.TryParse(m.OpenS3.Uri + folder, out _),
                SourceLayout.PhysionetParquet => parquetCopy?.Location.Child(folder),
                _ => null,
            };
            if (source is null)
            {
                if (!reportMissing) continue;
                reportMissing = false;   // one message says what to set
                problem("sourceUri", layout == SourceLayout.TableParquet
                    ? $"table-parquet needs your own Parquet copy; set sourceUri to the folder holding {m.Name}/<table>/ (`local --parquet DIR` writes that layout; upload DIR)."
                    : $"release {release.Id} module {m.Name} is credentialed; set sourceUri to the S3 URI PhysioNet shows on the project page " +
                      "(s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/<project>/<version>/), or moduleSources for this module.");
                continue;
            }
            if (own is null && root is not null && source.IsAccessPoint && IsFromAnotherProject(release, m))
            {
                problem("moduleSources", $"module {m.Name}'s files come from PhysioNet project {m.Project} (physionet.org/content/{m.Project!.Slug}/{m.Project.Version}/), " +
                    $"which has an access point of its own; {source.Uri}, derived from sourceUri, is under the access point of {release.Project} and does not exist. " +
                    $"Give {m.Name} its own source, the URI the {m.Project.Slug} project page shows: {FixFor(m, entry++)}, or leave module {m.Name} out.");
                continue;
            }
            if (source.IsAccessPoint && m.Project is { } project && PhysioNetProjectOf(source) is { } served)
            {
                var key = own is null ? "sourceUri" : "moduleSources";
                if (served != project)
                {
                    problem(key, $"{source.Uri} is PhysioNet's access point of project {served}, but module {m.Name}'s files come from project {project}; " +
                        $"use the URI the {project.Slug} project page shows: {FixFor(m, own is null ? entry++ : IndexOf(overrides, m.Name))}.");
                    continue;
                }
                if (!source.Prefix.StartsWith(project.Prefix, StringComparison.Ordinal))
                {
                    problem(key, $"{source.Uri}: PhysioNet's access point of {project} serves only the folder {project.Prefix}; " +
                        $"write the URI as the project page shows it, s3://{source.AccessPointArn}/{project.Prefix}{(own is null ? "" : folder)}.");
                    continue;
                }
            }
            sources[m.Name] = source;
        }
        return sources;
    }

    /// <summary>Whether a module's files belong to another PhysioNet project than the release's own modules.</summary>
    public static bool IsFromAnotherProject(Release release, Module m) =>
        m.Project is not null && release.Project is not null && m.Project != release.Project;

    /// <summary>
    /// The project a PhysioNet access point serves, from its name: PhysioNet names each one after the project
    /// version, SLUG-vMAJOR-MINOR-NN (e.g. mimiciv-v3-1-01, mimic-iv-ed-v2-2-01). Null for any other name.
    /// </summary>
    public static PhysioNetProject? PhysioNetProjectOf(S3Source source)
    {
        if (source.AccessPointArn is not { } arn) return null;
        var m = AccessPointName().Match(arn[(arn.LastIndexOf('/') + 1)..]);
        return m.Success ? new PhysioNetProject(m.Groups["slug"].Value, m.Groups["version"].Value.Replace('-', '.')) : null;
    }

    /// <summary>The command that gives a module its own source, in the form PhysioNet shows it.</summary>
    public static string FixFor(Module m, int index) =>
        $"`pulumi config set --path 'moduleSources[{index}]' {m.Name}=s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/{m.Project?.Prefix}{(m.Folder.Length == 0 ? "" : m.Folder + "/")}`";

    private static int IndexOf(IReadOnlyDictionary<string, S3Source> overrides, string module) =>
        overrides.Keys.ToList().IndexOf(module) is var i and >= 0 ? i : overrides.Count;

    [GeneratedRegex("^(?<slug>[a-z0-9][a-z0-9-]*?)-v(?<version>[0-9]+(-[0-9]+)*)-[0-9]{2}$")]
    private static partial Regex AccessPointName();
}
