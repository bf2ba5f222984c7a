using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>What an Athena workgroup of the lab is made of.</summary>
public sealed record LabWorkgroupArgs
{
    /// <summary>The workgroup's handle, declared by the orchestrator (the notebook, the import and the expiry stop reference it).</summary>
    public required Handle Workgroup { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Where in the results bucket its query results go.</summary>
    public required string ResultsPrefix { get; init; }

    /// <summary>The most one query may scan, in bytes.</summary>
    public required long BytesScannedCutoffPerQuery { get; init; }

    /// <summary>The results bucket: the workgroup waits for its encryption and policy, so no result is written before they hold.</summary>
    public required BucketHandles Results { get; init; }

    /// <summary>The lab's account: results go only to a bucket it owns.</summary>
    public required Handle Account { get; init; }

    /// <summary>The key that encrypts its results; null for SSE-S3.</summary>
    public Handle? LabKey { get; init; }

    public required YMap Tags { get; init; }

    /// <summary>What the lab's expiry stop makes of the workgroup so it can be disabled at expiry and resumed.</summary>
    public Func<PulumiResource, PulumiResource> Resumable { get; init; } = workgroup => workgroup;
}

/// <summary>An Athena workgroup of the lab: engine 3, settings enforced, a scan cap, encrypted results under a prefix of the results bucket.</summary>
public sealed class LabWorkgroup(ProgramBuilder program, LabWorkgroupArgs args)
{
    public Handle Build()
    {
        var workgroup = args.Resumable(new PulumiResource(args.Workgroup.LogicalName, "aws:athena/workgroup:Workgroup", YMap.Of(
            ("name", args.Name),
            ("description", args.Description),
            ("state", "ENABLED"),
            ("forceDestroy", true),
            ("configuration", YMap.Of(
                ("enforceWorkgroupConfiguration", true),
                ("publishCloudwatchMetricsEnabled", true),
                ("bytesScannedCutoffPerQuery", args.BytesScannedCutoffPerQuery),
                ("engineVersion", YMap.Of(("selectedEngineVersion", "Athena engine version 3"))),
                ("resultConfiguration", YMap.Of(
                    ("outputLocation", $"s3://{args.Results.Bucket.Out("bucket")}/{args.ResultsPrefix}"),
                    ("expectedBucketOwner", args.Account.Out("accountId")),
                    ("encryptionConfiguration", args.LabKey is { } key
                        ? YMap.Of(("encryptionOption", "SSE_KMS"), ("kmsKeyArn", key.Arn))
                        : YMap.Of(("encryptionOption", "SSE_S3"))))))),
            ("tags", args.Tags)), AwsProvider.OptionsAfter(args.Results.Encryption, args.Results.Policy)));
        return program.Add(args.Workgroup, workgroup.Type, workgroup.Properties, workgroup.Options);
    }
}
