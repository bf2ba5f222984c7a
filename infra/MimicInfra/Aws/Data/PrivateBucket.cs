using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>
/// One lifecycle rule of a lab bucket, for one prefix: expire its objects after some days (null: keep them), and,
/// in a versioned bucket, remove their overwritten or deleted versions after some days (and then the delete markers).
/// </summary>
public sealed record ExpiryRule(string Id, string Prefix, int? Days, int? NoncurrentDays = null);

/// <summary>What a lab bucket is made of.</summary>
public sealed record PrivateBucketArgs
{
    /// <summary>Prefix of its logical names: "results" gives resultsBucket, resultsEncryption, resultsTlsOnlyPolicy, ...</summary>
    public required string LogicalPrefix { get; init; }

    /// <summary>The bucket's handle when others reference it before it is added (declared by the orchestrator); else the bucket declares its own.</summary>
    public Handle? Bucket { get; init; }

    /// <summary>The S3 bucket name's prefix (S3 appends a unique suffix).</summary>
    public required string BucketNamePrefix { get; init; }

    public required YMap Tags { get; init; }

    /// <summary>The ARN of the key that encrypts its objects by default (the lab key's handle); null for SSE-S3.</summary>
    public string? KmsKeyArn { get; init; }

    /// <summary>Whether destroy leaves the bucket, its objects and every guard in place.</summary>
    public bool KeepOnDestroy { get; init; }

    public required IReadOnlyList<ExpiryRule> Expiry { get; init; }

    /// <summary>Statements of its policy after the TLS-only one.</summary>
    public IReadOnlyList<YMap> Statements { get; init; } = [];

    public bool Versioned { get; init; }

    /// <summary>Days Object Lock (governance mode) keeps every object version; null for no Object Lock.</summary>
    public int? ObjectLockDays { get; init; }
}

/// <summary>The handles of a lab bucket others reference or wait for.</summary>
/// <param name="Bucket">The bucket (`bucket`, `arn`, `id`).</param>
/// <param name="Encryption">The resource that enforces default encryption: objects written by the lab wait for it.</param>
/// <param name="Policy">The bucket policy: writers wait for it, so nothing lands before TLS-only and the perimeter hold.</param>
public sealed record BucketHandles(Handle Bucket, Handle Encryption, Handle Policy);

/// <summary>
/// A bucket the lab owns, with every guard a lab bucket has: public access blocked, objects owned by the
/// bucket owner (no ACLs), default encryption (the lab key, or SSE-S3), TLS-only policy, lifecycle rules,
/// and incomplete uploads aborted; optionally versioned, and with Object Lock in governance mode (the audit bucket).
/// The lab's results bucket and its data bucket are both one.
/// </summary>
public sealed class PrivateBucket(ProgramBuilder program, PrivateBucketArgs args)
{
    private readonly string prefix = args.LogicalPrefix;

    /// <summary>
    /// Options of the bucket and its guards: a kept bucket keeps them all (public access block, policy, encryption,
    /// ownership, lifecycle), or destroy would strip a bucket of MIMIC results of every protection.
    /// </summary>
    private ResourceOptions Guard(params Handle[] dependsOn) => AwsProvider.OptionsAfter(dependsOn) with { RetainOnDelete = args.KeepOnDestroy };

