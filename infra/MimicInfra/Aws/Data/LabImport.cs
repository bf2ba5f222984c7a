using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>What the one-time import is made of.</summary>
public sealed record LabImportArgs
{
    /// <summary>The lab bucket's layout and one copy per table.</summary>
    public required ImportPlanData Plan { get; init; }

    public required Release Release { get; init; }

    public required LabNames Names { get; init; }

    public required string Region { get; init; }

    /// <summary>The most one import query may scan, in bytes (the import workgroup's cap).</summary>
    public required long BytesScannedCutoffPerQuery { get; init; }

    /// <summary>Athena's DML query timeout (minutes) to request for the account; null for no request.</summary>
    public int? DmlTimeoutQuotaMinutes { get; init; }

    /// <summary>Whether the lab has a derived database the import writes (and so reads).</summary>
    public bool HasDerivedDatabase { get; init; }

    public required BucketHandles Data { get; init; }

    public required BucketHandles Results { get; init; }

    public required Handle ImportDatabase { get; init; }

    public required Handle ImportWorkgroup { get; init; }

    public required Handle Account { get; init; }

    public required Handle Partition { get; init; }

    /// <summary>The lab key; null when the lab uses SSE-S3.</summary>
    public Handle? LabKey { get; init; }

    /// <summary>Statements the researcher's import policy adds for the account's encrypted Glue Data Catalog (none when it is not).</summary>
    public IReadOnlyList<YMap> GlueCatalogKeyStatements { get; init; } = [];

    /// <summary>The statement that ends the researcher's import policy at the lab's expiry (the perimeter's).</summary>
    public required YMap AfterExpiry { get; init; }

    public required YMap Tags { get; init; }

    /// <summary>Tags of S3 objects (at most 10 per object).</summary>
    public required YMap ObjectTags { get; init; }

    /// <summary>What the lab's expiry stop makes of the import workgroup so it can be disabled at expiry and resumed.</summary>
    public Func<PulumiResource, PulumiResource> Resumable { get; init; } = workgroup => workgroup;
}

/// <summary>
/// What the one-time import needs on AWS, and nothing the researcher's notebook can reach: a Glue database of
/// raw tables over the staged source files (declared with the source's physical types), an Athena workgroup
/// with its own scan cap, the import script in the data bucket, and the IAM policy the researcher's own
/// (PhysioNet-verified) IAM user needs to run it. PhysioNet authorizes individual IAM users only, never a
/// role, so the copy runs as that user, not as anything this program creates.
/// </summary>
public sealed class LabImport(ProgramBuilder program, LabImportArgs args)
{
    private readonly LabNames _names = args.Names;
    private readonly ImportPlanData _plan = args.Plan;
    private string DataBucket => args.Data.Bucket.Out("bucket");
    private string DataBucketArn => args.Data.Bucket.Arn;
    private string ResultsBucketArn => args.Results.Bucket.Arn;

