using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws;

/// <summary>
/// One lifecycle rule of a lab bucket, for one prefix: expire its objects after some days (null: keep them), and,
/// in a versioned bucket, remove their overwritten or deleted versions after some days (and then the delete markers).
/// </summary>
public sealed record ExpiryRule(string Id, string Prefix, int? Days, int? NoncurrentDays = null);

/// <summary>
/// A bucket the lab owns, with every guard a lab bucket has: public access blocked, objects owned by the
/// bucket owner (no ACLs), default encryption (the lab key, or SSE-S3), TLS-only policy, lifecycle rules,
/// and incomplete uploads aborted; optionally versioned, and with Object Lock in governance mode (the audit bucket).
/// The lab's results bucket and its data bucket are both one.
/// </summary>
public sealed class PrivateBucket(LabSettings lab, ProgramBuilder program, string prefix, string bucketPrefix, bool keepOnDestroy, IReadOnlyList<ExpiryRule> expiry,
    IReadOnlyList<YMap>? extraStatements = null, bool versioned = false, int? objectLockDays = null)
{
    /// <summary>
    /// Options of the bucket and its guards: a kept bucket keeps them all (public access block, policy, encryption,
    /// ownership, lifecycle), or destroy would strip a bucket of MIMIC results of every protection.
    /// </summary>
    private ResourceOptions Guard(params string[] dependsOn) => AwsProvider.Options(dependsOn) with { RetainOnDelete = keepOnDestroy };

    private readonly AwsSettings _aws = lab.Aws!;

    private readonly string name = prefix + "Bucket";

    /// <summary>The logical name of the bucket resource (`${name.bucket}`, `${name.arn}`).</summary>
    public string Name => name;

    /// <summary>The resource that enforces default encryption: objects written by the lab wait for it.</summary>
    public string Encryption => $"{prefix}Encryption";

    /// <summary>The bucket policy resource.</summary>
    public string Policy => $"{prefix}TlsOnlyPolicy";

    public void Build()
    {
        program.Add(new PulumiResource(name, "aws:s3/bucket:Bucket", YMap.Of(
            ("bucketPrefix", bucketPrefix),
            ("forceDestroy", !keepOnDestroy),
            ("tags", AwsProvider.TagsOf(lab))), Guard()));
        program.Add(new PulumiResource($"{prefix}PublicAccessBlock", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", YMap.Of(
            ("bucket", $"${{{name}.id}}"),
            ("blockPublicAcls", true),
            ("blockPublicPolicy", true),
            ("ignorePublicAcls", true),
            ("restrictPublicBuckets", true)), Guard()));
        program.Add(new PulumiResource($"{prefix}Ownership", "aws:s3/bucketOwnershipControls:BucketOwnershipControls", YMap.Of(
            ("bucket", $"${{{name}.id}}"),
            ("rule", YMap.Of(("objectOwnership", "BucketOwnerEnforced")))), Guard()));
        program.Add(new PulumiResource(Encryption, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", YMap.Of(
            ("bucket", $"${{{name}.id}}"),
            ("rules", new object[]
            {
                YMap.Of(
                    ("applyServerSideEncryptionByDefault", _aws.KmsEncryption
                        ? YMap.Of(("sseAlgorithm", "aws:kms"), ("kmsMasterKeyId", "${labKey.arn}"))
                        : YMap.Of(("sseAlgorithm", "AES256"))),
                    ("bucketKeyEnabled", _aws.KmsEncryption ? true : null)),
            })), Guard()));
        var denyInsecure = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", (List<object>)
            [
                YMap.Of(
                    ("Sid", "DenyInsecureTransport"),
                    ("Effect", "Deny"),
                    ("Principal", "*"),
                    ("Action", "s3:*"),
                    ("Resource", new object[] { $"${{{name}.arn}}", $"${{{name}.arn}}/*" }),
                    ("Condition", YMap.Of(("Bool", YMap.Of(("aws:SecureTransport", "false")))))),
                .. (extraStatements ?? []),
            ]));
        program.Add(new PulumiResource(Policy, "aws:s3/bucketPolicy:BucketPolicy", YMap.Of(
            ("bucket", $"${{{name}.id}}"),
            ("policy", YMap.Fn("toJSON", denyInsecure))), Guard($"{prefix}PublicAccessBlock")));
        // Under Object Lock, versioning can never be suspended (S3 User Guide, "Configuring S3 Object Lock"), which is what
        // deleting the versioning resource does: both stay in place and go with the bucket.
        var locked = objectLockDays is not null;
        if (versioned)
            program.Add(new PulumiResource($"{prefix}Versioning", "aws:s3/bucketVersioning:BucketVersioning", YMap.Of(
                ("bucket", $"${{{name}.id}}"),
                ("versioningConfiguration", YMap.Of(("status", "Enabled")))), Guard() with { RetainOnDelete = keepOnDestroy || locked }));
        if (objectLockDays is { } lockDays)
            // On the configuration, not the bucket (objectLockEnabled there replaces an existing bucket, records and all): S3
            // enables Object Lock on an existing versioned bucket, and never disables it again. Governance mode: a principal
            // allowed s3:BypassGovernanceRetention can still remove a record, which the bucket policy denies to all.
            program.Add(new PulumiResource($"{prefix}ObjectLock", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", YMap.Of(
                ("bucket", $"${{{name}.id}}"),
                ("objectLockEnabled", "Enabled"),
                ("rule", YMap.Of(("defaultRetention", YMap.Of(("mode", "GOVERNANCE"), ("days", lockDays)))))), Guard($"{prefix}Versioning") with { RetainOnDelete = true }));
        var rules = expiry.Select(r => (object)YMap.Of(
            ("id", r.Id),
            ("status", "Enabled"),
            ("filter", YMap.Of(("prefix", r.Prefix))),
            // Kept objects: once their old versions are gone, so are the delete markers left over them.
            ("expiration", r.Days is { } days ? YMap.Of(("days", days)) : YMap.Of(("expiredObjectDeleteMarker", true))),
            ("noncurrentVersionExpiration", versioned && r.NoncurrentDays is { } old ? YMap.Of(("noncurrentDays", old)) : null))).ToList();
        rules.Add(YMap.Of(
            ("id", "abort-incomplete-uploads"),
            ("status", "Enabled"),
            ("filter", YMap.Of(("prefix", ""))),
            ("abortIncompleteMultipartUpload", YMap.Of(("daysAfterInitiation", 1)))));
        program.Add(new PulumiResource($"{prefix}Lifecycle", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", YMap.Of(
            ("bucket", $"${{{name}.id}}"),
            ("rules", rules)), Guard()));
    }
}
