using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws;

/// <summary>
/// The AWS data plane of a lab: the lab's own data bucket holding a typed Parquet copy of every catalog
/// table (filled once by <see cref="LabImport"/>), a results bucket, both private, encrypted, TLS only,
/// their KMS key, the Glue database of typed Parquet tables researchers query, and an Athena workgroup
/// with a per-query scan cap. Each concern is one method; all names come from <see cref="LabNames"/>.
/// </summary>
public sealed class AwsLab(LabSettings lab, ProgramBuilder program)
{
    private readonly AwsSettings _aws = lab.Aws!;
    private readonly LabNames _names = lab.Names;
    private readonly IReadOnlyList<TableSource> _sources = SourcePlan.For(lab);
    private readonly AwsLabResources _resources = AwsLabResources.Declare(program);

    /// <summary>The handles its components share, for the components wired after it (the expiry stop).</summary>
    public AwsLabResources Resources => _resources;

    private static ResourceOptions Options(params string[] dependsOn) => AwsProvider.Options(dependsOn);

    private static YMap TagsOf(LabSettings lab) => AwsProvider.TagsOf(lab);

    private YMap Tags() => TagsOf(lab);

    public void Build()
    {
        using var _ = program.Component(nameof(AwsLab));
        AwsProvider.Add(program, lab);
        program.Variable(_resources.Account, AwsProvider.Invoke("aws:index/getCallerIdentity:getCallerIdentity"));
        program.Variable(_resources.Partition, AwsProvider.Invoke("aws:index/getPartition:getPartition"));
        program.Variable(_resources.Deployer, Perimeter.LabPerimeter.DeployerVariable());
        if (Perimeter.LabPerimeter.ResearcherVariable(lab) is { } researcher) program.Variable(_resources.Researcher, researcher);

        if (_aws.KmsEncryption) LabKey();
        using (program.Component("ResultsBucket"))
            new PrivateBucket(lab, program, "results", _names.BucketPrefix, _aws.KeepResultsOnDestroy,
                [new("expire-query-results", ResultsLayout.QueryResults, _aws.ResultsRetentionDays), new("expire-import-results", ResultsLayout.ImportResults, _aws.ResultsRetentionDays),
                 new("expire-notebook-scratch", ResultsLayout.NotebookScratch, _aws.ResultsRetentionDays)], [.. NotebookWritesOnlyItsWork(), .. Perimeter.LabPerimeter.BucketStatements(lab, "resultsBucket")]).Build();
        if (_aws.OwnsData)
            using (program.Component("DataBucket"))
                new PrivateBucket(lab, program, "data", _names.DataBucketPrefix, keepOnDestroy: false, DataBucketLifecycle,
                    [.. NotebookNeverWritesTheData(), .. Perimeter.LabPerimeter.BucketStatements(lab, "dataBucket")], versioned: true).Build();
        Databases();
        foreach (var source in _sources) TypedTableFor(source);
        Workgroup();
        if (_aws.OwnsData) using (program.Component(nameof(LabImport))) new LabImport(lab, program).Build();
        using (program.Component(nameof(Audit.LabAuditTrail))) new Audit.LabAuditTrail(program, Audit.LabAuditTrailArgs.Of(lab, _resources)).Build();
        if (_aws.Notebook?.LabVpc is not null) using (program.Component(nameof(Network.LabNetwork))) new Network.LabNetwork(lab, program).Build();
        var workspace = new ResearcherWorkspace(lab, program);
        using (program.Component(nameof(ResearcherWorkspace))) workspace.Build();
        Outputs();
        workspace.Outputs();
    }

    /// <summary>Days an overwritten or deleted version of the lab's data stays recoverable (a re-import, a mistake).</summary>
    public const int DataVersionDays = 30;

    /// <summary>
    /// Every prefix of the data bucket the lab writes, each with its rule: the typed copy, the import records and
    /// the lab's files are kept (their old versions expire); staging is temporary (and its old versions go at once).
    /// </summary>
    internal static readonly IReadOnlyList<ExpiryRule> DataBucketLifecycle =
    [
        new("keep-tables-expire-old-versions", DataLayout.Tables, null, DataVersionDays),
        new("keep-import-records-expire-old-versions", DataLayout.Imports, null, DataVersionDays),
        new("keep-lab-files-expire-old-versions", DataLayout.LabFiles, null, DataVersionDays),
        new("expire-forgotten-staging", DataLayout.Staging, 14, 1),
    ];

