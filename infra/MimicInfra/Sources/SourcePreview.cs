using MimicInfra.Lab;

namespace MimicInfra.Sources;

/// <summary>
/// What `preview` says about where an AWS lab's release is read from: each module's folder and the layout, the copy across
/// regions, and where the derived concept tables come from. A pure function of the settings.
/// </summary>
public static class SourcePreview
{
    /// <summary>Each module's source and the layout the import reads.</summary>
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        foreach (var (module, source) in aws.Sources.ModuleSources)
            yield return $"  source      {module}: {source.Uri}" + (!source.IsAccessPoint ? ""
                : ModuleSources.PhysioNetProjectOf(source) is { } project ? $" (access point of PhysioNet project {project})" : " (access point)");
        yield return $"  layout      {LayoutText(aws.Sources.Layout)}";
    }

    /// <summary>A note when the import copies from PhysioNet's buckets (us-east-1) into a lab in another region.</summary>
    public static IEnumerable<string> RegionLines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        var crossRegion = aws.Sources.ModuleSources.Values.Any(u => u.ApiBucket.StartsWith("physionet-open", StringComparison.Ordinal) || u.IsAccessPoint) && aws.Region != "us-east-1";
        if (crossRegion) yield return $"  note        PhysioNet's buckets are in us-east-1; the import copies across regions into {aws.Region}.";
    }

    /// <summary>Where the derived concept tables are imported from, or how to give the lab some.</summary>
    public static IEnumerable<string> DerivedLines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        if (lab.AwsDerived is not null && aws.Sources.DerivedSource is { } ds)
            yield return $"  derived     {SourcePlan.For(lab).Count(t => t.Module.IsDerived)} concept tables in {lab.Names.DerivedDatabase}, imported from {ds.Uri}";
        else if (lab.Derived is { } d)
            yield return $"  derived     none on AWS: build them with `local --concepts <mimic-code checkout> --parquet OUT`, upload OUT/{d.Name}/ and set derivedSourceUri to it";
    }

    private static string LayoutText(SourceLayout layout) => layout switch
    {
        SourceLayout.PhysionetCsv => "physionet-csv: PhysioNet's CSV files as published, typed by the import's casts",
        SourceLayout.PhysionetParquet => "physionet-parquet: PhysioNet's Parquet copy, cast from its physical types by the import",
        _ => "table-parquet: a Parquet copy in catalog types, one folder per table",
    };
}
