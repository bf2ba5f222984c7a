using System.Globalization;
using MimicInfra.Input;

namespace MimicInfra.Lab;

/// <summary>
/// The project's config values of one stack, typed on demand, with the problems found so far. Each concern's settings
/// reader takes its values from here and adds its problems, each naming its key and the fix.
/// </summary>
public sealed class ConfigValues
{
    private static readonly Dictionary<string, string> ListExamples = new(StringComparer.Ordinal)
    {
        ["modules"] = "hosp", ["tags"] = "cost-center=1234", ["moduleSources"] = "ed=s3://my-copy/ed/",
        ["notebookSecurityGroupIds"] = "sg-0123abcd", ["budgetEmails"] = "you@example.org", ["gcpMembers"] = "user:you@example.org",
    };

    private const int MaxKeyLength = 100;
    private const int MaxValueLength = 16_384;

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flagged = new(StringComparer.Ordinal);

    public List<string> Problems { get; } = [];

    private const string Ns = StackConfig.Project + ":";

    /// <summary>A user's value as messages show it: quoted, at most 100 characters.</summary>
    public static string Q(string value) => Shown.Quote(value);

    private static int Distance(string a, string b) => Input.EditDistance.Between(a, b);

    public ConfigValues(StackConfig config)
    {
        foreach (var (key, value) in config.Values)
        {
            if (key.Length > MaxKeyLength)
            {
                Problems.Add($"{Q(key)}: a config key of {key.Length:N0} characters; settings are named as in Pulumi.yaml ({Ns}<setting>).");
                continue;
            }
            var colon = key.IndexOf(':');
            if (colon < 0)
            {
                Problems.Add($"{key}: config keys are namespaced; write it as {Ns}{key}.");
                continue;
            }
            var (ns, name) = (key[..colon], key[(colon + 1)..]);
            if (ns != StackConfig.Project)
            {
                // Provider keys such as aws:region pass; a near-miss of the project's own name is a typo.
                if (Distance(ns, StackConfig.Project) <= 3 || (SettingSpecs.Find(name) is not null && ns is not ("aws" or "gcp")))
                {
                    Problems.Add($"{key}: {Q(ns)} is not this project's namespace; write it as {Ns}{name}.");
                    _flagged.Add(name);   // not "required" as well: the fix above sets it
                }
                continue;
            }
            if (SettingSpecs.Find(name) is null)
            {
                var near = SettingSpecs.All.Select(s => s.Key).OrderBy(k => Distance(k, name)).First();
                Problems.Add($"{key}: unknown setting. Did you mean {Ns}{near}? Settings are listed in Pulumi.yaml.");
                continue;
            }
            if (value.Length > MaxValueLength)
            {
                Problem(name, $"{Q(value)} is longer than any setting needs (at most {MaxValueLength:N0} characters).");
                _flagged.Add(name);
                continue;
            }
            _values[name] = value;
        }
    }

    public void Problem(string key, string message) => Problems.Add($"{Ns}{key}: {message}");

    public bool HasProblem(string key) => Problems.Any(p => p.StartsWith($"{Ns}{key}:", StringComparison.Ordinal));

    public bool Has(string key) => Str(key) is not null;

    public string? Str(string key) => _values.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    public string Required(string key, string example)
    {
        var v = Str(key);
        if (v is null && !_flagged.Contains(key)) Problem(key, $"required. Set it with `pulumi config set {key} {example}`.");
        return v ?? "";
    }

    private object? Default(string key) => SettingSpecs.Find(key)!.Default;

    public long Integer(string key, long min, long max)
    {
        var v = Str(key);
        long n;
        if (v is null) n = Default(key) is long d ? d : min;
        else if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
        {
            // A number that is not a long (1e29, 2.5, 99999999999999999999) gets the range or the fix, not a riddle.
            var isNumber = double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x);
            Problem(key, !isNumber ? $"{Q(v)} is not a whole number; write digits only, e.g. {Math.Max(min, 1)}."
                : x == Math.Floor(x) ? $"{Q(v)} is out of range; use a whole number in {min}..{max}."
                : $"{Q(v)} is not a whole number; use a whole number in {min}..{max}.");
            return min;
        }
        if (n < min || n > max) Problem(key, $"{n} is out of range; use {min}..{max}.");
        return Math.Clamp(n, min, max);
    }

    public bool Boolean(string key)
    {
        var v = Str(key);
        if (v is null) return Default(key) is true;
        if (v is "true" or "false") return v == "true";
        Problem(key, $"{Q(v)} is not true or false.");
        return false;
    }

    public List<string> List(string key)
    {
        var v = Str(key);
        if (v is null) return [];
        if (Input.JsonText.StringList(v) is { } items) return items;
        // `pulumi config set key a,b` stores one string; `--path 'key[0]'` is how the CLI sets list items.
        var example = ListExamples.GetValueOrDefault(key, "VALUE");
        Problem(key, $"{Q(v)} is not a list of strings; write it in the stack file as a YAML list ({Ns}{key}: [{example}]), " +
                     $"or set each item with `pulumi config set --path '{key}[0]' {example}` (then [1], [2], ...).");
        return [];
    }
}
