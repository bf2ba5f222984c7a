using System.Text.RegularExpressions;

namespace MimicInfra.Sources;

/// <summary>
/// An S3 folder a lab reads from, in either form PhysioNet shows: a bucket (`s3://bucket/prefix/`, an
/// access-point alias included) or an access-point ARN (`s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/prefix/`),
/// the per-user URI of credentialed projects. The SDKs and the CLI take either as a bucket; IAM takes
/// different resource ARNs for each, and a Glue table location can be neither ARN form.
/// </summary>
public sealed partial record S3Source(string? Bucket, string? AccessPointArn, string Prefix)
{
    public bool IsAccessPoint => AccessPointArn is not null;

    /// <summary>The region of an access point (its ARN's fourth field); null for a bucket, whose region S3 finds itself.</summary>
    public string? AccessPointRegion => AccessPointArn?.Split(':')[3];

    /// <summary>What the SDK's `Bucket` parameter takes: the bucket name, or the access point's ARN.</summary>
    public string ApiBucket => Bucket ?? AccessPointArn!;

    /// <summary>The URI as the user wrote it (and as `aws s3` takes it).</summary>
    public string Uri => $"s3://{ApiBucket}/{Prefix}";

    /// <summary>The same place one folder (or file) further down.</summary>
    public S3Source Child(string relative) => this with { Prefix = Prefix + relative };

    /// <summary>The IAM resource of the objects under this prefix (with a trailing wildcard).</summary>
    public string ObjectsArn(string partition) =>
        Bucket is not null ? $"arn:{partition}:s3:::{Bucket}/{Prefix}*" : $"{AccessPointArn}/object/{Prefix}*";

    /// <summary>The IAM resource that s3:ListBucket is granted on.</summary>
    public string ListArn(string partition) => Bucket is not null ? $"arn:{partition}:s3:::{Bucket}" : AccessPointArn!;

    /// <summary>Parses an `s3://` folder (ending in '/'); null with the reason when it is not one.</summary>
    public static S3Source? TryParse(string text, out string problem)
    {
        problem = "";
        var m = AccessPointUri().Match(text);
        if (m.Success) return new S3Source(null, m.Groups["arn"].Value, m.Groups["prefix"].Value);
        m = BucketUri().Match(text);
        if (m.Success) return new S3Source(m.Groups["bucket"].Value, null, m.Groups["prefix"].Value);
        var bucket = text.StartsWith("s3://", StringComparison.Ordinal) ? text[5..].Split('/')[0] : null;
        problem = text.IndexOfAny(['$', '{', '}', '*', '?']) >= 0
            ? "holds $, {, }, * or ?, which Pulumi would read as an interpolation or IAM as a wildcard; write the folder's literal name, e.g. s3://my-copy/mimiciv/3.1/"
            : text.StartsWith("s3://arn:", StringComparison.Ordinal)
            ? "must be an access-point URI as PhysioNet shows it, s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/<folder>/ (ending in '/')"
            : bucket is not null && text.EndsWith('/') && !BucketName().IsMatch(bucket)
                ? $"names the bucket {Input.Shown.Quote(bucket)}, which is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)"
                : "must be an s3:// folder ending in '/', e.g. s3://my-copy/mimiciv/3.1/, or the access-point URI PhysioNet shows (s3://arn:aws:s3:...:accesspoint/NAME/.../)";
        return null;
    }

    // Key characters are kept to those S3 recommends as safe; `*`, `?`, `$`, `{`, `}` would mean something
    // to IAM or to Pulumi's interpolation, and are refused rather than escaped.
    [GeneratedRegex(@"^s3://(?<arn>arn:aws(-[a-z]+)*:s3:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:accesspoint/[a-z0-9][a-z0-9-]{1,48}[a-z0-9])/(?<prefix>([A-Za-z0-9!_.'()=+@,;&-]+/)*)$")]
    private static partial Regex AccessPointUri();

    [GeneratedRegex(@"^s3://(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?<prefix>([A-Za-z0-9!_.'()=+@,;&-]+/)*)$")]
    private static partial Regex BucketUri();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
