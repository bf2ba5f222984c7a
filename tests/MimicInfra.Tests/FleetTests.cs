using MimicInfra.Fleet;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>Provider settings, account binding, secrets, expiry and placeholders: what a platform team running many labs needs.</summary>
public class ProviderSettingsTests
{
    private static Dictionary<object, object> AwsProvider(StackConfig config) =>
        new ParsedProgram(Labs.Compile(config)).Single("pulumi:providers:aws");

    [Fact]
    public void ProfileAssumeRolesAndAccountReachTheAwsProvider()
    {
        var config = Labs.Config("fleet-a", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"),
            ("aws:region", "us-east-1"), ("aws:profile", "researcher-a"),
            ("aws:assumeRoles", "[{\"roleArn\":\"arn:aws:iam::123456789012:role/lab-deployer\"}]"),
            ("awsAccountId", "012345678901")]);
        var p = AwsProvider(config);
        Assert.Equal("${aws:region}", p["region"]);
        Assert.Equal("${aws:profile}", p["profile"]);
        Assert.Equal("${aws:assumeRoles}", p["assumeRoles"]);
        Assert.Equal(["012345678901"], p["allowedAccountIds"].List());
        var text = Labs.Compile(config);
        Assert.DoesNotContain("researcher-a", text);
        Assert.DoesNotContain("lab-deployer", text);
        Assert.Contains("- \"012345678901\"", text);   // quoted: an account id is never read as a number
        Assert.Empty(new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(text).Problems);
    }

    [Fact]
    public void WithoutProviderKeysTheProviderHasTheLabRegionOnly()
    {
        var p = AwsProvider(Labs.Config("plain", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2")]));
        Assert.Equal(["region"], p.Keys.Cast<string>());
        Assert.Equal("us-east-1", p["region"]);
    }

    [Fact]
    public void EveryAwsProviderKeyIsPassedByReference()
    {
        var keys = new[] { "sharedConfigFiles", "sharedCredentialsFiles", "skipCredentialsValidation", "forbiddenAccountIds", "maxRetries", "defaultTags", "token" };
        var config = Labs.Config("many", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"), .. keys.Select(k => ($"aws:{k}", "[\"x\"]"))]);
        var p = AwsProvider(config);
        foreach (var k in keys) Assert.Equal($"${{aws:{k}}}", p[k]);
    }

    [Fact]
    public void GcpProviderKeysAreReferencedToo()
    {
        var config = Gcp.Only31([("gcp:project", "mimic-research-1"), ("gcp:impersonateServiceAccount", "deployer@mimic-research-1.iam.gserviceaccount.com"), ("gcp:region", "us-central1")]);
        var p = new ParsedProgram(Labs.Compile(config)).Single("pulumi:providers:gcp");
        Assert.Equal("${gcp:project}", p["project"]);
        Assert.Equal("${gcp:region}", p["region"]);
        Assert.Equal("${gcp:impersonateServiceAccount}", p["impersonateServiceAccount"]);
        Assert.DoesNotContain("deployer@", Labs.Compile(config));
    }

    [Fact]
    public void SecretKeyFromPulumiNeverAppearsInTheProgram()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var pulumiConfig = $$"""{"mimic-infra:release":"mimic-iv-demo-2.2","mimic-infra:researcher":"jdoe","mimic-infra:study":"s1","mimic-infra:expires":"2099-01-01","aws:accessKey":"AKIAIOSFODNN7EXAMPLE","aws:secretKey":"{{secret}}"}""";
        var env = new Dictionary<string, string> { ["PULUMI_STACK"] = "s", ["PULUMI_CONFIG"] = pulumiConfig, ["PULUMI_CONFIG_SECRET_KEYS"] = "[\"aws:secretKey\"]" };
        var (code, stdout, stderr) = Cli.Run(["pulumi-program"], k => env.GetValueOrDefault(k));
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.DoesNotContain(secret, stdout);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", stdout);
        Assert.Contains("secretKey: ${aws:secretKey}", stdout);
    }

    [Fact]
    public void SecretProviderKeyInTheStackFileCompilesByReference()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        File.WriteAllText(Path.Combine(dir, "Pulumi.s.yaml"), """
            config:
              aws:secretKey:
                secure: AAABAKgSecretCipherText==
              mimic-infra:release: mimic-iv-demo-2.2
              mimic-infra:researcher: jdoe
              mimic-infra:study: s1
              mimic-infra:expires: "2099-01-01"
            """);
        var (code, stdout, stderr) = Cli.Run(["compile", "--stack", "s", "--stacks-dir", dir]);
        Directory.Delete(dir, true);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("secretKey: ${aws:secretKey}", stdout);
        Assert.DoesNotContain("AAABAKgSecretCipherText", stdout);
    }

    [Fact]
    public void SecretLabSettingIsRefusedWithoutEchoingIt()
    {
        var pulumiConfig = """{"mimic-infra:release":"mimic-iv-demo-2.2","mimic-infra:researcher":"hidden-person","mimic-infra:study":"s1","mimic-infra:expires":"2099-01-01"}""";
        var env = new Dictionary<string, string> { ["PULUMI_STACK"] = "s", ["PULUMI_CONFIG"] = pulumiConfig, ["PULUMI_CONFIG_SECRET_KEYS"] = "[\"mimic-infra:researcher\"]" };
        var (code, stdout, stderr) = Cli.Run(["pulumi-program"], k => env.GetValueOrDefault(k));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("mimic-infra:researcher: is a secret", stderr);
        Assert.DoesNotContain("hidden-person", stderr);
    }

    [Theory]
    [InlineData("aws:allowedAccountIds", "[\"012345678901\"]", "aws:allowedAccountIds: awsAccountId already sets the provider's allowed accounts")]
    [InlineData("aws:regoin", "us-east-1", "aws:regoin: not a setting of the aws provider; did you mean aws:region?")]
    [InlineData("gcp:project", "other-project-1", "gcp:project: 'other-project-1' differs from mimic-infra:gcpProject 'mimic-research-1'")]
    public void ProviderKeyProblemsNameTheKey(string key, string value, string expected)
    {
        var config = Labs.Config("p", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\"]"), ("sourceUri", "s3://my-mimic-copy/mimiciv/3.1/"),
            ("awsAccountId", "012345678901"), .. Gcp.Settings, (key, value)]);
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(config, Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }
}

