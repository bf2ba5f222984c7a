using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MimicInfra.Lab;

namespace MimicInfra.Fleet;

/// <summary>What `labs new` asks for: one researcher's lab in one account or project.</summary>
public sealed record NewLab(
    string Stack,
    string Release,
    string Researcher,
    string Study,
    DateOnly Expires,
    IReadOnlyList<string> Modules,
    bool Aws,
    string? AwsAccountId,
    string? AwsRegion,
    string? AwsProfile,
    string? SourceUri,
    bool Gcp,
    string? GcpProject,
    IReadOnlyList<string> GcpMembers,
    string? ResearcherArn = null)
{
    /// <summary>`MODULE=URI` for modules whose files are elsewhere than sourceUri (another PhysioNet project's access point).</summary>
    public IReadOnlyList<string> ModuleSources { get; init; } = [];
}

/// <summary>
/// The stack file of a new lab: commented, every value double-quoted (JSON string syntax is valid YAML,
/// so no value is ever read as a number or a date), keys in a fixed order. Pure text; the command writes it.
/// </summary>
public static class StackFileWriter
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(NewLab lab)
    {
        var w = new StringBuilder();
        void Line(string text = "") => w.Append(text).Append('\n');
        void Set(string key, object value, string? comment = null) =>
            Line($"  {key}: {JsonSerializer.Serialize(value, Quoting)}" + (comment is null ? "" : $"   # {comment}"));

        Line($"# MIMIC lab of researcher {lab.Researcher}, study {lab.Study}: written by `labs new`; edit freely.");
        Line($"#   dotnet run --project infra/MimicInfra -- preview --stack {lab.Stack}    # what it would create");
        Line($"#   pulumi stack init {lab.Stack} && pulumi up                               # create it");
        Line("# The lab stops itself at 00:00 UTC on `expires`; extend it and run `pulumi up` to continue, or `pulumi destroy`.");
        Line("config:");
        if (lab.Aws)
        {
            if (lab.AwsRegion is not null) Set("aws:region", lab.AwsRegion);
            if (lab.AwsProfile is not null) Set("aws:profile", lab.AwsProfile, "the researcher account's credentials (~/.aws/config profile)");
        }
        if (lab.Gcp && lab.GcpProject is not null) Set("gcp:project", lab.GcpProject);
        Set($"{StackConfig.Project}:release", lab.Release);
        if (lab.Modules.Count > 0) Set($"{StackConfig.Project}:modules", lab.Modules);
        Set($"{StackConfig.Project}:researcher", lab.Researcher);
        Set($"{StackConfig.Project}:study", lab.Study);
        Set($"{StackConfig.Project}:expires", lab.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "the study's end: the lab stops at 00:00 UTC that day");
        if (!lab.Aws) Set($"{StackConfig.Project}:aws", false);
        if (lab.Aws && lab.AwsAccountId is not null)
            Set($"{StackConfig.Project}:awsAccountId", lab.AwsAccountId, "a deploy with credentials of any other account fails before any change");
        if (lab.Aws && lab.SourceUri is not null) Set($"{StackConfig.Project}:sourceUri", lab.SourceUri);
        if (lab.Aws && lab.ModuleSources.Count > 0)
            Set($"{StackConfig.Project}:moduleSources", lab.ModuleSources, "modules from another PhysioNet project, each with that project's URI");
        if (lab.Aws && lab.ResearcherArn is not null)
            Set($"{StackConfig.Project}:researcherPrincipalArn", lab.ResearcherArn, "the IAM user PhysioNet verified: the lab's data admits only it, the notebook and the deployer");
        if (lab.Gcp)
        {
            Set($"{StackConfig.Project}:gcp", true);
            if (lab.GcpProject is not null) Set($"{StackConfig.Project}:gcpProject", lab.GcpProject);
            if (lab.GcpMembers.Count > 0) Set($"{StackConfig.Project}:gcpMembers", lab.GcpMembers);
        }
        return w.ToString();
    }
}
