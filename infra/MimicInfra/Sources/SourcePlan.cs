using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Sources;

/// <summary>
/// Where one catalog table's source is and how it is read: a single file (PhysioNet's CSV) or a folder of
/// Parquet files, with the physical type of each column in catalog order.
/// </summary>
public sealed record TableSource(Module Module, Table Table, S3Source Folder, string? File, bool IsText, IReadOnlyList<string> PhysicalTypes)
{
    /// <summary>The physical (Glue) type of a column of this table's source.</summary>
    public string PhysicalTypeOf(Column c) => PhysicalTypes[Table.Columns.ToList().IndexOf(c)];

    /// <summary>The source's own URI: the file, or the folder.</summary>
    public string Uri => File is null ? Folder.Uri : Folder.Uri + File;
}

/// <summary>The second stage of an AWS lab: from settings to the source of every table. No I/O.</summary>
public static class SourcePlan
{
    public static IReadOnlyList<TableSource> For(LabSettings lab)
    {
        var aws = lab.Aws ?? throw new InvalidOperationException("source plans are for AWS labs");
        var copy = aws.Sources.Layout == SourceLayout.PhysionetParquet ? SourceProfiles.ParquetCopyOf(lab.Release) : null;
        return lab.Tables.Select(x =>
        {
            var (m, t) = x;
            var folder = aws.Sources.ModuleSources[m.Name];
            return aws.Sources.Layout switch
            {
                SourceLayout.PhysionetCsv => new TableSource(m, t, folder, FileInModuleFolder(m, t), true, t.Columns.Select(_ => TypedViewSql.Text).ToList()),
                SourceLayout.PhysionetParquet => new TableSource(m, t, folder.Child(copy!.TableFolderOf(t)), null, false, t.Columns.Select(c => copy.TypeOf(m, t, c)).ToList()),
                _ => new TableSource(m, t, folder.Child($"{t.Name}/"), null, false, t.Columns.Select(c => Dialects.TypeName(c.Type, Dialect.Glue)).ToList()),
            };
        }).Concat(DerivedTables(lab, aws, copy)).ToList();
    }

    /// <summary>
    /// The derived concept tables an AWS lab imports: from PhysioNet's derived copy (its physical types; only the
    /// tables it publishes), or from a folder of Parquet in catalog types (`local --concepts ... --parquet`).
    /// </summary>
    private static IEnumerable<TableSource> DerivedTables(LabSettings lab, AwsSettings aws, ParquetCopy? copy)
    {
        if (lab.AwsDerived is not { } d || aws.Sources.DerivedSource is not { } folder) yield break;
        var physionet = copy is not null && copy.Modules.Contains(d.Name) && folder == copy.Location.Child(copy.ModuleFolderOf(d));
        foreach (var t in d.Tables)
        {
            if (physionet && !copy!.Has(d, t)) continue;
            yield return physionet
                ? new TableSource(d, t, folder.Child(copy!.TableFolderOf(t)), null, false, t.Columns.Select(c => copy.TypeOf(d, t, c)).ToList())
                : new TableSource(d, t, folder.Child($"{t.Name}/"), null, false, t.Columns.Select(c => Dialects.TypeName(c.Type, Dialect.Glue)).ToList());
        }
    }

    /// <summary>The module folder of each layout, relative to a release root (sourceUri).</summary>
    public static string ModuleFolder(SourceLayout layout, Release release, Module m) => layout switch
    {
        SourceLayout.PhysionetCsv => m.Folder.Length == 0 ? "" : m.Folder + "/",
        SourceLayout.PhysionetParquet => SourceProfiles.ParquetCopyOf(release)?.ModuleFolderOf(m) ?? "",
        _ => m.Name + "/",
    };

    private static string FileInModuleFolder(Module m, Table t) => m.FileOf(t)[(m.Folder.Length == 0 ? 0 : m.Folder.Length + 1)..];
}
