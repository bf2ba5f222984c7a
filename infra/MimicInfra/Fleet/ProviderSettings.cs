using System.Text.RegularExpressions;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Fleet;

/// <summary>
/// What the lab's explicit providers receive. Explicit Pulumi providers ignore the stack's `aws:`/`gcp:`
/// config unless the program passes it on, so every provider key the stack sets is passed, by reference
/// (`${aws:profile}`): the value never appears in the program, and Pulumi keeps a secret one secret.
/// `AwsAccountId` pins the AWS provider to one account (its allowedAccountIds).
/// </summary>
public sealed record ProviderSettings(IReadOnlyList<string> AwsKeys, IReadOnlyList<string> GcpKeys, string? AwsAccountId)
{
    public static ProviderSettings None { get; } = new([], [], null);

    /// <summary>Inputs of the `pulumi:providers:aws` resource: the stack's aws: keys, the lab's region and account.</summary>
    public YMap AwsProvider(string region)
    {
        var map = new YMap();
        // The region is the lab's: the stack's aws:region when set, else the default the reader chose.
        map["region"] = AwsKeys.Contains("region") ? Reference("aws", "region") : region;
        foreach (var key in AwsKeys.Where(k => k != "region")) map[key] = Reference("aws", key);
        if (AwsAccountId is not null) map["allowedAccountIds"] = new List<object> { AwsAccountId };
        return map;
    }

    /// <summary>Inputs of the `pulumi:providers:gcp` resource: the stack's gcp: keys, the lab's project and region.</summary>
    public YMap GcpProvider(string project, string? region)
    {
        var map = new YMap();
        map["project"] = GcpKeys.Contains("project") ? Reference("gcp", "project") : project;
        if (GcpKeys.Contains("region")) map["region"] = Reference("gcp", "region");
        else if (region is not null) map["region"] = region;
        foreach (var key in GcpKeys.Where(k => k is not ("project" or "region"))) map[key] = Reference("gcp", key);
        return map;
    }

    private static string Reference(string package, string key) => $"${{{package}:{key}}}";
}

/// <summary>Reads the stack's provider keys and the account binding; problems name the key and the fix.</summary>
public static partial class ProviderSettingsReader
{
    public static ProviderSettings Read(StackConfig config, string? awsAccountId, string? gcpProject, bool aws, bool gcp, Action<string> problem)
    {
        var awsKeys = KeysOf(config, "aws", aws, problem);
        var gcpKeys = KeysOf(config, "gcp", gcp, problem);

        if (awsAccountId is not null)
        {
            if (!AccountId().IsMatch(awsAccountId))
                problem($"{StackConfig.Project}:awsAccountId: {Input.Shown.Quote(awsAccountId)} is not an AWS account id (12 digits, quoted in the stack file: \"012345678901\").");
            if (awsKeys.Contains("allowedAccountIds"))
                problem($"aws:allowedAccountIds: awsAccountId already sets the provider's allowed accounts; remove one of the two.");
            if (!aws) problem($"{StackConfig.Project}:awsAccountId: the lab has no AWS side; remove it or set aws to true.");
        }
        if (config.Secrets.Contains("aws:region"))
            problem("aws:region: is a secret, but the lab's names and console links carry its region; set it in plain text.");
        if (gcpKeys.Contains("project") && gcpProject is not null && !config.Secrets.Contains("gcp:project")
            && config.Values.TryGetValue("gcp:project", out var p) && p.Length > 0 && p != gcpProject)
            problem($"gcp:project: {Input.Shown.Quote(p)} differs from {StackConfig.Project}:gcpProject '{gcpProject}'; the lab is built in one project, so set both to it (or remove gcp:project).");
        return new ProviderSettings(awsKeys, gcpKeys, awsAccountId);
    }

    private static List<string> KeysOf(StackConfig config, string package, bool used, Action<string> problem)
    {
        var keys = new List<string>();
        foreach (var full in config.Values.Keys.Where(k => k.StartsWith(package + ":", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var key = full[(package.Length + 1)..];
            // The region and project are every lab's: no need to read the provider schema for them.
            if (key is "region" || (package == "gcp" && key == "project")) { keys.Add(key); continue; }
            var inputs = ProviderInputs.Of(package);
            if (inputs.Contains(key)) { keys.Add(key); continue; }
            var near = inputs.OrderBy(i => Distance(i, key)).ThenBy(i => i, StringComparer.Ordinal).First();
            problem($"{full}: not a setting of the {package} provider; did you mean {package}:{near}? (the lab's provider would drop it)");
        }
        return used ? keys : [];
    }

    private static int Distance(string a, string b) => Input.EditDistance.Between(a, b);

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();
}