    /// <summary>
    /// The results bucket holds only what the lab's work writes, and the notebook may write only there (in its
    /// role and here): Athena's results, its own scratch files; nothing else in the bucket is the notebook's.
    /// </summary>
    private IReadOnlyList<YMap> NotebookWritesOnlyItsWork() =>
        DenyTheNotebookWrites("NotebookWritesOnlyItsWork", "NotResource",
            [$"${{resultsBucket.arn}}/{ResultsLayout.QueryResults}*", $"${{resultsBucket.arn}}/{ResultsLayout.NotebookScratch}*"]);

    /// <summary>
    /// The lab's data is read-only to the notebook in the bucket policy as well as in its role, so no later
    /// grant to the role can let a notebook rewrite what the lab's tables read.
    /// </summary>
    private IReadOnlyList<YMap> NotebookNeverWritesTheData() => DenyTheNotebookWrites("NotebookNeverWritesTheData", "Resource", ["${dataBucket.arn}/*"]);

    /// <summary>A bucket-policy statement denying the notebook's role every object write on (or outside, with NotResource) the given objects.</summary>
    private IReadOnlyList<YMap> DenyTheNotebookWrites(string sid, string resourceKey, object[] objects) => _aws.Notebook is null ? [] :
    [
        YMap.Of(
            ("Sid", sid),
            ("Effect", "Deny"),
            ("Principal", YMap.Of(("AWS", "${notebookRole.arn}"))),
            ("Action", new object[] { "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectTagging" }),
            (resourceKey, objects)),
    ];

