using MimicInfra.Aws.Data;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws.Audit;

/// <summary>
/// The lab's audit trail: a multi-region CloudTrail trail of every management event (read and
/// write; CloudTrail.1) and of S3 data events (read and write) on the lab's own buckets, with log file validation
/// (CloudTrail.4) and the lab key (CloudTrail.2), delivering to a private bucket of the lab whose records expire
/// after auditRetentionDays and which `pulumi destroy` keeps when auditKeepOnDestroy says so. With an organization
/// trail the lab creates nothing; <see cref="AuditPreview"/> says what to check.
/// </summary>
public sealed class LabAuditTrail(ProgramBuilder program, LabAuditTrailArgs args)
{
    /// <summary>Logical names: the trail, and the trail bucket's resources (auditBucket, auditTlsOnlyPolicy, ...).</summary>
    public const string Trail = "labTrail";
    public const string BucketPrefix = "audit";
    public const string Bucket = BucketPrefix + "Bucket";

    /// <summary>Where the exported Athena query history goes, in the bucket the audit keeps.</summary>
    public const string QueryHistoryPrefix = "athena-query-history/";

    private const string CloudTrail = "cloudtrail.amazonaws.com";

    private AuditTrailSettings Audit => args.Audit;

    /// <summary>The trail's name: the lab's (unique per stack, researcher and study), so two labs in one account never collide.</summary>
    public static string TrailName(LabNames names) => names.Lab + "-audit";

    /// <summary>
    /// The trail's ARN, built from its known name rather than read from the trail, so the bucket and key policies that
    /// must exist before the trail (CloudTrail checks them when it creates it) can name it without a cycle.
    /// </summary>
    public static string TrailArn(LabAuditTrailArgs args) =>
        $"arn:{args.Partition.Out("partition")}:cloudtrail:{args.Region}:{args.Account.Out("accountId")}:trail/{TrailName(args.Names)}";

    /// <summary>
    /// The trail bucket's prefix: the data bucket's with "audit-" for "data-" (the study slug is left out, so it fits
    /// S3's 37-character bucket prefix; S3 adds a unique suffix).
    /// </summary>
    public static string BucketPrefixOf(LabNames names)
    {
        const string data = "data-";
        if (!names.DataBucketPrefix.EndsWith(data, StringComparison.Ordinal))
            throw new InvalidOperationException($"the data bucket prefix {names.DataBucketPrefix} no longer ends in {data}; name the audit bucket another way");
        return names.DataBucketPrefix[..^data.Length] + "audit-";
    }

    /// <summary>Whether `pulumi destroy` keeps the lab key: the kept trail records are readable only while it lives.</summary>
    public static bool KeepsTheLabKey(LabSettings lab) =>
        lab.Aws is { KmsEncryption: true, AuditTrail: { CreatesTrail: true, KeepOnDestroy: true } };

    /// <summary>
    /// What CloudTrail needs on the lab key (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"):
    /// kms:GenerateDataKey* with the trail's encryption context, kms:DescribeKey, and kms:Decrypt because the trail
    /// bucket uses an S3 Bucket Key; each only for this lab's trail (aws:SourceArn). Empty when the lab has no trail
    /// of its own or no key. And what the account needs to read the records: the lab key's use is otherwise only the
    /// lab's principals' (Aws/Perimeter/LabPerimeter.cs), so the account decrypts the trail's log files and the audit bucket only.
    /// </summary>
    public static IReadOnlyList<YMap> KeyStatements(LabAuditTrailArgs args)
    {
        if (args is not { LabKey: not null, Audit.CreatesTrail: true }) return [];
        var accountId = args.Account.Out("accountId");
        var thisTrail = YMap.Of(("aws:SourceArn", TrailArn(args)));
        var trailLogs = YMap.Of(("kms:EncryptionContext:aws:cloudtrail:arn", $"arn:{args.Partition.Out("partition")}:cloudtrail:*:{accountId}:trail/*"));
        var cloudTrail = YMap.Of(("Service", CloudTrail));
        var account = YMap.Of(("AWS", RootOf(args)));
        return
        [
            Iam.KeyPolicyStatement("CloudTrailEncryptsTheLabTrailLogs", cloudTrail, "kms:GenerateDataKey*",
                YMap.Of(("StringEquals", thisTrail), ("StringLike", trailLogs))),
            Iam.KeyPolicyStatement("CloudTrailDescribesTheLabKey", cloudTrail, "kms:DescribeKey", YMap.Of(("StringEquals", thisTrail))),
            // The account's principals (those IAM allows) may decrypt the trail's log files, and nothing else of the key:
            // the lab key's use is otherwise the lab's own (Aws/Perimeter/LabPerimeter.cs). CloudTrail User Guide,
            // "Enable CloudTrail log file decrypt permissions for users in your account".
            Iam.KeyPolicyStatement("AccountReadsTheTrailLogs", account, new object[] { "kms:Decrypt", "kms:ReEncryptFrom" },
                YMap.Of(("StringEquals", YMap.Of(("kms:CallerAccount", accountId))), ("StringLike", trailLogs))),
            // With the trail bucket's S3 Bucket Key, S3 may decrypt under the bucket's ARN rather than the trail's, and the
            // exported Athena history has no CloudTrail context at all: the account reads the audit bucket through S3.
            Iam.KeyPolicyStatement("AccountReadsTheAuditBucket", account, "kms:Decrypt",
                YMap.Of(("StringEquals", YMap.Of(("kms:ViaService", $"s3.{args.Region}.amazonaws.com"))),
                        ("StringLike", YMap.Of(("kms:EncryptionContext:aws:s3:arn", $"{args.Bucket.Arn}*"))))),
            Iam.KeyPolicyStatement("CloudTrailDecryptsWithTheTrailBucketKey", cloudTrail, "kms:Decrypt", YMap.Of(("StringEquals", thisTrail))),
        ];
    }