public class ExpiryAndPlaceholderTests
{
    private static StackConfig Expiring(string expires) =>
        Labs.Config("e", ("release", "mimic-iv-demo-2.2"), ("researcher", "jdoe"), ("study", "s"), ("expires", expires));

    [Theory]
    [InlineData("2026-12-01", true)]    // stops at 00:00 UTC on expires: the day itself is past due
    [InlineData("2026-11-30", true)]
    [InlineData("2026-12-02", false)]
    public void ExpiryIsJudgedAgainstTheUtcDate(string expires, bool refused)
    {
        var today = new DateOnly(2026, 12, 1);
        if (!refused) { Assert.Equal(DateOnly.Parse(expires), LabSettingsReader.Read(Expiring(expires), Labs.Catalog, today).Expires); return; }
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Expiring(expires), Labs.Catalog, today));
        Assert.Contains($"mimic-infra:expires: the lab expired on {expires}", e.Message);
        Assert.Contains("pulumi destroy", e.Message);
        Assert.Contains("pulumi config set expires", e.Message);
    }

    [Theory]
    [InlineData("mimic-iv-3-1", new[] { "mimic-infra:tags: '[\"cost-center=REPLACE\"]'" })]
    [InlineData("gcp-mimic-iv-3-1", new[] { "gcp:project: 'replace-research-project'", "mimic-infra:gcpProject: 'replace-research-project'", "mimic-infra:gcpWorkbenchOwner: 'REPLACE-jdoe@example.org'" })]
    public void ExampleStacksWithPlaceholdersAreRefusedNamingEachKey(string stack, string[] expected)
    {
        foreach (var command in new[] { "compile", "preview", "check" })
        {
            var (code, stdout, stderr) = Cli.Run([command, "--stack", stack]);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            foreach (var e in expected) Assert.Contains(e, stderr);
        }
    }

    [Theory]
    [InlineData("replaced-by-design", false)]
    [InlineData("replacement", false)]
    [InlineData("my-REPLACE-bucket", true)]
    [InlineData("Replace", true)]
    public void OnlyThePlaceholderWordIsAPlaceholder(string value, bool refused)
    {
        var config = Labs.Config("p", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"), ("tags", $"[\"note={value}\"]")]);
        var problems = StackRules.Problems(config, null, new DateOnly(2026, 12, 1)).ToList();
        Assert.Equal(refused, problems.Any(p => p.StartsWith("mimic-infra:tags:", StringComparison.Ordinal)));
    }
}

/// <summary>A platform team's repository: the shipped examples plus any number of labs, valid or not.</summary>
public class FleetRepositoryTests
{
    private const string Ed = "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/";

    private static string Lab(string researcher, string expires, string extra = "") => $"""
        config:
          mimic-infra:release: mimic-iv-demo-2.2
          mimic-infra:researcher: {researcher}
          mimic-infra:study: s1
          mimic-infra:expires: "{expires}"
        {extra}
        """;

