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
        // The demo: 31 tables of PhysioNet's open CSV files, imported into the lab's own typed copy; a notebook; open data, so no audit trail.
        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["AwsLab"] = 1,                         // the provider
            ["LabKey"] = 2,                         // key, alias
            ["GlueCatalog"] = 1 + 31,               // the lab database, a typed Parquet table per table
            ["LabWorkgroup"] = 1,
            ["ResultsBucket"] = 6,                  // bucket, public access block, ownership, encryption, TLS-only policy, lifecycle
            ["DataBucket"] = 6 + 1,                 // the same six, and versioning
            ["LabImport"] = 1 + 31 + 1 + 1,         // import database, an import table per table, import workgroup, import script
            ["ResearcherWorkspace"] = 5,            // role, role policy, example notebook, lifecycle configuration, instance
            ["AwsExpiryStop"] = 2 + 3 + 3,          // role and policy; a schedule per workgroup (2) and for the notebook; the notebook's stop state machine, its role and policy
        }, ComponentCounts.Of(Labs.Demo));

        // A credentialed release adds its audit trail (auditTrail lab by default), and its notebook is in the lab's own VPC with its DNS Firewall.
        var full = Labs.Full31();
        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["AwsLab"] = 1,
            ["LabKey"] = 2,
            ["GlueCatalog"] = 1 + 41,
            ["LabWorkgroup"] = 1,
            ["ResultsBucket"] = 6,
            ["DataBucket"] = 6 + 1,
            ["LabImport"] = 1 + 41 + 1 + 1,
            ["LabAuditTrail"] = 1 + 6 + 1 + 1,      // the trail; its bucket's six resources, its versioning and Object Lock
            ["LabNetwork"] = 5 + 2 + 3 + 1 + 4,     // VPC, its default security group, subnet, route table and association; 2 security groups and 3 rules; the S3 gateway; 4 interface endpoints
            ["LabDnsFirewall"] = 2 + 1 + 2 + 1,     // 2 domain lists, the rule group, 2 rules, the association
            ["ResearcherWorkspace"] = 5,
            ["AwsExpiryStop"] = 2 + 3 + 3,
        }, ComponentCounts.Of(full));
        Assert.Equal(41L, Convert.ToInt64(new ParsedProgram(Labs.Compile(full)).Outputs["tableCount"]));

        // Read in place: one Parquet table per catalog table, no data bucket, no import, so one workgroup fewer to stop.
        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["AwsLab"] = 1,
            ["LabKey"] = 2,
            ["GlueCatalog"] = 1 + 41,
            ["LabWorkgroup"] = 1,
            ["ResultsBucket"] = 6,
            ["LabAuditTrail"] = 1 + 6 + 1 + 1,
            ["LabNetwork"] = 5 + 2 + 3 + 1 + 4,
            ["LabDnsFirewall"] = 2 + 1 + 2 + 1,
            ["ResearcherWorkspace"] = 5,
            ["AwsExpiryStop"] = 2 + 2 + 3,
        }, ComponentCounts.Of(Labs.Full31(("sourceInPlace", "true"))));
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
