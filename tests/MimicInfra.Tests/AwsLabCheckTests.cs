using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class AwsLabCheckTests(ITestOutputHelper output)
{
    public static TheoryData<string> Stacks => new() { "demo", "full31", "csv31", "full31-sse-s3-kept", "iii-demo", "ed-demo" };

    private static StackConfig Stack(string name) => name switch
    {
        "demo" => Labs.Demo,
        "full31" => Labs.Full31(),
        "csv31" => Labs.Csv31(),
        "full31-sse-s3-kept" => Labs.Full31(("resultsEncryption", "s3"), ("keepResultsOnDestroy", "true")),
        "iii-demo" => Labs.Config("iii", [.. Labs.Basics, ("release", "mimic-iii-demo-1.4"), ("modules", "[\"clinical\"]")]),
        "ed-demo" => Labs.Config("ed", [.. Labs.Basics, ("release", "mimic-iv-ed-demo-2.2"), ("aws:region", "eu-west-1")]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void ProgramConformsToTheProviderSchemas(string stack)
    {
        var schemas = Labs.Schemas();
        var report = new ProgramChecker(schemas).Check(Labs.Compile(Stack(stack)));
        output.WriteLine($"{stack}: {report.Resources} resources, {report.References} references");
        foreach (var (type, n) in report.ResourcesByType) output.WriteLine($"  {n,4} {type}");
        Assert.Empty(report.Problems);
        Assert.True(report.Resources > 10);
    }

    [Fact]
    public void ResourceCountsFollowTheCatalog()
    {
        var demo = new ParsedProgram(Labs.Compile(Labs.Demo));
        // 31 tables x (typed Parquet table, import table) + provider, key, alias, 2 buckets x 6 resources and the data bucket's versioning,
        // 2 databases, 2 workgroups, import script + notebook: role, role policy, example notebook, lifecycle configuration, instance
        // + expiry stop: role, role policy, 3 schedules (workgroup, import workgroup, notebook), the notebook's stop state machine, its role and policy
        Assert.Equal(31 * 2 + 1 + 2 + 12 + 1 + 2 + 2 + 1 + 5 + 5 + 3, demo.Resources.Count());
        // A credentialed release adds its audit trail (auditTrail lab by default): the trail and its bucket's 6 resources, its versioning and Object Lock;
        // and its notebook is in the lab's own VPC: VPC, its default security group, subnet, route table and association,
        // 2 security groups and 3 rules, the S3 gateway and 4 interface endpoints; its DNS Firewall: 2 domain lists, the rule
        // group, 2 rules and the association.
        const int labVpc = 5 + 2 + 3 + 1 + 4 + 6;
        var full = new ParsedProgram(Labs.Compile(Labs.Full31()));
        Assert.Equal(41 * 2 + 1 + 2 + 12 + 1 + 2 + 2 + 1 + 5 + 5 + 3 + 9 + labVpc, full.Resources.Count());
        Assert.Equal(41L, Convert.ToInt64(full.Outputs["tableCount"]));
        // Read in place: one Parquet table per catalog table, one bucket, one database and workgroup, no import.
        var inPlace = new ParsedProgram(Labs.Compile(Labs.Full31(("sourceInPlace", "true"))));
        Assert.Equal(41 + 1 + 2 + 6 + 1 + 1 + 5 + 4 + 3 + 9 + labVpc, inPlace.Resources.Count());
    }

    [Fact]
    public void CheckCommandNamesEveryResourceTypeAndPasses()
    {
        // The schemas built into the program: `check` needs nothing outside the repository.
        var (code, stdout, stderr) = Cli.Run(["check", "--stack", "demo"]);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("stack demo: 96 resources", stdout);
        Assert.EndsWith("ok: no problems\n", stdout);
    }

    [Fact]
    public void CheckCommandFailsOnABrokenProgram()
    {
        var file = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, Labs.Compile(Labs.Demo).Replace("enableKeyRotation: true", "enableKeyRotation: \"yes\""));
        try
        {
            var (code, _, stderr) = Cli.Run(["check", "--file", file]);
            Assert.Equal(1, code);
            Assert.Contains("problem: labKey.enableKeyRotation: string 'yes' is not assignable to boolean", stderr);
        }
        finally { File.Delete(file); }
    }
}
