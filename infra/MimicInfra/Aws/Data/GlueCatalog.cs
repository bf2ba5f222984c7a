using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws.Data;

/// <summary>What the lab's Glue catalog is made of.</summary>
public sealed record GlueCatalogArgs
{
    public required Release Release { get; init; }

    /// <summary>The release's modules the lab holds (named in the lab database's description).</summary>
    public required IReadOnlyList<Module> Modules { get; init; }

    /// <summary>The derived concept module when the lab imports it (its own database); null otherwise.</summary>
    public Module? Derived { get; init; }

    /// <summary>Every table the lab queries, with where its files are.</summary>
    public required IReadOnlyList<TableSource> Sources { get; init; }

    /// <summary>Who the lab is for and its study, as the descriptions say it.</summary>
    public required string Researcher { get; init; }

    public required string Study { get; init; }

    public required string DatabaseName { get; init; }

    public required string DerivedDatabaseName { get; init; }

    public required Handle LabDatabase { get; init; }

    /// <summary>Added only when <see cref="Derived"/> is set.</summary>
    public required Handle DerivedDatabase { get; init; }

    /// <summary>The lab's data bucket, where its typed copy is; null when the tables read an exact-typed Parquet source in place.</summary>
    public Handle? DataBucket { get; init; }

    public required YMap Tags { get; init; }
}

/// <summary>
/// The Glue databases researchers query and their tables: Parquet in exact catalog types, in the lab's own data bucket
/// (or, for a table-parquet source read in place, where that copy is). No view, nothing over CSV in the query path.
/// </summary>
public sealed class GlueCatalog(ProgramBuilder program, GlueCatalogArgs args)
{
    public void Build()
    {
        program.Add(args.LabDatabase, "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
            ("name", args.DatabaseName),
            ("description", $"{args.Release.Title} ({string.Join(", ", args.Modules.Select(m => m.Name))}) for {args.Researcher}, study {args.Study}; typed Parquet tables"),
            // Where the notebook finds the lab's data bucket and its import record.
            ("parameters", args.DataBucket is { } bucket
                ? YMap.Of(("mimic_release", args.Release.Id), ("mimic_lab_data_bucket", bucket.Out("bucket")))
                : YMap.Of(("mimic_release", args.Release.Id))),
            ("tags", args.Tags)), AwsProvider.Options());
        if (args.Derived is { } derived)
            program.Add(args.DerivedDatabase, "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
                ("name", args.DerivedDatabaseName),
                ("description", $"{args.Release.Title} derived concepts ({derived.Schema}) for {args.Researcher}, study {args.Study}; typed Parquet tables"),
                ("parameters", YMap.Of(("mimic_release", args.Release.Id), ("mimic_lab_data_bucket",
                    (args.DataBucket ?? throw new InvalidOperationException("derived tables are always imported into the lab's data bucket")).Out("bucket")))),
                ("tags", args.Tags)), AwsProvider.Options());
        foreach (var source in args.Sources) TypedTableFor(source);
    }

    /// <summary>The logical-name part of a table: module and table, dashes only.</summary>
    public static string Key(Module m, Table t) => $"{m.Name}-{t.Name.Replace('_', '-')}";

    private void TypedTableFor(TableSource source)
    {
        var (m, t) = (source.Module, source.Table);
        var location = args.DataBucket is { } bucket ? $"s3://{bucket.Out("bucket")}/{DataLayout.TableFolder(m, t)}" : source.Folder.Uri;
        program.Add($"table-{Key(m, t)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", t.Name),
            ("databaseName", (m.IsDerived ? args.DerivedDatabase : args.LabDatabase).Out("name")),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", t.Description ?? $"{args.Release.Title} {m.Name}.{t.Name} ({t.Columns.Count} columns, typed from the MimicInfra catalog)"),
            ("parameters", YMap.Of(("classification", "parquet"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", ParquetStorage(location, GlueColumns(t)))), AwsProvider.Options());
    }

    /// <summary>A Parquet storage descriptor (Hive's Parquet formats and SerDe), as Athena reads it.</summary>
    public static YMap ParquetStorage(string location, List<object> columns) => YMap.Of(
        ("location", location),
        ("inputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
        ("outputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
        ("serDeInfo", YMap.Of(
            ("name", "ParquetHiveSerDe"),
            ("serializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
            ("parameters", YMap.Of(("serialization.format", "1"))))),
        ("columns", columns));

    /// <summary>A table's columns in exact catalog types, as Glue declares them.</summary>
    public static List<object> GlueColumns(Table t) =>
        t.Columns.Select(c => (object)YMap.Of(("name", c.Name), ("type", Dialects.TypeName(c.Type, Dialect.Glue)), ("comment", c.Description))).ToList();
}