    public BucketHandles Build()
    {
        var bucketProperties = YMap.Of(
            ("bucketPrefix", args.BucketNamePrefix),
            ("forceDestroy", !args.KeepOnDestroy),
            ("tags", args.Tags));
        var bucket = args.Bucket is { } declared
            ? program.Add(declared, "aws:s3/bucket:Bucket", bucketProperties, Guard())
            : program.Add($"{prefix}Bucket", "aws:s3/bucket:Bucket", bucketProperties, Guard());
        var publicAccessBlock = program.Add($"{prefix}PublicAccessBlock", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", YMap.Of(
            ("bucket", bucket.Id),
            ("blockPublicAcls", true),
            ("blockPublicPolicy", true),
            ("ignorePublicAcls", true),
            ("restrictPublicBuckets", true)), Guard());
        program.Add($"{prefix}Ownership", "aws:s3/bucketOwnershipControls:BucketOwnershipControls", YMap.Of(
            ("bucket", bucket.Id),
            ("rule", YMap.Of(("objectOwnership", "BucketOwnerEnforced")))), Guard());
        var encryption = program.Add($"{prefix}Encryption", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", YMap.Of(
            ("bucket", bucket.Id),
            ("rules", new object[]
            {
                YMap.Of(
                    ("applyServerSideEncryptionByDefault", args.KmsKeyArn is { } key
                        ? YMap.Of(("sseAlgorithm", "aws:kms"), ("kmsMasterKeyId", key))
                        : YMap.Of(("sseAlgorithm", "AES256"))),
                    ("bucketKeyEnabled", args.KmsKeyArn is not null ? true : null)),
            })), Guard());
        var denyInsecure = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", (List<object>)
            [
                YMap.Of(
                    ("Sid", "DenyInsecureTransport"),
                    ("Effect", "Deny"),
                    ("Principal", "*"),
                    ("Action", "s3:*"),
                    ("Resource", new object[] { bucket.Arn, $"{bucket.Arn}/*" }),
                    ("Condition", YMap.Of(("Bool", YMap.Of(("aws:SecureTransport", "false")))))),
                .. args.Statements,
            ]));
        var policy = program.Add($"{prefix}TlsOnlyPolicy", "aws:s3/bucketPolicy:BucketPolicy", YMap.Of(
            ("bucket", bucket.Id),
            ("policy", YMap.Fn("toJSON", denyInsecure))), Guard(publicAccessBlock));
        // Under Object Lock, versioning can never be suspended (S3 User Guide, "Configuring S3 Object Lock"), which is what
        // deleting the versioning resource does: both stay in place and go with the bucket.
        var locked = args.ObjectLockDays is not null;
        Handle? versioning = null;
        if (args.Versioned)
            versioning = program.Add($"{prefix}Versioning", "aws:s3/bucketVersioning:BucketVersioning", YMap.Of(
                ("bucket", bucket.Id),
                ("versioningConfiguration", YMap.Of(("status", "Enabled")))), Guard() with { RetainOnDelete = args.KeepOnDestroy || locked });
        if (args.ObjectLockDays is { } lockDays)
            // On the configuration, not the bucket (objectLockEnabled there replaces an existing bucket, records and all): S3
            // enables Object Lock on an existing versioned bucket, and never disables it again. Governance mode: a principal
            // allowed s3:BypassGovernanceRetention can still remove a record, which the bucket policy denies to all.
            program.Add($"{prefix}ObjectLock", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", YMap.Of(
                ("bucket", bucket.Id),
                ("objectLockEnabled", "Enabled"),
                ("rule", YMap.Of(("defaultRetention", YMap.Of(("mode", "GOVERNANCE"), ("days", lockDays)))))),
                Guard(versioning ?? throw new InvalidOperationException("Object Lock needs a versioned bucket")) with { RetainOnDelete = true });
        var rules = args.Expiry.Select(r => (object)YMap.Of(
            ("id", r.Id),
            ("status", "Enabled"),
            ("filter", YMap.Of(("prefix", r.Prefix))),
            // Kept objects: once their old versions are gone, so are the delete markers left over them.
            ("expiration", r.Days is { } days ? YMap.Of(("days", days)) : YMap.Of(("expiredObjectDeleteMarker", true))),
            ("noncurrentVersionExpiration", args.Versioned && r.NoncurrentDays is { } old ? YMap.Of(("noncurrentDays", old)) : null))).ToList();
        rules.Add(YMap.Of(
            ("id", "abort-incomplete-uploads"),
            ("status", "Enabled"),
            ("filter", YMap.Of(("prefix", ""))),
            ("abortIncompleteMultipartUpload", YMap.Of(("daysAfterInitiation", 1)))));
        program.Add($"{prefix}Lifecycle", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", YMap.Of(
            ("bucket", bucket.Id),
            ("rules", rules)), Guard());
        return new(bucket, encryption, policy);
    }
}
