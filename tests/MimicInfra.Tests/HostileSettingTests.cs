using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// Every setting the lab reads (each of <see cref="SettingSpecs.All"/>, and the provider keys it reads), fed each hostile
/// value, on labs where the setting is read: the result is a refusal naming the key, or a lab that compiles, previews and
/// prices; never any other exception.
/// </summary>
public class HostileSettingTests
{
    /// <summary>Values a hand, a script or an attacker could put in a stack file, as Pulumi passes them (JSON text for structure).</summary>
    public static readonly IReadOnlyList<(string What, string Value)> HostileValues =
    [
        ("empty", ""), ("space", " "), ("whitespace", " \t\n "), ("padded", "  true  "),
        ("very long", new string('x', 16_000)), ("too long", new string('9', 16_385)),
        ("NUL", "a\0b"), ("bell", "a\u0007b"), ("newline", "a\nb"), ("escape sequence", "\u001b[31mred"), ("right-to-left override", "a\u202eb"),
        ("emoji", "\U0001F600"), ("lone surrogate", "\uD800"),
        ("true", "true"), ("false", "false"), ("null word", "null"), ("tilde", "~"),
        ("zero", "0"), ("negative", "-1"), ("minus zero", "-0"), ("huge negative", "-9223372036854775808"), ("long max", "9223372036854775807"),
        ("beyond long", "99999999999999999999999"), ("int max", "2147483647"), ("int max + 1", "2147483648"), ("fraction", "0.5"),
        ("exponent", "1e308"), ("infinity", "Infinity"), ("NaN", "NaN"), ("hex", "0x10"), ("plus", "+5"),
        ("list", "[\"a\",\"b\"]"), ("empty list", "[]"), ("list of numbers", "[1,2]"), ("list with null", "[null]"), ("list of empty", "[\"\"]"),
        ("list of lists", "[[\"a\"]]"), ("map", "{\"a\":\"b\"}"), ("empty map", "{}"), ("list of maps", "[{\"a\":1}]"),
        ("interpolation", "${aws:region}"), ("function", "fn::secret"), ("wildcard", "*"), ("path", "../../etc/passwd"), ("url", "http://x/"),
        ("s3 root", "s3://"), ("s3 bucket", "s3://b/"), ("access point", "s3://arn:aws:s3:us-east-1:123456789012:accesspoint/x/"),
        ("nonsense region", "moon-1"), ("region lookalike", "us-east-99"), ("zone", "us-east-1a"), ("zone of another region", "eu-west-1z"),
        ("nonsense zone", "us-east-1-bos-1a"), ("gcp zone", "us-central1-a"), ("gcp zone lookalike", "us-central1-"),
        ("unknown enum word", "maybe"), ("upper-case enum", "KMS"), ("date", "2027-06-30"), ("past date", "1999-01-01"),
        ("date max", "9999-12-31"), ("date min", "0001-01-01"), ("bad date", "2027-02-30"), ("organization prefix", "organization:"),
        ("arn", "arn:aws:iam::012345678901:user/x"), ("e-mail", "a@b.c"), ("member", "user:a@b.c"), ("kv", "a=b"), ("kv list", "[\"a=b\"]"),
        ("equals only", "[\"=\"]"), ("module kv", "[\"hosp=\"]"), ("module kv bad uri", "[\"hosp=s3://\"]"),
    ];

    /// <summary>
    /// Base labs on which every setting is read: AWS with the lab's VPC and GCP with Workbench; your own VPC with a budget; your own
    /// Parquet copy; the open demo. One small module each, so the thousands of variants compile fast.
    /// </summary>
    private static readonly (string Name, StackConfig Config)[] Bases =
    [
        ("combined", Gcp.Combined() with { Values = new Dictionary<string, string>(Gcp.Combined().Values) { ["mimic-infra:modules"] = "[\"ed\"]" } }),
        ("own-vpc", Labs.Csv31([.. Workspace.Vpc, ("modules", "[\"ed\"]"), ("budgetMonthlyUsd", "100"), ("budgetEmails", "[\"a@example.org\"]")])),
        ("parquet", Labs.Full31(("modules", "[\"ed\"]"))),
        ("demo", Labs.Config("demo", [("release", "mimic-iv-demo-2.2"), ("modules", "[\"icu\"]"), ("researcher", "jdoe"), ("study", "demo"), ("expires", "2027-06-30")])),
    ];

    /// <summary>Each base lab compiles as it is, so a refusal equal to the base's cannot hide a bad one.</summary>
    [Fact]
    public void EveryBaseLabCompiles()
    {
        foreach (var (name, config) in Bases) Assert.True(Outcome(config) is null, $"{name}: {Outcome(config)}");
        Assert.True(HostileValues.Count >= 70);
    }

    public static IEnumerable<string> Keys() =>
        [.. SettingSpecs.All.Select(s => $"{StackConfig.Project}:{s.Key}"), "aws:region"];

    public static TheoryData<string> KeyData => [.. Keys()];

    [Theory]
    [MemberData(nameof(KeyData))]
    public void EveryHostileValueOfThisSettingIsRefusedByNameOrAccepted(string key)
    {
        var crashes = new List<string>();
        var name = key.StartsWith(StackConfig.Project + ":", StringComparison.Ordinal) ? key[(StackConfig.Project.Length + 1)..] : key;
        foreach (var (baseName, config) in Bases)
        {
            var without = new Lazy<string?>(() => Outcome(config with { Values = config.Values.Where(kv => kv.Key != key).ToDictionary() }));
            foreach (var (what, value) in HostileValues)
            {
                var outcome = Outcome(config with { Values = new Dictionary<string, string>(config.Values) { [key] = value } });
                if (outcome is null) continue;
                // A refusal names the key, or is the one the lab gets without the setting (an empty value is no value).
                if (outcome.StartsWith("refused: ", StringComparison.Ordinal) && (outcome.Contains(name, StringComparison.Ordinal) || outcome == without.Value))
                    continue;
                crashes.Add($"{baseName}/{what}: {outcome}");
            }
        }
        Assert.True(crashes.Count == 0, $"{key}: {crashes.Count} bad outcome(s):\n" + string.Join("\n", crashes.Take(40)));
    }

    private static readonly DateOnly Today = new(2026, 12, 1);

    /// <summary>Null when the stack compiles and previews; "refused: ..." for a clean refusal that could be wrong; else what broke.</summary>
    private static string? Outcome(StackConfig stack)
    {
        try
        {
            var lab = LabSettingsReader.Read(stack, Labs.Catalog, Today);
            var program = LabCompiler.Compile(lab);
            _ = MimicInfra.Program.ProgramYaml.Write(program);
            _ = MimicInfra.Cli.LabPreview.Summary(lab, program);
            return null;
        }
        catch (MimicInfra.Cli.UserError e)
        {
            var lines = e.Message.Split('\n');
            var count = System.Text.RegularExpressions.Regex.Match(lines[0], @"has (\d+) problem").Groups[1].Value;
            if (e.Message.Length > 6000) return $"a {e.Message.Length:N0}-character message";
            if (e.Message.Any(ch => char.IsControl(ch) && ch != '\n')) return "a raw control character in the message";
            if (count.Length > 0 && int.Parse(count) != lines.Length - 1) return $"{count} problem(s) on {lines.Length - 1} lines (a value broke a line)";
            return "refused: " + e.Message;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message[..Math.Min(200, e.Message.Length)]} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
        }
    }
}