    /// <summary>The account's root principal: what IAM in the account allows.</summary>
    private static string RootOf(LabAuditTrailArgs args) => $"arn:{args.Partition.Out("partition")}:iam::{args.Account.Out("accountId")}:root";

    /// <summary>
    /// The trail bucket's policy statements for CloudTrail (CloudTrail User Guide, "Amazon S3 bucket policy for
    /// CloudTrail"): the ACL check on the bucket and writes under AWSLogs/ACCOUNT/, both only for this lab's trail; and what
    /// keeps the record: deletes denied to all but CloudTrail, management to all but the deployer and the root user, and
    /// the exported query history readable only by the lab's people.
    /// </summary>
    public static IReadOnlyList<YMap> BucketStatements(LabAuditTrailArgs args)
    {
        var arn = TrailArn(args);
        var bucketArn = args.Bucket.Arn;
        var perimeter = args.PerimeterSettings;
        // Who reads the exported query history (the text of every query): the researcher, and the deployer when it may read
        // the data (deployerDataAccess read); an open lab with neither names the deployer.
        var historyReaders = new List<object>();
        if (perimeter.Closed) historyReaders.Add(args.Researcher.Arn);
        if (perimeter.DeployerReads || historyReaders.Count == 0) historyReaders.Add(args.Deployer.Out("issuerArn"));
        return
        [
            YMap.Of(
                ("Sid", "AWSCloudTrailAclCheck"),
                ("Effect", "Allow"),
                ("Principal", YMap.Of(("Service", CloudTrail))),
                ("Action", "s3:GetBucketAcl"),
                ("Resource", bucketArn),
                ("Condition", YMap.Of(("StringEquals", YMap.Of(("aws:SourceArn", arn)))))),
            YMap.Of(
                ("Sid", "AWSCloudTrailWrite"),
                ("Effect", "Allow"),
                ("Principal", YMap.Of(("Service", CloudTrail))),
                ("Action", "s3:PutObject"),
                ("Resource", $"{bucketArn}/AWSLogs/{args.Account.Out("accountId")}/*"),
                ("Condition", YMap.Of(("StringEquals", YMap.Of(("s3:x-amz-acl", "bucket-owner-full-control"), ("aws:SourceArn", arn)))))),
            // The record survives: no principal but CloudTrail's service deletes a record or a version of it, bypasses or
            // shortens its Object Lock retention, or lifts a legal hold (CloudTrail itself never deletes either).
            YMap.Of(
                ("Sid", "NobodyErasesTheAuditRecord"),
                ("Effect", "Deny"),
                ("Principal", "*"),
                ("Action", EraseActions.Cast<object>().ToList()),
                ("Resource", $"{bucketArn}/*"),
                ("Condition", YMap.Of(("StringNotEqualsIfExists", YMap.Of(("aws:PrincipalServiceName", CloudTrail)))))),
            Perimeter.LabPerimeter.OnlyTheDeployerManages(bucketArn, deployer: args.Deployer.Out("issuerArn"), root: RootOf(args)),
            YMap.Of(
                ("Sid", "OnlyTheLabsPeopleReadTheQueryHistory"),
                ("Effect", "Deny"),
                ("Principal", "*"),
                ("Action", new object[] { "s3:GetObject", "s3:GetObjectVersion" }),
                ("Resource", $"{bucketArn}/{QueryHistoryPrefix}*"),
                ("Condition", YMap.Of(("ArnNotEquals", YMap.Of(("aws:PrincipalArn", historyReaders)))))),
        ];
    }

