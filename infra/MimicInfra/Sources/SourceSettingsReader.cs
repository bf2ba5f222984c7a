using MimicInfra.Catalog;
using MimicInfra.Lab;
using static MimicInfra.Lab.ConfigValues;

namespace MimicInfra.Sources;

/// <summary>
/// Reads an AWS lab's sources (sourceLayout, sourceUri, moduleSources, sourceInPlace, derivedSourceUri) and resolves
/// each module's folder, adding every problem to the stack's <see cref="ConfigValues"/> with its key and the fix.
/// </summary>
public static class SourceSettingsReader
{
    /// <param name="release">The stack's release; null when it names none the catalog knows (already reported).</param>
    /// <param name="modules">The lab's modules with files, in catalog order.</param>
    /// <param name="derived">The release's derived module when the stack keeps it.</param>
    /// <param name="region">The lab's AWS region: an access point copies only within its own.</param>
    public static SourceSettings Read(ConfigValues c, Release? release, IReadOnlyList<Module> modules, Module? derived, string region)
    {
        var layoutText = c.Str("sourceLayout") ?? "physionet-csv";
        SourceLayout? layout = layoutText switch
        {
            "physionet-csv" or "flat-csv" => SourceLayout.PhysionetCsv,   // flat-csv: its name before source profiles
            "physionet-parquet" => SourceLayout.PhysionetParquet,
            "table-parquet" => SourceLayout.TableParquet,
            _ => null,
        };
        if (layout is null)
            c.Problem("sourceLayout", $"{Q(layoutText)} must be physionet-csv (PhysioNet's CSV files as published), physionet-parquet " +
                                      "(PhysioNet's own Parquet copy of MIMIC-IV 2.2 or MIMIC-III 1.4) or table-parquet (your own Parquet copy, one folder per table, as `local --parquet` writes it).");
        var parquetCopy = release is not null && layout == SourceLayout.PhysionetParquet ? SourceProfiles.ParquetCopyOf(release) : null;
        if (release is not null && layout == SourceLayout.PhysionetParquet)
        {
            if (parquetCopy is null)
                c.Problem("sourceLayout", $"PhysioNet publishes no Parquet copy of {release.Id} (copies exist for {string.Join(", ", SourceProfiles.ParquetCopies.Select(p => p.Release))}); use physionet-csv.");
            else
                foreach (var m in modules.Where(m => !parquetCopy.Modules.Contains(m.Name)))
                    c.Problem("modules", $"PhysioNet's Parquet copy of {release.Id} has no module {m.Name}; list only {string.Join(", ", parquetCopy.Modules.Where(n => release.FindModule(n) is { IsDerived: false }))}, or use physionet-csv.");
        }

        S3Source? Parse(string key, string text)
        {
            var source = S3Source.TryParse(text, out var why);
            if (source is null) c.Problem(key, $"{Q(text)} {why}.");
            return source;
        }
        var root = c.Str("sourceUri") is { } rootText ? Parse("sourceUri", rootText) : null;
        var overrides = new Dictionary<string, S3Source>(StringComparer.Ordinal);
        foreach (var item in c.List("moduleSources"))
        {
            var eq = item.IndexOf('=');
            var (m, uri) = eq < 0 ? (item, "") : (item[..eq], item[(eq + 1)..]);
            if (!modules.Any(x => x.Name == m)) c.Problem("moduleSources", $"{Q(item)} names no module of this lab ({string.Join(", ", modules.Select(x => x.Name))}).");
            else if (Parse("moduleSources", uri) is { } source) overrides[m] = source;
        }
        var inPlace = c.Boolean("sourceInPlace");
        if (inPlace && layout is not (null or SourceLayout.TableParquet))
            c.Problem("sourceInPlace", "only your own table-parquet copy, already in the catalog's types, can be read in place; PhysioNet's files are imported into the lab's typed copy. Remove sourceInPlace.");

        var sources = layout is null || release is null ? new SortedDictionary<string, S3Source>(StringComparer.Ordinal)
            : ModuleSources.Resolve(release, modules, layout.Value, root, overrides, parquetCopy,
                reportMissing: !c.HasProblem("sourceUri") && !c.HasProblem("moduleSources"), c.Problem);
        foreach (var m in modules.Where(m => sources.ContainsKey(m.Name)))
        {
            var source = sources[m.Name];
            if (source.AccessPointRegion is { } apRegion && apRegion != region && !c.Problems.Any(p => p.StartsWith("aws:region", StringComparison.Ordinal)))
                c.Problems.Add($"aws:region: {Q(region)} differs from the region of the access point of module {m.Name} ({apRegion}); S3 copies through an access point only " +
                               $"within its region. Set aws:region to {apRegion}.");
            if (inPlace && source.IsAccessPoint)
                c.Problem("sourceInPlace", $"module {m.Name} is behind an access point ARN, which a Glue table cannot name as its location; import it instead (remove sourceInPlace).");
            if (layout is { } l && Importable.WhyNot(l, m) is var (t, reason))
                c.Problem("sourceLayout", $"{m.Name}.{t.Name} {reason}. Import it from Parquet: " +
                                          $"build the local lab with `local --parquet DIR`, upload DIR to S3 and use sourceLayout table-parquet; or leave module {m.Name} out" +
                                          (c.Has("modules") ? "." : $" (modules is unset, so the lab has every module: list the others, e.g. modules: [{ImportableNames(l, modules)}])."));
        }

        // Derived concepts: imported like any table, from Parquet (they have no CSV files): PhysioNet's derived
        // copy, the derived/ folder of your own table-parquet copy, or the folder derivedSourceUri names.
        S3Source? derivedSource = null;
        if (c.Str("derivedSourceUri") is { } derivedText)
        {
            if (derived is null) c.Problem("derivedSourceUri", "this lab has no derived module (the release has none, or modules leaves it out); remove the setting.");
            else derivedSource = Parse("derivedSourceUri", derivedText);
        }
        else if (derived is not null && layout == SourceLayout.PhysionetParquet && parquetCopy?.Modules.Contains(derived.Name) == true)
            derivedSource = parquetCopy.Location.Child(parquetCopy.ModuleFolderOf(derived));
        else if (derived is not null && layout == SourceLayout.TableParquet && root is not null && !inPlace)
            derivedSource = root.Child($"{derived.Name}/");
        if (derivedSource is not null && inPlace) c.Problem("sourceInPlace", "derived tables are always imported; remove sourceInPlace, or derivedSourceUri.");
        if (derivedSource?.AccessPointRegion is { } derivedRegion && derivedRegion != region)
            c.Problem("derivedSourceUri", $"its access point is in another region than the lab ({region}); S3 copies through an access point only within its region.");
        return new SourceSettings(layout ?? SourceLayout.PhysionetCsv, sources, inPlace, derivedSource);
    }

    private static string ImportableNames(SourceLayout layout, IEnumerable<Module> modules) =>
        string.Join(", ", modules.Where(m => Importable.CanImport(layout, m)).Select(m => m.Name));
}
