using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws;

/// <summary>
/// What the one-time import needs on AWS, and nothing the researcher's notebook can reach: a Glue database of
/// raw tables over the staged source files (declared with the source's physical types), an Athena workgroup
/// with its own scan cap, the import script in the data bucket, and the IAM policy the researcher's own
/// (PhysioNet-verified) IAM user needs to run it. PhysioNet authorizes individual IAM users only, never a
/// role, so the copy runs as that user, not as anything this program creates.
/// </summary>
public sealed class LabImport(LabSettings lab, ProgramBuilder program)
{
    private readonly AwsSettings _aws = lab.Aws!;
    private readonly LabNames _names = lab.Names;
    private readonly ImportPlanData _plan = ImportPlan.For(lab);

    public void Build()
    {
        program.Add(new PulumiResource("importDatabase", "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
            ("name", _names.ImportDatabase),
            ("description", $"Import only: raw tables over the staged {lab.Release.Title} source files; query {_names.Database} instead"),
            // For the notebook's import check only: the import itself takes its bucket from its command line, never from
            // the catalog, which principals outside the data perimeter (glue:UpdateDatabase) can change.
            ("parameters", YMap.Of(("mimic_lab_data_bucket", "${dataBucket.bucket}"), ("mimic_release", lab.Release.Id))),
            ("tags", AwsProvider.TagsOf(lab))), AwsProvider.Options()));
        foreach (var t in _plan.Tables) RawTableFor(t);
        program.Add(Expiry.AwsExpiryStop.Resumable(lab, AwsLab.WorkgroupResource(lab, "importWorkgroup", _names.ImportWorkgroup,
            $"MIMIC lab {_names.Lab}: the one-time import of {lab.Release.Title} into the lab's typed copy", ResultsLayout.ImportResults, _aws.ImportBytesScannedCutoffPerQuery)));
        program.Add(new PulumiResource("importScript", "aws:s3/bucketObjectv2:BucketObjectv2", YMap.Of(
            ("bucket", "${dataBucket.bucket}"),
            ("key", DataLayout.ImportScriptKey),
            ("content", PulumiText.Literal(ImportScript.Build(_plan))),
            ("contentType", "text/x-python"),
            ("tags", AwsProvider.ObjectTagsOf(lab))), AwsProvider.Options("dataEncryption", "dataTlsOnlyPolicy")));
        program.Output("importCommand", ImportScript.CommandFor(_plan, "${dataBucket.bucket}", "${awsAccount.accountId}"));
        DmlTimeoutQuota();
        program.Output("importWorkgroup", "${importWorkgroup.name}");
        program.Output("researcherImportPolicy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", ResearcherImportStatements().Cast<object>().ToList()))));
    }

    /// <summary>
    /// A raw table over one table's staging folder, with the source's own types: all text for PhysioNet's CSV
    /// (OpenCSVSerDe, header skipped, gzip from the file name), the physical types for Parquet.
    /// </summary>
    private void RawTableFor(TableImport t)
    {
        var location = $"s3://${{dataBucket.bucket}}/{t.StagingFolder}";
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
            : AwsLab.ParquetStorage(location, columns);
        program.Add(new PulumiResource($"import-{AwsLab.Key(t.Module, t.Table)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", ImportPlan.RawTableName(t.Module, t.Table)),
            ("databaseName", "${importDatabase.name}"),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", $"Import only: {t.Source.Uri} as staged, {(t.Reencoded ? "re-encoded as JSON Lines, all text" : t.Source.IsText ? "all text" : "physical types")}; query {_names.DatabaseOf(t.Module)}.{t.Table.Name}"),
            ("parameters", t.Reencoded
                ? YMap.Of(("classification", "json"), ("EXTERNAL", "TRUE"))
                : t.Source.IsText
                ? YMap.Of(("classification", "csv"), ("skip.header.line.count", "1"), ("EXTERNAL", "TRUE"))
                : YMap.Of(("classification", "parquet"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", storage)), AwsProvider.Options()));
    }

    /// <summary>
    /// The DML query timeout the import's largest tables need (ImportModel): a Service Quotas request for the account.
    /// The provider submits an increase only when the value is above the current one, and its delete does nothing (a
    /// quota increase cannot be taken back), so destroy leaves the account's timeout as it is.
    /// </summary>
    private void DmlTimeoutQuota()
    {
        if (ImportModel.QuotaRequest(lab) is not { } minutes) return;
        program.Add(new PulumiResource("athenaDmlTimeoutQuota", "aws:servicequotas/serviceQuota:ServiceQuota", YMap.Of(
            ("serviceCode", "athena"),
            ("quotaCode", ImportModel.DmlTimeoutQuotaCode),
            ("value", minutes)), AwsProvider.Options()));
        program.Output("athenaDmlTimeoutQuota", "${athenaDmlTimeoutQuota.value} minutes requested (${athenaDmlTimeoutQuota.requestStatus}); AWS default ${athenaDmlTimeoutQuota.defaultValue}");
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
        if (lab.AwsDerived is not null) databases.Add(_names.DerivedDatabase);
        var statements = Iam.ReadFolders("TheSource", _plan.Tables.Select(t => t.Source.Folder).ToList()).ToList();
        statements.AddRange(
        [
            Statement("WriteTheLabCopy", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                [$"${{dataBucket.arn}}/{DataLayout.Staging}*", $"${{dataBucket.arn}}/{DataLayout.Tables}*", $"${{dataBucket.arn}}/{DataLayout.Imports}*"]),
            Statement("ReadTheImportScript", ["s3:GetObject"], [$"${{dataBucket.arn}}/{DataLayout.LabFiles}import/*"]),
            Statement("ListTheLabData", ["s3:ListBucket", "s3:GetBucketLocation"], ["${dataBucket.arn}"]),
            Statement("WriteImportResults", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], ["${resultsBucket.arn}/import-results/*"]),
            Statement("ListImportResults", ["s3:ListBucket", "s3:GetBucketLocation"], ["${resultsBucket.arn}"]),
            Statement("RunTheImport", ["athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                "athena:GetQueryRuntimeStatistics", "athena:GetWorkGroup"], ["${importWorkgroup.arn}"]),
            Iam.ReadGlueDatabases("ReadTheLabCatalog", _aws.Region, databases),
            // The import reads the DML timeout before it starts a table the time model says is long.
            Statement("ReadTheDmlTimeout", ["servicequotas:GetServiceQuota"],
                [$"arn:{Iam.Partition}:servicequotas:{_aws.Region}:${{awsAccount.accountId}}:athena/{ImportModel.DmlTimeoutQuotaCode}"]),
        ]);
        if (_aws.KmsEncryption)
            statements.Add(Iam.UseTheLabKey());
        statements.AddRange(Iam.UseTheGlueCatalogKey(_aws));
        statements.Add(Perimeter.LabPerimeter.AfterExpiry(lab, Perimeter.LabPerimeter.AsWritten));
        return statements;
    }

    private static YMap Statement(string sid, string[] actions, string[] resources, YMap? condition = null) => Iam.Statement(sid, actions, resources, condition);
}