    /// <summary>The repository's stacks and five more labs: two valid, one expired, one with placeholders, one with a typo.</summary>
    private static string Fleet()
    {
        var dir = Directory.CreateTempSubdirectory("fleet-repo-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Shared.RepoRoot, "stacks"), "Pulumi.*.yaml"))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        var (code, _, stderr) = Cli.Run(["labs", "new", "--stack", "zz-jdoe-sepsis", "--release", "mimic-iv-3.1", "--researcher", "jdoe", "--study", "sepsis",
            "--expires", "2099-06-30", "--aws-account", "012345678901", "--source-uri", Labs.AccessPoint31, "--module-source", $"ed={Ed}",
            "--researcher-arn", Labs.ResearcherArn, "--stacks-dir", dir]);
        Assert.True(code == 0, stderr);
        File.WriteAllText(Path.Combine(dir, "Pulumi.zz-asmith.yaml"), Lab("asmith", "2099-01-01"));
        File.WriteAllText(Path.Combine(dir, "Pulumi.zz-old.yaml"), Lab("old", "2020-01-01"));
        File.WriteAllText(Path.Combine(dir, "Pulumi.zz-todo.yaml"), Lab("todo", "2099-01-01", "  mimic-infra:awsAccountId: \"REPLACE\""));
        File.WriteAllText(Path.Combine(dir, "Pulumi.zz-typo.yaml"), Lab("typo", "2099-01-01", "  mimic-infra:reseacher: x"));
        return dir;
    }

    [Fact]
    public void ManyLabsInStacksAreANormalState()
    {
        var dir = Fleet();
        try
        {
            var (code, stdout, stderr) = Cli.Run(["labs", "list", "--json", "--stacks-dir", dir]);
            Assert.Equal("", stderr);
            Assert.Equal(MimicInfra.Cli.LabsCommands.ExpiredExit, code);
            var labs = System.Text.Json.Nodes.JsonNode.Parse(stdout)!.AsArray().ToDictionary(l => (string)l!["stack"]!, l => (string)l!["status"]!);
            Assert.Equal(new Dictionary<string, string>
            {
                ["zz-asmith"] = "active", ["zz-jdoe-sepsis"] = "active", ["zz-old"] = "expired", ["zz-todo"] = "problems", ["zz-typo"] = "problems",
            }, labs.Where(l => l.Key.StartsWith("zz-", StringComparison.Ordinal)).ToDictionary());
            // The shipped examples are not labs of the fleet; --examples lists them too.
            var examples = Directory.GetFiles(dir, "Pulumi.*.yaml").Count(f => ExampleStacks.IsExample(File.ReadAllText(f)));
            Assert.True(examples >= 3);
            var (_, all, _) = Cli.Run(["labs", "list", "--json", "--examples", "--stacks-dir", dir]);
            Assert.Equal(labs.Count + examples, System.Text.Json.Nodes.JsonNode.Parse(all)!.AsArray().Count);

            var (textCode, text, _) = Cli.Run(["labs", "list", "--stacks-dir", dir], k => k == "COLUMNS" ? "80" : null);
            Assert.Equal(MimicInfra.Cli.LabsCommands.ExpiredExit, textCode);
            Assert.All(text.TrimEnd('\n').Split('\n'), l => Assert.True(l.Length <= 80 || !l.Trim().Contains(' '), l));
            Assert.Contains("zz-typo: mimic-infra:reseacher: unknown setting. Did you mean mimic-infra:researcher?", text.Replace("\n    ", " "));

            // Each lab answers for itself: the valid ones compile, the others are refused naming the key, none crashes.
            foreach (var stack in new[] { "zz-asmith", "zz-jdoe-sepsis", "demo" })
                foreach (var command in new[] { "compile", "preview", "check" })
                {
                    var (c, o, e) = Cli.Run([command, "--stack", stack, "--stacks-dir", dir]);
                    Assert.True(c == 0, $"{command} {stack}: {e}");
                    Assert.NotEqual("", o);
                }
            foreach (var (stack, key) in new[] { ("zz-old", "mimic-infra:expires: the lab expired on 2020-01-01"), ("zz-todo", "mimic-infra:awsAccountId: 'REPLACE'"), ("zz-typo", "mimic-infra:reseacher") })
                foreach (var command in new[] { "compile", "preview", "check" })
                {
                    var (c, o, e) = Cli.Run([command, "--stack", stack, "--stacks-dir", dir]);
                    Assert.Equal(2, c);
                    Assert.Equal("", o);
                    Assert.StartsWith("error: ", e);
                    Assert.Contains(key, e);
                }
        }
        finally { Directory.Delete(dir, true); }
    }
}
