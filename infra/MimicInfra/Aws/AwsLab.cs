using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws;

/// <summary>
/// The AWS data plane of a lab: a results bucket the lab owns (private, encrypted, TLS only, expiring),
/// its KMS key, the Glue databases with a typed table for every catalog table, and an Athena workgroup
/// with a per-query scan cap. Each concern is one method; all names come from <see cref="LabNames"/>.
/// </summary>
public sealed class AwsLab(LabSettings lab, ProgramBuilder program)
{
    public const string Version = "7.48.0";
    public const string ProviderName = "awsProvider";

    private readonly AwsSettings _aws = lab.Aws!;
    private readonly LabNames _names = lab.Names;

    /// <summary>Options of every AWS resource of a lab: the lab's provider, the pinned plugin version.</summary>
    internal static ResourceOptions Options(params string[] dependsOn) => new(ProviderName, Version) { DependsOn = dependsOn };

    /// <summary>The lab's tags as an AWS `tags` map.</summary>
    internal static YMap TagsOf(LabSettings lab) => lab.Tags.Aggregate(new YMap(), (m, t) => { m[t.Key] = t.Value; return m; });

    private YMap Tags() => TagsOf(lab);

    public void Build()
    {
        // An explicit provider: the lab's region and account, and every aws: key the stack sets (by reference).
        program.Add(new PulumiResource(ProviderName, "pulumi:providers:aws", lab.Providers.AwsProvider(_aws.Region), new ResourceOptions(null, Version)));
        program.Variable("awsAccount", Invoke("aws:index/getCallerIdentity:getCallerIdentity"));
        program.Variable("awsPartition", Invoke("aws:index/getPartition:getPartition"));

        if (_aws.KmsEncryption) LabKey();
        ResultsBucket();
        Databases();
        foreach (var (module, table) in lab.Tables)
        {
            if (_aws.Layout == SourceLayout.TableParquet) ParquetTableFor(module, table);
            else
            {
                ManifestFor(module, table);
                RawTableFor(module, table);
                TypedViewFor(module, table);
            }
        }
        Workgroup();
        var workspace = new ResearcherWorkspace(lab, program);
        workspace.Build();
        Outputs();
        workspace.Outputs();
    }

    private YMap Invoke(string function) => YMap.Fn("invoke", YMap.Of(
        ("function", function),
        ("arguments", new YMap()),
        ("options", YMap.Of(("provider", $"${{{ProviderName}}}"), ("version", Version)))));

