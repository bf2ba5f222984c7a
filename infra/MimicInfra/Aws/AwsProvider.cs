using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws;

/// <summary>
/// What every AWS component of a lab shares: the lab's explicit aws provider at its pinned version, the lab's tags,
/// and functions of the aws package called through that provider. Components depend on this, never on <see cref="AwsLab"/>.
/// </summary>
public static class AwsProvider
{
    /// <summary>The pinned aws plugin, as in infra/provider-schemas.</summary>
    public const string Version = "7.48.0";

    /// <summary>Logical name of the lab's explicit provider.</summary>
    public const string Name = "awsProvider";

    /// <summary>Options of every AWS resource of a lab: the lab's provider, the pinned plugin version.</summary>
    public static ResourceOptions Options(params string[] dependsOn) => new(Name, Version) { DependsOn = dependsOn };

    /// <summary>The same options, waiting for these resources.</summary>
    public static ResourceOptions OptionsAfter(params Handle[] dependsOn) => Options([.. dependsOn.Select(h => h.LogicalName)]);

    /// <summary>The lab's tags as an AWS `tags` map.</summary>
    public static YMap TagsOf(LabSettings lab) => lab.Tags.Aggregate(new YMap(), (m, t) => { m[t.Key] = t.Value; return m; });

    /// <summary>
    /// Tags of S3 objects: only the lab's name and owner. S3 allows at most 10 tags per object, which the
    /// lab's own five plus a stack's extra tags can pass; the bucket carries the full set.
    /// </summary>
    public static YMap ObjectTagsOf(LabSettings lab) => YMap.Of(("lab", lab.Names.Lab), ("managed-by", "mimic-infra"));

    /// <summary>A function of the aws package, called through the lab's provider at its pinned version.</summary>
    public static YMap Invoke(string function, YMap? arguments = null) => YMap.Fn("invoke", YMap.Of(
        ("function", function),
        ("arguments", arguments ?? new YMap()),
        ("options", YMap.Of(("provider", $"${{{Name}}}"), ("version", Version)))));

    /// <summary>The AWS partition of a region (the commercial one unless it is a GovCloud or China region).</summary>
    public static string PartitionOf(string region) =>
        region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : "aws";

    /// <summary>The provider resource itself: the lab's region and account, and every aws: key the stack sets (by reference).</summary>
    public static Handle Add(ProgramBuilder program, LabSettings lab) =>
        program.Add(Name, "pulumi:providers:aws", lab.Providers.AwsProvider(lab.Aws!.Region), new ResourceOptions(null, Version));
}