    /// <summary>What would erase or unlock a record in the trail bucket.</summary>
    public static readonly string[] EraseActions =
        ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"];

    /// <summary>
    /// The S3 object ARN prefixes whose data events the trail logs: the lab's results and data buckets (or the
    /// folders a read-in-place lab queries). The trail bucket has a selector of its own, without deliveries.
    /// </summary>
    public static IReadOnlyList<string> LoggedObjectPrefixes(LabAuditTrailArgs args)
    {
        var prefixes = new List<string> { $"{args.ResultsBucket.Arn}/" };
        if (args.DataBucket is { } data) prefixes.Add($"{data.Arn}/");
        else
            prefixes.AddRange(args.ReadInPlaceSources.Where(s => s.Bucket is not null)
                .Select(s => $"arn:{args.Partition.Out("partition")}:s3:::{s.Bucket}/{s.Prefix}").Distinct().Order(StringComparer.Ordinal));
        return prefixes;
    }

    public void Build()
    {
        if (Audit.CreatesTrail)
        {
            // Versioned, with Object Lock (governance mode) keeping every record auditRetentionDays. Everything in the bucket is a
            // record (log and digest files, exported query history): all of it expires then, and a replaced version a day later.
            var bucket = new PrivateBucket(program, new()
            {
                LogicalPrefix = BucketPrefix, Bucket = args.Bucket, BucketNamePrefix = BucketPrefixOf(args.Names), Tags = args.Tags,
                KmsKeyArn = args.LabKey?.Arn, KeepOnDestroy = Audit.KeepOnDestroy,
                Expiry = [new("expire-audit-records", "", Audit.RetentionDays, NoncurrentDays: 1)], Statements = BucketStatements(args), Versioned = true,
                ObjectLockDays = Audit.RetentionDays,
            }).Build();
            var trail = program.Add(Trail, "aws:cloudtrail/trail:Trail", YMap.Of(
                ("name", TrailName(args.Names)),
                ("s3BucketName", args.Bucket.Id),
                ("isMultiRegionTrail", true),
                ("includeGlobalServiceEvents", true),
                ("enableLogFileValidation", true),
                ("kmsKeyId", args.LabKey?.Arn),
                ("advancedEventSelectors", new object[]
                {
                    // No readOnly field and no excluded sources: read and write management events of every service.
                    YMap.Of(
                        ("name", "Management events, read and write"),
                        ("fieldSelectors", new object[] { YMap.Of(("field", "eventCategory"), ("equals", new object[] { "Management" })) })),
                    YMap.Of(
                        ("name", "S3 data events on the lab's buckets, read and write"),
                        ("fieldSelectors", new object[]
                        {
                            YMap.Of(("field", "eventCategory"), ("equals", new object[] { "Data" })),
                            YMap.Of(("field", "resources.type"), ("equals", new object[] { "AWS::S3::Object" })),
                            YMap.Of(("field", "resources.ARN"), ("startsWiths", LoggedObjectPrefixes(args).Cast<object>().ToList())),
                        })),
                    // Its own bucket: every read and delete of a record, but not PutObject, which is how CloudTrail delivers
                    // (logging its own deliveries would log itself without end).
                    YMap.Of(
                        ("name", "S3 data events on the trail bucket, all but deliveries"),
                        ("fieldSelectors", new object[]
                        {
                            YMap.Of(("field", "eventCategory"), ("equals", new object[] { "Data" })),
                            YMap.Of(("field", "resources.type"), ("equals", new object[] { "AWS::S3::Object" })),
                            YMap.Of(("field", "resources.ARN"), ("startsWiths", new object[] { $"{args.Bucket.Arn}/" })),
                            YMap.Of(("field", "eventName"), ("notEquals", new object[] { "PutObject" })),
                        })),
                }),
                ("tags", args.Tags)),
                // CloudTrail checks the bucket policy when it creates the trail (InsufficientS3BucketPolicyException).
                AwsProvider.OptionsAfter(bucket.Policy));
            program.Output("auditTrailArn", trail.Arn);
            program.Output("auditBucket", args.Bucket.Out("bucket"));
        }
        else if (Audit.OrganizationTrail is { } org)
            program.Output("auditTrailArn", org.Arn);
        if (AthenaHistoryExport() is { } export) program.Output("athenaHistoryBeforeDestroy", export);
    }