    /// <summary>A per-lab key: rotated yearly, a short deletion window, administered only by the account.</summary>
    private void LabKey()
    {
        var policy = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", (List<object>)
            [
                .. Perimeter.LabPerimeter.KeyStatements(lab),
                .. Audit.LabAuditTrail.KeyStatements(Audit.LabAuditTrailArgs.Of(lab, _resources)),
            ]));
        // Kept results and kept audit records stay readable only while their key lives.
        var keep = _aws.KeepResultsOnDestroy || Audit.LabAuditTrail.KeepsTheLabKey(lab);
        program.Add(new PulumiResource("labKey", "aws:kms/key:Key", YMap.Of(
            ("description", $"MIMIC lab {_names.Lab}: Athena results and notebook volume"),
            ("enableKeyRotation", true),
            ("deletionWindowInDays", _aws.Perimeter.KeyDeletionWindowDays),
            ("policy", YMap.Fn("toJSON", policy)),
            ("tags", Tags())), Options() with { RetainOnDelete = keep }));
        program.Add(new PulumiResource("labKeyAlias", "aws:kms/alias:Alias", YMap.Of(
            ("name", _names.KmsAlias),
            ("targetKeyId", "${labKey.keyId}")), Options()));
    }

    private bool HasDerived => lab.AwsDerived is not null;

    private void Databases()
    {
        LabDatabase();
        if (HasDerived)
            program.Add(new PulumiResource("derivedDatabase", "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
                ("name", _names.DerivedDatabase),
                ("description", $"{lab.Release.Title} derived concepts ({lab.Derived!.Schema}) for {lab.ResearcherInCloud}, study {lab.Study}; typed Parquet tables"),
                ("parameters", YMap.Of(("mimic_release", lab.Release.Id), ("mimic_lab_data_bucket", "${dataBucket.bucket}"))),
                ("tags", Tags())), Options()));
    }

    private void LabDatabase() =>
        program.Add(new PulumiResource("labDatabase", "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
            ("name", _names.Database),
            ("description", $"{lab.Release.Title} ({string.Join(", ", lab.Modules.Select(m => m.Name))}) for {lab.ResearcherInCloud}, study {lab.Study}; typed Parquet tables"),
            // Where the notebook finds the lab's data bucket and its import record.
            ("parameters", _aws.OwnsData
                ? YMap.Of(("mimic_release", lab.Release.Id), ("mimic_lab_data_bucket", "${dataBucket.bucket}"))
                : YMap.Of(("mimic_release", lab.Release.Id))),
            ("tags", Tags())), Options()));

    internal static string Key(Module m, Table t) => $"{m.Name}-{t.Name.Replace('_', '-')}";

    /// <summary>
    /// The table researchers query: Parquet in exact catalog types, in the lab's own data bucket (or, for a
    /// table-parquet source read in place, where that copy is). No view, nothing over CSV in the query path.
    /// </summary>
    private void TypedTableFor(TableSource source)
    {
        var (m, t) = (source.Module, source.Table);
        var location = _aws.OwnsData ? $"s3://${{dataBucket.bucket}}/{DataLayout.TableFolder(m, t)}" : source.Folder.Uri;
        program.Add(new PulumiResource($"table-{Key(m, t)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", t.Name),
            ("databaseName", m.IsDerived ? "${derivedDatabase.name}" : "${labDatabase.name}"),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", Describe(m, t)),
            ("parameters", YMap.Of(("classification", "parquet"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", ParquetStorage(location, GlueColumns(t)))), Options()));
    }

    /// <summary>A Parquet storage descriptor (Hive's Parquet formats and SerDe), as Athena reads it.</summary>
    internal static YMap ParquetStorage(string location, List<object> columns) => YMap.Of(
        ("location", location),
        ("inputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
        ("outputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
        ("serDeInfo", YMap.Of(
            ("name", "ParquetHiveSerDe"),
            ("serializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
            ("parameters", YMap.Of(("serialization.format", "1"))))),
        ("columns", columns));

    private string Describe(Module m, Table t) =>
        t.Description ?? $"{lab.Release.Title} {m.Name}.{t.Name} ({t.Columns.Count} columns, typed from the MimicInfra catalog)";

    internal static List<object> GlueColumns(Table t) =>
        t.Columns.Select(c => (object)YMap.Of(("name", c.Name), ("type", Dialects.TypeName(c.Type, Dialect.Glue)), ("comment", c.Description))).ToList();

    private void Workgroup() =>
        program.Add(Expiry.AwsExpiryStop.Resumable(lab, WorkgroupResource(lab, "workgroup", _names.Workgroup, $"MIMIC lab {_names.Lab}: {lab.Release.Title} for {lab.ResearcherInCloud}",
            ResultsLayout.QueryResults, _aws.BytesScannedCutoffPerQuery)));

    /// <summary>An Athena workgroup of the lab: engine 3, settings enforced, a scan cap, encrypted results under a prefix of the results bucket.</summary>
    internal static PulumiResource WorkgroupResource(LabSettings lab, string logicalName, string name, string description, string resultsPrefix, long cutoff)
    {
        var aws = lab.Aws!;
        return new PulumiResource(logicalName, "aws:athena/workgroup:Workgroup", YMap.Of(
            ("name", name),
            ("description", description),
            ("state", "ENABLED"),
            ("forceDestroy", true),
            ("configuration", YMap.Of(
                ("enforceWorkgroupConfiguration", true),
                ("publishCloudwatchMetricsEnabled", true),
                ("bytesScannedCutoffPerQuery", cutoff),
                ("engineVersion", YMap.Of(("selectedEngineVersion", "Athena engine version 3"))),
                ("resultConfiguration", YMap.Of(
                    ("outputLocation", $"s3://${{resultsBucket.bucket}}/{resultsPrefix}"),
                    ("expectedBucketOwner", "${awsAccount.accountId}"),
                    ("encryptionConfiguration", aws.KmsEncryption
                        ? YMap.Of(("encryptionOption", "SSE_KMS"), ("kmsKeyArn", "${labKey.arn}"))
                        : YMap.Of(("encryptionOption", "SSE_S3"))))))),
            ("tags", TagsOf(lab))), Options("resultsEncryption", "resultsTlsOnlyPolicy"));
    }

    private void Outputs()
    {
        var console = $"https://{_aws.Region}.console.aws.amazon.com/athena/home?region={_aws.Region}";
        program.Output("awsRegion", _aws.Region);
        program.Output("glueDatabase", "${labDatabase.name}");
        program.Output("athenaWorkgroup", "${workgroup.name}");
        program.Output("resultsBucket", "${resultsBucket.bucket}");
        if (_aws.OwnsData) program.Output("dataBucket", "${dataBucket.bucket}");
        if (HasDerived) program.Output("derivedDatabase", "${derivedDatabase.name}");
        program.Output("athenaConsoleUrl", $"{console}#/workgroups/details/${{workgroup.name}}");
        // No console URL selects a workgroup in the query editor (the editor opens in the last one used), so the
        // link goes to the lab's workgroup page and the output below names what to pick.
        program.Output("athenaQueryEditorHint", $"Athena console > Query editor > Workgroup: {_names.Workgroup} > Database: {_names.Database}");
        program.Output("tableCount", _sources.Count);
    }
}
