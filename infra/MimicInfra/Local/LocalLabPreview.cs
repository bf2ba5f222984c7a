using System.Globalization;
using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Local;

/// <summary>`preview` of a lab with no cloud side: there is nothing to deploy, so it says what `local` builds and how.</summary>
public static class LocalLabPreview
{
    /// <summary>The whole preview of a local lab; null for a lab with a cloud side.</summary>
    public static string? Summary(LabSettings lab)
    {
        if (!lab.IsLocalOnly) return null;
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        w.WriteLine($"MIMIC lab {lab.Names.Lab} (stack {lab.Stack})");
        w.WriteLine($"  release     {lab.Release.Title} ({lab.Release.Id}), {lab.Release.Access.ToString().ToLowerInvariant()} access");
        w.WriteLine($"  modules     {string.Join(", ", lab.Modules.Select(m => $"{m.Name} ({m.Tables.Count} tables)"))}");
        if (lab.Derived is { } derived)
            w.WriteLine($"  derived     {derived.Name} ({derived.Tables.Count} concept tables, schema {derived.Schema}): built by `local --concepts <{derived.Concepts!.Repository} checkout>`");
        w.WriteLine($"  researcher  {lab.Researcher}, study {lab.Study}, expires {lab.Expires:yyyy-MM-dd}");
        w.WriteLine();
        w.WriteLine($"a local lab: nothing to deploy; build it with `local --stack {lab.Stack}`");
        w.WriteLine(lab.Release.Access == Access.Open && lab.Release.Download is { } d
            ? $"  data        downloaded from {d.Url} ({ReleaseFetch.FilesOf(lab.Release, lab.Modules).Count} files), each checked against its {ReleaseFetch.SumsFile}, and kept in your cache (~/.cache/mimicinfra on Linux)"
            : $"  data        credentialed: download it with your own PhysioNet account (`local --stack {lab.Stack}` prints the command), then `local --stack {lab.Stack} --data DIR`");
        w.WriteLine($"  lab         mimic-{lab.Stack}.duckdb (DuckDB, readable by you alone), tables in mimic-code's schemas ({string.Join(", ", lab.Modules.Select(m => m.Schema).Distinct())})");
        w.WriteLine($"  then        query --stack {lab.Stack} --examples");
        w.WriteLine("  cloud       set aws: true (or gcp: true) in the stack file for a lab in your cloud account; `pulumi up` of this stack creates nothing");
        return w.ToString();
    }
}
