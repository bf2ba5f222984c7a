using MimicInfra.Fleet;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

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