    /// <summary>The bucket the exported Athena query history goes to: the trail bucket, or the results bucket with an organization trail.</summary>
    private string? HistoryBucket() => Audit.Mode switch
    {
        AuditTrailMode.Lab => args.Bucket.Out("bucket"),
        AuditTrailMode.Organization => args.ResultsBucket.Out("bucket"),
        _ => null,
    };

    /// <summary>
    /// The command that copies the Athena query history of the lab's workgroups (query text, state, times, bytes
    /// scanned; Athena keeps it 45 days and deletes it with the workgroup) into the bucket the audit keeps. CloudTrail
    /// records who started each query but omits its text, and Pulumi YAML has no destroy hook to run this itself, so
    /// it is a stack output to run before `pulumi destroy`, like notebookBeforeDestroy. No `$` but Pulumi's own.
    /// </summary>
    private string? AthenaHistoryExport()
    {
        if (HistoryBucket() is not { } bucket) return null;
        var names = args.Names;
        var workgroups = args.DataBucket is not null ? new[] { names.Workgroup, names.ImportWorkgroup } : [names.Workgroup];
        // In a subshell with pipefail, so a failed listing fails the command instead of uploading an empty file; one JSON
        // document per batch of 50 executions (BatchGetQueryExecution's limit) in one file per workgroup. With a checksum:
        // S3 takes no upload into an Object Lock bucket without one (Content-MD5 or x-amz-checksum-*).
        return "( set -o pipefail; " + string.Join(" && ", workgroups.Select(wg =>
            $"aws athena list-query-executions --work-group {wg} --region {args.Region} --query QueryExecutionIds --output text | " +
            $"xargs -r -n 50 aws athena batch-get-query-execution --region {args.Region} --output json --query-execution-ids | " +
            $"aws s3 cp --checksum-algorithm CRC32 - s3://{bucket}/{QueryHistoryPrefix}{wg}-`date -u +%Y%m%dT%H%M%SZ`.json")) + " )";
    }
}

/// <summary>
/// What the audit trail needs: its settings, the lab's names, region and tags, who the lab's people are, and the
/// handles of what it logs, encrypts with and delivers to. The lab key's statements for the trail take the same.
/// </summary>
public sealed record LabAuditTrailArgs
{
    public required AuditTrailSettings Audit { get; init; }
    public required LabNames Names { get; init; }
    public required string Region { get; init; }

    /// <summary>The lab's tags, as <see cref="AwsProvider.TagsOf"/> gives them.</summary>
    public required YMap Tags { get; init; }

    /// <summary>Who the lab admits: the exported query history is readable by the lab's people only.</summary>
    public required Perimeter.PerimeterSettings PerimeterSettings { get; init; }

    public required Handle Account { get; init; }
    public required Handle Partition { get; init; }
    public required Handle Deployer { get; init; }
    public required Handle Researcher { get; init; }

    /// <summary>The trail bucket, declared before it is added: the lab key's policy, created first, names it.</summary>
    public required Handle Bucket { get; init; }

    /// <summary>The lab key, when the lab encrypts with one (null: S3-managed keys).</summary>
    public Handle? LabKey { get; init; }

    public required Handle ResultsBucket { get; init; }

    /// <summary>The lab's data bucket when it owns its data; null when it reads its sources in place.</summary>
    public Handle? DataBucket { get; init; }

    /// <summary>The folders a read-in-place lab queries, whose object reads the trail logs.</summary>
    public IReadOnlyCollection<S3Source> ReadInPlaceSources { get; init; } = [];

    /// <summary>The trail's arguments for a lab's AWS side and the handles its orchestrator declared.</summary>
    public static LabAuditTrailArgs Of(LabSettings lab, AwsLabResources resources)
    {
        var aws = lab.Aws!;
        return new()
        {
            Audit = aws.AuditTrail, Names = lab.Names, Region = aws.Region, Tags = AwsProvider.TagsOf(lab), PerimeterSettings = aws.Perimeter,
            Account = resources.Account, Partition = resources.Partition, Deployer = resources.Deployer, Researcher = resources.Researcher,
            Bucket = resources.AuditBucket, LabKey = aws.KmsEncryption ? resources.LabKey : null, ResultsBucket = resources.ResultsBucket,
            DataBucket = aws.OwnsData ? resources.DataBucket : null, ReadInPlaceSources = aws.OwnsData ? [] : [.. aws.Sources.ModuleSources.Values],
        };
    }
}
