namespace MimicInfra.Tests;

internal static class Workspace
{
    public static readonly (string, string)[] Vpc =
        [("notebookNetwork", "vpc"), ("notebookSubnetId", "subnet-0123456789abcdef0"), ("notebookSecurityGroupIds", "[\"sg-0123456789abcdef0\"]")];

    public static readonly (string, string)[] Budget = [("budgetMonthlyUsd", "250"), ("budgetEmails", "[\"pi@example.org\", \"ops@example.org\"]")];

    public static ParsedProgram Demo { get; } = new(Labs.Compile(Labs.Demo));

    /// <summary>A lifecycle script as the notebook runs it: Pulumi's `$$` read as `$`, the bucket filled in.</summary>
    public static string Script(ParsedProgram p, string which) =>
        ((string)p.Single("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration").At(which, "fn::toBase64")!)
        .Replace("${dataBucket.bucket}", "mimic-lab-bucket-123").Replace("${resultsBucket.bucket}", "mimic-lab-bucket-123").Replace("$$", "$");

    public static string Notebook(ParsedProgram p) =>
        ((string)p.OfType("aws:s3/bucketObjectv2:BucketObjectv2").Single(o => ((string)o.Props["key"]).StartsWith("lab/notebooks/")).Props["content"]).Replace("$$", "$");

    public static List<Dictionary<object, object>> Statements(ParsedProgram p) =>
        p.Resources.Single(r => r.Name == "notebookRolePolicy").Props.At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();

    public static IEnumerable<string> Strings(object? o) => o switch
    {
        string s => [s],
        List<object> l => l.SelectMany(Strings),
        Dictionary<object, object> m => m.Values.SelectMany(Strings),
        _ => [],
    };
}
