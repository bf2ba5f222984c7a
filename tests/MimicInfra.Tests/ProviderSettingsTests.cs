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
