using System.Text.Json.Nodes;
using MimicInfra.Cli;
using MimicInfra.Fleet;

namespace MimicInfra.Tests;

public class LabsCommandTests
{
    private static string Stack(string expires, string extra = "") => $"""
        config:
          mimic-infra:release: mimic-iv-demo-2.2
          mimic-infra:researcher: r1
          mimic-infra:study: s1
          mimic-infra:expires: "{expires}"
        {extra}
        """;

    private static (int Code, string Out, string Err) ListIn(Dictionary<string, string> files, DateOnly today, bool json)
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, $"Pulumi.{name}.yaml"), text);
            var (o, e) = (new StringWriter { NewLine = "\n" }, new StringWriter { NewLine = "\n" });
            var code = LabsCommands.List(new MimicInfra.Cli.Console(o, e), dir, json, today);
            return (code, o.ToString(), e.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ListShowsEachLabsStatusAndExitsNonZeroWhenOneIsExpired()
    {
        var today = new DateOnly(2026, 12, 1);
        var files = new Dictionary<string, string>
        {
            ["active"] = Stack("2027-06-30", "  mimic-infra:awsAccountId: \"012345678901\""),
            ["soon"] = Stack("2026-12-10"),
            ["over"] = Stack("2026-11-01"),
            ["broken"] = Stack("2027-06-30", "  mimic-infra:sourceUri: s3://replace-me/"),
        };
        var (code, stdout, _) = ListIn(files, today, json: true);
        Assert.Equal(LabsCommands.ExpiredExit, code);
        var labs = JsonNode.Parse(stdout)!.AsArray().ToDictionary(l => (string)l!["stack"]!, l => l!);
        Assert.Equal("active", (string)labs["active"]["status"]!);
        Assert.Equal("012345678901", (string)labs["active"]["awsAccountId"]!);
        Assert.Equal(211, (int)labs["active"]["daysLeft"]!);
        Assert.Equal("expiring", (string)labs["soon"]["status"]!);
        Assert.Equal(9, (int)labs["soon"]["daysLeft"]!);
        Assert.Equal("expired", (string)labs["over"]["status"]!);
        Assert.Equal(-30, (int)labs["over"]["daysLeft"]!);
        Assert.Equal("problems", (string)labs["broken"]["status"]!);
        Assert.Contains("mimic-infra:sourceUri", (string)labs["broken"]["problems"]![0]!);
        Assert.Equal("r1", (string)labs["broken"]["researcher"]!);
        Assert.Equal(["aws"], labs["active"]["clouds"]!.AsArray().Select(c => (string)c!));

        var (textCode, text, _) = ListIn(files, today, json: false);
        Assert.Equal(LabsCommands.ExpiredExit, textCode);
        Assert.Contains("expires within 14 days", text);
        Assert.Contains("4 lab(s): 1 active, 1 expiring within 14 days, 1 expired, 1 with problems.", text);
    }

    [Fact]
    public void ListExitsZeroWhenNoLabIsExpired()
    {
        var (code, _, _) = ListIn(new() { ["a"] = Stack("2027-06-30") }, new DateOnly(2026, 12, 1), json: false);
        Assert.Equal(0, code);
    }

    [Fact]
    public void ListShowsTheExampleStacks()
    {
        var (code, stdout, _) = Cli.Run(["labs", "list", "--json"]);
        var stacks = JsonNode.Parse(stdout)!.AsArray().Select(l => (string)l!["stack"]!).ToList();
        Assert.Equal(["demo", "gcp-mimic-iv-3-1", "mimic-iii-demo", "mimic-iv-3-1", "mimic-iv-ed-demo"], stacks);
        Assert.True(code is 0 or LabsCommands.ExpiredExit);
    }

    [Fact]
    public void NewWritesAValidCommentedStackAndNeverOverwrites()
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            string[] args = ["labs", "new", "--stack", "jdoe-sepsis", "--release", "mimic-iv-3.1", "--researcher", "jdoe", "--study", "sepsis",
                "--expires", "2099-06-30", "--module", "hosp", "--module", "icu", "--aws-account", "012345678901", "--aws-profile", "researcher-a",
                "--source-uri", "s3://jdoe-mimic/mimiciv/3.1/", "--researcher-arn", "arn:aws:iam::012345678901:user/jdoe", "--stacks-dir", dir];
            var (code, stdout, stderr) = Cli.Run(args);
            Assert.Equal("", stderr);
            Assert.Equal(0, code);
            var file = Path.Combine(dir, "Pulumi.jdoe-sepsis.yaml");
            var text = File.ReadAllText(file);
            Assert.StartsWith("# MIMIC lab of researcher jdoe", text);
            Assert.Contains("mimic-infra:awsAccountId: \"012345678901\"", text);
            Assert.Contains("mimic-infra:researcherPrincipalArn: \"arn:aws:iam::012345678901:user/jdoe\"", text);
            // The same program `compile` prints for it, with the profile and account on the provider.
            var (cc, program, _) = Cli.Run(["compile", "--stack", "jdoe-sepsis", "--stacks-dir", dir]);
            Assert.Equal(0, cc);
            Assert.Contains("profile: ${aws:profile}", program);
            Assert.Contains("- \"012345678901\"", program);

            var (again, _, err) = Cli.Run(args);
            Assert.Equal(2, again);
            Assert.Contains("never overwrites", err);
            Assert.Equal(text, File.ReadAllText(file));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NewRefusesAnInvalidLabAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            var (code, _, stderr) = Cli.Run(["labs", "new", "--stack", "x", "--release", "mimic-iv-3.1", "--researcher", "jdoe", "--study", "s",
                "--expires", "2099-01-01", "--aws-account", "12", "--stacks-dir", dir]);
            Assert.Equal(2, code);
            Assert.Contains("mimic-infra:awsAccountId: '12' is not an AWS account id", stderr);
            Assert.Contains("mimic-infra:sourceUri", stderr);   // credentialed: needs the researcher's copy
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NewRefusesAStackNameThatIsAPath()
    {
        var (code, _, stderr) = Cli.Run(["labs", "new", "--stack", "../evil", "--release", "mimic-iv-demo-2.2", "--researcher", "r", "--study", "s", "--expires", "2099-01-01"]);
        Assert.Equal(2, code);
        Assert.Contains("--stack '../evil' is not a stack name", stderr);
    }

    [Fact]
    public void WrittenValuesAreAlwaysQuotedStrings()
    {
        var text = StackFileWriter.Write(new NewLab("s", "mimic-iv-demo-2.2", "r", "1e3", new DateOnly(2099, 1, 1), [], true, "012345678901", null, null, null, false, null, []));
        Assert.Contains("mimic-infra:study: \"1e3\"", text);
        Assert.Contains("mimic-infra:expires: \"2099-01-01\"", text);
    }
}