    /// <summary>A per-lab key: rotated yearly, a short deletion window, administered only by the account.</summary>
    private void LabKey()
    {
        var policy = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", new object[]
            {
                YMap.Of(
                    ("Sid", "AccountAdministersKey"),
                    ("Effect", "Allow"),
                    ("Principal", YMap.Of(("AWS", "arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root"))),
                    ("Action", "kms:*"),
                    ("Resource", "*")),
            }));
        var keep = _aws.KeepResultsOnDestroy;   // kept results stay readable only while their key lives
        program.Add(new PulumiResource("labKey", "aws:kms/key:Key", YMap.Of(
            ("description", $"MIMIC lab {_names.Lab}: Athena results and notebook volume"),
            ("enableKeyRotation", true),
            ("deletionWindowInDays", 7),
            ("policy", YMap.Fn("toJSON", policy)),
            ("tags", Tags())), Options() with { RetainOnDelete = keep }));
        program.Add(new PulumiResource("labKeyAlias", "aws:kms/alias:Alias", YMap.Of(
            ("name", _names.KmsAlias),
            ("targetKeyId", "${labKey.keyId}")), Options()));
    }

    private void ResultsBucket()
    {
        var keep = _aws.KeepResultsOnDestroy;
        program.Add(new PulumiResource("resultsBucket", "aws:s3/bucket:Bucket", YMap.Of(
            ("bucketPrefix", _names.BucketPrefix),
            ("forceDestroy", !keep),
            ("tags", Tags())), Options() with { RetainOnDelete = keep }));
        program.Add(new PulumiResource("resultsPublicAccessBlock", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", YMap.Of(
            ("bucket", "${resultsBucket.id}"),
            ("blockPublicAcls", true),
            ("blockPublicPolicy", true),
            ("ignorePublicAcls", true),
            ("restrictPublicBuckets", true)), Options()));
        program.Add(new PulumiResource("resultsOwnership", "aws:s3/bucketOwnershipControls:BucketOwnershipControls", YMap.Of(
            ("bucket", "${resultsBucket.id}"),
            ("rule", YMap.Of(("objectOwnership", "BucketOwnerEnforced")))), Options()));
        program.Add(new PulumiResource("resultsEncryption", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", YMap.Of(
            ("bucket", "${resultsBucket.id}"),
            ("rules", new object[]
            {
                YMap.Of(
                    ("applyServerSideEncryptionByDefault", _aws.KmsEncryption
                        ? YMap.Of(("sseAlgorithm", "aws:kms"), ("kmsMasterKeyId", "${labKey.arn}"))
                        : YMap.Of(("sseAlgorithm", "AES256"))),
                    ("bucketKeyEnabled", _aws.KmsEncryption ? true : null)),
            })), Options()));
        var denyInsecure = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", new object[]
            {
                YMap.Of(
                    ("Sid", "DenyInsecureTransport"),
                    ("Effect", "Deny"),
                    ("Principal", "*"),
                    ("Action", "s3:*"),
                    ("Resource", new object[] { "${resultsBucket.arn}", "${resultsBucket.arn}/*" }),
                    ("Condition", YMap.Of(("Bool", YMap.Of(("aws:SecureTransport", "false")))))),
            }));
        program.Add(new PulumiResource("resultsTlsOnlyPolicy", "aws:s3/bucketPolicy:BucketPolicy", YMap.Of(
            ("bucket", "${resultsBucket.id}"),
            ("policy", YMap.Fn("toJSON", denyInsecure))), Options("resultsPublicAccessBlock")));
        program.Add(new PulumiResource("resultsLifecycle", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", YMap.Of(
            ("bucket", "${resultsBucket.id}"),
            ("rules", new object[]
            {
                YMap.Of(
                    ("id", "expire-query-results"),
                    ("status", "Enabled"),
                    ("filter", YMap.Of(("prefix", "results/"))),
                    ("expiration", YMap.Of(("days", _aws.ResultsRetentionDays)))),
                YMap.Of(
                    ("id", "abort-incomplete-uploads"),
                    ("status", "Enabled"),
                    ("filter", YMap.Of(("prefix", ""))),
                    ("abortIncompleteMultipartUpload", YMap.Of(("daysAfterInitiation", 1)))),
            })), Options()));
    }

    private void Databases()
    {
        program.Add(new PulumiResource("labDatabase", "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
            ("name", _names.Database),
            ("description", $"{lab.Release.Title} ({string.Join(", ", lab.Modules.Select(m => m.Name))}) for {lab.Researcher}, study {lab.Study}; typed tables"),
            ("tags", Tags())), Options()));
        if (_aws.Layout == SourceLayout.FlatCsv)
            program.Add(new PulumiResource("rawDatabase", "aws:glue/catalogDatabase:CatalogDatabase", YMap.Of(
                ("name", _names.RawDatabase),
                ("description", $"Raw all-text tables over the {lab.Release.Title} CSV files; query {_names.Database} instead"),
                ("tags", Tags())), Options()));
    }

    private static string Key(Module m, Table t) => $"{m.Name}-{t.Name.Replace('_', '-')}";

    private static string ManifestFolder(Module m, Table t) => $"manifests/{m.Name}/{t.Name}/";

    /// <summary>
    /// A Glue table location must be a folder, and PhysioNet keeps a module's tables side by side in one
    /// folder. A symlink manifest in the lab's bucket names the one source file the raw table reads.
    /// </summary>
    private void ManifestFor(Module m, Table t) =>
        program.Add(new PulumiResource($"manifest-{Key(m, t)}", "aws:s3/bucketObjectv2:BucketObjectv2", YMap.Of(
            ("bucket", "${resultsBucket.bucket}"),
            ("key", ManifestFolder(m, t) + "symlink.txt"),
            ("content", _aws.SourceFileOf(m, t) + "\n"),
            ("contentType", "text/plain"),
            ("tags", Tags())), Options("resultsEncryption")));

    /// <summary>
    /// The raw layer: every column a string, as OpenCSVSerDe reads it (it cannot parse empty numbers or
    /// text timestamps itself). Gzip is read from the file name; the header line is skipped.
    /// </summary>
    private void RawTableFor(Module m, Table t) =>
        program.Add(new PulumiResource($"raw-{Key(m, t)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", t.Name),
            ("databaseName", "${rawDatabase.name}"),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", $"Raw text of {m.FileOf(t)}; query {_names.Database}.{t.Name} for typed columns"),
            ("parameters", YMap.Of(("classification", "csv"), ("skip.header.line.count", "1"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", YMap.Of(
                ("location", $"s3://${{resultsBucket.bucket}}/{ManifestFolder(m, t)}"),
                ("inputFormat", "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat"),
                ("outputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
                ("serDeInfo", YMap.Of(
                    ("name", "OpenCSVSerde"),
                    ("serializationLibrary", "org.apache.hadoop.hive.serde2.OpenCSVSerde"),
                    ("parameters", YMap.Of(("separatorChar", ","), ("quoteChar", "\""), ("escapeChar", "\\"))))),
                ("columns", t.Columns.Select(c => (object)YMap.Of(("name", c.Name), ("type", "string"))).ToList())))),
            Options($"manifest-{Key(m, t)}")));

    /// <summary>
    /// The typed table researchers query: a Glue table in Athena's view encoding. Athena stores a view as
    /// a VIRTUAL_VIEW table whose viewOriginalText is "/* Presto View: BASE64 */", BASE64 being the JSON
    /// {originalSql, catalog, schema, columns:[{name, type}]} with Trino types; viewExpandedText is the
    /// marker "/* Presto View */" and the table parameter presto_view=true. The storage descriptor repeats
    /// the columns with Hive types so Glue clients see the schema too.
    /// </summary>
    private void TypedViewFor(Module m, Table t)
    {
        var sql = TypedViewSql.ViewQuery(t, $"{TypedViewSql.Quote(_names.RawDatabase)}.{TypedViewSql.Quote(t.Name)}", Dialect.Athena);
        program.Add(new PulumiResource($"table-{Key(m, t)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", t.Name),
            ("databaseName", "${labDatabase.name}"),
            ("tableType", "VIRTUAL_VIEW"),
            ("description", Describe(m, t)),
            ("parameters", YMap.Of(("presto_view", "true"), ("comment", "Presto View"))),
            ("viewOriginalText", AthenaViewText(sql, t)),
            ("viewExpandedText", "/* Presto View */"),
            ("storageDescriptor", YMap.Of(("columns", GlueColumns(t))))), Options($"raw-{Key(m, t)}")));
    }

    internal string AthenaViewText(string sql, Table t)
    {
        var view = new JsonObject
        {
            ["originalSql"] = sql,
            ["catalog"] = "awsdatacatalog",
            ["schema"] = _names.Database,
            ["columns"] = new JsonArray(t.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = Dialects.TypeName(c.Type, Dialect.Athena),
            }).ToArray()),
        };
        var json = view.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        return $"/* Presto View: {Convert.ToBase64String(Encoding.UTF8.GetBytes(json))} */";
    }

    private void ParquetTableFor(Module m, Table t) =>
        program.Add(new PulumiResource($"table-{Key(m, t)}", "aws:glue/catalogTable:CatalogTable", YMap.Of(
            ("name", t.Name),
            ("databaseName", "${labDatabase.name}"),
            ("tableType", "EXTERNAL_TABLE"),
            ("description", Describe(m, t)),
            ("parameters", YMap.Of(("classification", "parquet"), ("EXTERNAL", "TRUE"))),
            ("storageDescriptor", YMap.Of(
                ("location", _aws.SourceFolderOf(m, t)),
                ("inputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
                ("outputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"),
                ("serDeInfo", YMap.Of(
                    ("name", "ParquetHiveSerDe"),
                    ("serializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
                    ("parameters", YMap.Of(("serialization.format", "1"))))),
                ("columns", GlueColumns(t))))), Options()));

    private string Describe(Module m, Table t) =>
        t.Description ?? $"{lab.Release.Title} {m.Name}.{t.Name} ({t.Columns.Count} columns, typed from the MimicInfra catalog)";

    private static List<object> GlueColumns(Table t) =>
        t.Columns.Select(c => (object)YMap.Of(("name", c.Name), ("type", Dialects.TypeName(c.Type, Dialect.Glue)), ("comment", c.Description))).ToList();

    private void Workgroup() =>
        program.Add(new PulumiResource("workgroup", "aws:athena/workgroup:Workgroup", YMap.Of(
            ("name", _names.Workgroup),
            ("description", $"MIMIC lab {_names.Lab}: {lab.Release.Title} for {lab.Researcher}"),
            ("state", "ENABLED"),
            ("forceDestroy", true),
            ("configuration", YMap.Of(
                ("enforceWorkgroupConfiguration", true),
                ("publishCloudwatchMetricsEnabled", true),
                ("bytesScannedCutoffPerQuery", _aws.BytesScannedCutoffPerQuery),
                ("engineVersion", YMap.Of(("selectedEngineVersion", "Athena engine version 3"))),
                ("resultConfiguration", YMap.Of(
                    ("outputLocation", "s3://${resultsBucket.bucket}/results/"),
                    ("expectedBucketOwner", "${awsAccount.accountId}"),
                    ("encryptionConfiguration", _aws.KmsEncryption
                        ? YMap.Of(("encryptionOption", "SSE_KMS"), ("kmsKeyArn", "${labKey.arn}"))
                        : YMap.Of(("encryptionOption", "SSE_S3"))))))),
            ("tags", Tags())), Options("resultsEncryption", "resultsTlsOnlyPolicy")));

    private void Outputs()
    {
        var console = $"https://{_aws.Region}.console.aws.amazon.com/athena/home?region={_aws.Region}";
        program.Output("awsRegion", _aws.Region);
        program.Output("glueDatabase", "${labDatabase.name}");
        program.Output("athenaWorkgroup", "${workgroup.name}");
        program.Output("resultsBucket", "${resultsBucket.bucket}");
        program.Output("athenaConsoleUrl", $"{console}#/workgroups/details/${{workgroup.name}}");
        program.Output("athenaQueryEditorUrl", $"{console}#/query-editor");
        program.Output("tableCount", lab.Tables.Count());
    }
}