    public void Build()
    {
        program.Add(args.ImportDatabase, "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
            ("name", _names.ImportDatabase),
            ("description", $"Import only: raw tables over the staged {args.Release.Title} source files; query {_names.Database} instead"),
            // For the notebook's import check only: the import itself takes its bucket from its command line, never from
            // the catalog, which principals outside the data perimeter (glue:UpdateDatabase) can change.
            ("parameters", YMap.Of(("mimic_lab_data_bucket", DataBucket), ("mimic_release", args.Release.Id))),
            ("tags", args.Tags)), AwsProvider.Options());
        foreach (var t in _plan.Tables) RawTableFor(t);
        var workgroup = new LabWorkgroup(program, new()
        {
            Workgroup = args.ImportWorkgroup,
            Name = _names.ImportWorkgroup,
            Description = $"MIMIC lab {_names.Lab}: the one-time import of {args.Release.Title} into the lab's typed copy",
            ResultsPrefix = ResultsLayout.ImportResults,
            BytesScannedCutoffPerQuery = args.BytesScannedCutoffPerQuery,
            Results = args.Results,
            Account = args.Account,
            LabKey = args.LabKey,
            Tags = args.Tags,
            Resumable = args.Resumable,
        }).Build();
        program.Add("importScript", "aws:s3/bucketObjectv2:BucketObjectv2", YMap.Of(
            ("bucket", DataBucket),
            ("key", DataLayout.ImportScriptKey),
            ("content", PulumiText.Literal(ImportScript.Build(_plan))),
            ("contentType", "text/x-python"),
            ("tags", args.ObjectTags)), AwsProvider.OptionsAfter(args.Data.Encryption, args.Data.Policy));
        program.Output("importCommand", ImportScript.CommandFor(_plan, DataBucket, args.Account.Out("accountId")));
        DmlTimeoutQuota();
        program.Output("importWorkgroup", workgroup.Out("name"));
        program.Output("researcherImportPolicy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", ResearcherImportStatements().Cast<object>().ToList()))));
    }

    /// <summary>
    /// A raw table over one table's staging folder, with the source's own types: all text for PhysioNet's CSV
    /// (OpenCSVSerDe, header skipped, gzip from the file name), the physical types for Parquet.
    /// </summary>
    private void RawTableFor(TableImport t)
    {
        var location = $"s3://{DataBucket}/{t.StagingFolder}";
        var columns = t.Table.Columns.Select(c => (object)YMap.Of(("name", c.Name), ("type", t.Source.PhysicalTypeOf(c)))).ToList();
        var storage = t.Reencoded
            ? YMap.Of(
                ("location", location),
                ("inputFormat", "org.apache.hadoop.mapred.TextInputFormat"),
                ("outputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
                // One JSON object per line, keys the catalog's column names, every value the CSV field's exact text.
                ("serDeInfo", YMap.Of(("name", "JsonSerDe"), ("serializationLibrary", "org.apache.hive.hcatalog.data.JsonSerDe"))),
                ("columns", columns))
            : t.Source.IsText
            ? YMap.Of(
                ("location", location),
                ("inputFormat", "org.apache.hadoop.mapred.TextInputFormat"),
                ("outputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
                ("serDeInfo", YMap.Of(
                    ("name", "OpenCSVSerde"),
                    ("serializationLibrary", "org.apache.hadoop.hive.serde2.OpenCSVSerde"),
                    // PhysioNet escapes a quote by doubling it, which the CSV reader handles by itself; its default
                    // escape character, the backslash, would drop every backslash in the text (emar_detail has
                    // "units\ 0 units"), so the escape character is one no MIMIC file contains.
                    ("parameters", YMap.Of(("separatorChar", ","), ("quoteChar", "\""), ("escapeChar", NoEscape))))),
                ("columns", columns))
            : GlueCatalog.ParquetStorage(location, columns);
        program.Add($"import-{GlueCatalog.Key(t.Module, t.Table)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", ImportPlan.RawTableName(t.Module, t.Table)),
            ("databaseName", args.ImportDatabase.Out("name")),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", $"Import only: {t.Source.Uri} as staged, {(t.Reencoded ? "re-encoded as JSON Lines, all text" : t.Source.IsText ? "all text" : "physical types")}; query {_names.DatabaseOf(t.Module)}.{t.Table.Name}"),
            ("parameters", t.Reencoded
                ? YMap.Of(("classification", "json"), ("EXTERNAL", "TRUE"))
                : t.Source.IsText
                ? YMap.Of(("classification", "csv"), ("skip.header.line.count", "1"), ("EXTERNAL", "TRUE"))
                : YMap.Of(("classification", "parquet"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", storage)), AwsProvider.Options());
    }

    /// <summary>
    /// The DML query timeout the import's largest tables need (ImportModel): a Service Quotas request for the account.
    /// The provider submits an increase only when the value is above the current one, and its delete does nothing (a
    /// quota increase cannot be taken back), so destroy leaves the account's timeout as it is.
    /// </summary>
    private void DmlTimeoutQuota()
    {
        if (args.DmlTimeoutQuotaMinutes is not { } minutes) return;
        var quota = program.Add("athenaDmlTimeoutQuota", "aws:servicequotas/serviceQuota:ServiceQuota", YMap.Of(
            ("serviceCode", "athena"),
            ("quotaCode", ImportModel.DmlTimeoutQuotaCode),
            ("value", minutes)), AwsProvider.Options());
        program.Output("athenaDmlTimeoutQuota", $"{quota.Out("value")} minutes requested ({quota.Out("requestStatus")}); AWS default {quota.Out("defaultValue")}");
    }

    /// <summary>The CSV escape character of the raw tables: U+0001, which no MIMIC file contains (tested on the demos).</summary>
    public const string NoEscape = "\u0001";

    /// <summary>
    /// The policy the researcher's IAM user needs to run the import (a stack output, to attach once): read the
    /// source, write the lab's staging, table and record prefixes, run queries in the import workgroup only.
    /// </summary>
    internal IReadOnlyList<YMap> ResearcherImportStatements()
    {
        var databases = new List<string> { _names.ImportDatabase, _names.Database };
        if (args.HasDerivedDatabase) databases.Add(_names.DerivedDatabase);
        var statements = Iam.ReadFolders("TheSource", _plan.Tables.Select(t => t.Source.Folder).ToList(), args.Partition).ToList();
        statements.AddRange(
        [
            Statement("WriteTheLabCopy", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                [$"{DataBucketArn}/{DataLayout.Staging}*", $"{DataBucketArn}/{DataLayout.Tables}*", $"{DataBucketArn}/{DataLayout.Imports}*"]),
            Statement("ReadTheImportScript", ["s3:GetObject"], [$"{DataBucketArn}/{DataLayout.LabFiles}import/*"]),
            Statement("ListTheLabData", ["s3:ListBucket", "s3:GetBucketLocation"], [DataBucketArn]),
            Statement("WriteImportResults", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], [$"{ResultsBucketArn}/{ResultsLayout.ImportResults}*"]),
            Statement("ListImportResults", ["s3:ListBucket", "s3:GetBucketLocation"], [ResultsBucketArn]),
            Statement("RunTheImport", ["athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                "athena:GetQueryRuntimeStatistics", "athena:GetWorkGroup"], [args.ImportWorkgroup.Arn]),
            Iam.ReadGlueDatabases("ReadTheLabCatalog", args.Partition, args.Account, args.Region, databases),
            // The import reads the DML timeout before it starts a table the time model says is long.
            Statement("ReadTheDmlTimeout", ["servicequotas:GetServiceQuota"],
                [$"arn:{args.Partition.Out("partition")}:servicequotas:{args.Region}:{args.Account.Out("accountId")}:athena/{ImportModel.DmlTimeoutQuotaCode}"]),
        ]);
        if (args.LabKey is { } labKey)
            statements.Add(Iam.UseTheLabKey(labKey));
        statements.AddRange(args.GlueCatalogKeyStatements);
        statements.Add(args.AfterExpiry);
        return statements;
    }

    private static YMap Statement(string sid, string[] actions, string[] resources, YMap? condition = null) => Iam.Statement(sid, actions, resources, condition);
}
