using MimicInfra.Fleet;

namespace MimicInfra.Tests;

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
