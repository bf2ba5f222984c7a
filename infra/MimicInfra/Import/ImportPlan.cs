using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Sources;

namespace MimicInfra.Import;

/// <summary>
/// The lab's data location (one bucket the lab owns) and what lives where in it. Fixed prefixes, so the
/// Glue tables, the import, the notebook role and the lifecycle rules all name the same places.
/// </summary>
public static class DataLayout
{
    /// <summary>Typed Parquet, one folder per catalog table: what researchers query.</summary>
    public const string Tables = "tables/";
    /// <summary>The import's server-side copies of the source files, one folder per table; removed once imported.</summary>
    public const string Staging = "staging/";
    /// <summary>Import records: one per table, and the lab's summary (imports/import.json).</summary>
    public const string Imports = "imports/";
    /// <summary>The lab's own files: the import script, the example notebook.</summary>
    public const string LabFiles = "lab/";

    public const string ImportScriptKey = LabFiles + "import/" + ImportScript.FileName;
    public const string ImportSummaryKey = Imports + "import.json";

    public static string TableFolder(Module m, Table t) => $"{Tables}{m.Name}/{t.Name}/";
    public static string StagingFolder(Module m, Table t) => $"{Staging}{m.Name}/{t.Name}/";
    public static string TableRecord(Module m, Table t) => $"{Imports}tables/{m.Name}/{t.Name}.json";
    /// <summary>Where a re-encoding records how far it got, so that a re-run continues there.</summary>
    public static string TableCheckpoint(Module m, Table t) => $"{Imports}checkpoints/{m.Name}/{t.Name}.json";
}

/// <summary>
/// What lives where in the lab's results bucket: every prefix the lab writes there is temporary work and expires
/// after resultsRetentionDays (a lab reading its source in place also keeps its files under lab/ there).
/// </summary>
public static class ResultsLayout
{
    /// <summary>Athena's results of the lab workgroup (the notebook's and the console's queries).</summary>
    public const string QueryResults = "results/";
    /// <summary>Athena's results of the import workgroup.</summary>
    public const string ImportResults = "import-results/";
    /// <summary>The notebook's own scratch files (e.g. a result saved as Parquet for the next step).</summary>
    public const string NotebookScratch = "scratch/";

    public static readonly IReadOnlyList<string> Prefixes = [QueryResults, ImportResults, NotebookScratch];
}

/// <summary>One table's import: copy the source into staging as the researcher, then UNLOAD typed Parquet into the lab's table folder.</summary>
public sealed record TableImport(TableSource Source, string StagingFolder, string TableFolder, string RecordKey, string RawTable, string TypedTable, string Unload, string SourceCount, string CopyCount)
{
    /// <summary>The raw table's name in the import database (unquoted).</summary>
    public string RawTableName => ImportPlan.RawTableName(Module, Table);

    /// <summary>The Glue database of the typed copy's table (the lab's, or its derived database).</summary>
    public string TypedDatabase { get; init; } = "";

    /// <summary>
    /// Whether the source is re-encoded while it is copied (CSV with line breaks inside quoted text, which Athena's CSV
    /// readers cannot read, into JSON Lines that its JSON reader can): the raw table then reads JSON, the UNLOAD is the same.
    /// </summary>
    public bool Reencoded { get; init; }

    public string CheckpointKey => DataLayout.TableCheckpoint(Module, Table);

    public Module Module => Source.Module;
    public Table Table => Source.Table;
}

public sealed record ImportPlanData(string Lab, string Release, string ReleaseTitle, string Region, string LabDatabase, string ImportDatabase,
    string ImportWorkgroup, bool SourceIsPhysioNetCredentialed, IReadOnlyList<TableImport> Tables)
{
    /// <summary>What the lab's data bucket's name starts with (S3 completes it at deploy time): the import refuses any other bucket.</summary>
    public string DataBucketPrefix { get; init; } = "";
}

/// <summary>
/// The third stage of an AWS lab that owns its data: per table, where the source is copied, the raw table
/// the import reads (physical types), and the SQL that writes the typed copy. The placeholder
/// <see cref="DataBucketToken"/> stands for the lab's data bucket, whose name S3 completes at deploy time;
/// the import script takes it on its command line (never from the Glue catalog, which principals outside the
/// data perimeter can change). No I/O.
/// </summary>
public static class ImportPlan
{
    public const string DataBucketToken = "{data_bucket}";

    /// <summary>A raw table's name in the import database: module and table, since derived and ed both have a vitalsign.</summary>
    public static string RawTableName(Module m, Table t) => $"{m.Name}_{t.Name}";

    /// <summary>
    /// A module whose CSV files hold text with line breaks inside quotes (notes): all of its tables are re-encoded,
    /// the detail tables' free-text values included, since one quoted line break is enough to stop Athena's reader.
    /// </summary>
    public static bool HasQuotedLineBreaks(Module m) => m.Tables.Any(t => t.MultilineText);

    public static ImportPlanData For(LabSettings lab)
    {
        var aws = lab.Aws ?? throw new InvalidOperationException("import plans are for AWS labs");
        var names = lab.Names;
        var tables = SourcePlan.For(lab).Select(source =>
        {
            var (m, t) = (source.Module, source.Table);
            var raw = $"{TypedViewSql.Quote(names.ImportDatabase)}.{TypedViewSql.Quote(RawTableName(m, t))}";
            var typed = $"{TypedViewSql.Quote(names.DatabaseOf(m))}.{TypedViewSql.Quote(t.Name)}";
            var target = $"s3://{DataBucketToken}/{DataLayout.TableFolder(m, t)}";
            return new TableImport(source, DataLayout.StagingFolder(m, t), DataLayout.TableFolder(m, t), DataLayout.TableRecord(m, t), raw, typed,
                CopySql.Unload(t, raw, source.IsText, source.PhysicalTypeOf, target),
                $"SELECT count(*) FROM {raw}", $"SELECT count(*) FROM {typed}") { TypedDatabase = names.DatabaseOf(m), Reencoded = source.IsText && HasQuotedLineBreaks(m) };
        }).ToList();
        var credentialed = lab.Release.Access == Access.Credentialed && aws.Sources.Layout != SourceLayout.TableParquet;
        return new ImportPlanData(names.Lab, lab.Release.Id, lab.Release.Title, aws.Region, names.Database, names.ImportDatabase, names.ImportWorkgroup,
            credentialed, tables) { DataBucketPrefix = names.DataBucketPrefix };
    }
}

/// <summary>
/// The one SQL generator of the typed copy: the catalog casts over a source relation, written as Parquet
/// (zstd). Athena runs it as UNLOAD into the lab's table folder; the local lab runs it as DuckDB COPY.
/// </summary>
public static class CopySql
{
    /// <summary>The UNLOAD of one table: text sources (CSV) by the text casts, typed ones (Parquet) by their physical types.</summary>
    public static string Unload(Table t, string relation, bool textSource, Func<Column, string> physicalType, string targetFolder) =>
        $"UNLOAD (\n{(textSource ? TypedViewSql.ViewQuery(t, relation, Dialect.Athena) : TypedViewSql.ViewQuery(t, relation, Dialect.Athena, physicalType))}\n)\n" +
        $"TO '{targetFolder.Replace("'", "''")}'\nWITH (format = 'PARQUET', compression = 'ZSTD')";

    public static string DuckDbCopy(string select, string targetFile) =>
        $"COPY ({select}) TO '{targetFile.Replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)";
}
