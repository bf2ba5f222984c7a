using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public partial class StackSettingsTests
{
    /// <summary>A valid stack file of the open demo, which the malformed cases start from.</summary>
    internal const string Demo = """
        config:
          aws:region: us-east-1
          mimic-infra:release: mimic-iv-demo-2.2
          mimic-infra:researcher: jdoe
          mimic-infra:study: demo
          mimic-infra:expires: "2027-06-30"

        """;

    /// <summary>Writes a stack file and compiles it through the command line, as a user would.</summary>
    private static (int Code, string Out, string Err) CompileFile(string text)
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.t.yaml"), text);
            return Cli.Run(["compile", "--stack", "t", "--stacks-dir", dir]);
        }
        finally { Directory.Delete(dir, true); }
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "unknown release", Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-9.9"), "mimic-infra:release: unknown release 'mimic-iv-9.9'. Known releases: mimic-iii-1.4," },
        { "missing release", Demo.Replace("  mimic-infra:release: mimic-iv-demo-2.2\n", ""), "mimic-infra:release: required. Set it with `pulumi config set release mimic-iv-demo-2.2`." },
        { "missing researcher", Demo.Replace("  mimic-infra:researcher: jdoe\n", ""), "mimic-infra:researcher: required." },
        { "bad researcher", Demo.Replace("researcher: jdoe", "researcher: \"j doe!\""), "mimic-infra:researcher: 'j doe!' must be 1-64 letters, digits or . _ @ + -" },
        { "bad study", Demo.Replace("study: demo", "study: \"-demo\""), "mimic-infra:study: '-demo' must be 1-64 letters" },
        { "bad date", Demo.Replace("\"2027-06-30\"", "\"30/06/2027\""), "mimic-infra:expires: '30/06/2027' is not a date; write it as YYYY-MM-DD." },
        { "impossible date", Demo.Replace("\"2027-06-30\"", "\"2027-02-30\""), "mimic-infra:expires: '2027-02-30' is not a date" },
        { "unknown module", Demo + "  mimic-infra:modules: [hosp, ed]\n", "mimic-infra:modules: release mimic-iv-demo-2.2 has no module 'ed'; it has hosp, icu, derived." },
        { "empty modules", Demo + "  mimic-infra:modules: []\n", "mimic-infra:modules: the list is empty" },
        { "modules not a list", Demo + "  mimic-infra:modules: hosp\n", "mimic-infra:modules: 'hosp' is not a list of strings" },
        { "unknown setting", Demo + "  mimic-infra:reseacher: x\n", "mimic-infra:reseacher: unknown setting. Did you mean mimic-infra:researcher?" },
        { "unnamespaced key", Demo + "  study2: x\n", "study2: config keys are namespaced; write it as mimic-infra:study2." },
        { "bad region", Demo.Replace("aws:region: us-east-1", "aws:region: useast1"), "aws:region: 'useast1' is not an AWS region name" },
        { "bad layout", Demo + "  mimic-infra:sourceLayout: csv\n", "mimic-infra:sourceLayout: 'csv' must be physionet-csv (PhysioNet's CSV files as published), physionet-parquet" },
        { "bad source uri", Demo + "  mimic-infra:sourceUri: https://example.org/data\n", "mimic-infra:sourceUri: 'https://example.org/data' must be an s3:// folder ending in '/'" },
        { "credentialed without source", Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1"), "mimic-infra:sourceUri: release mimic-iv-3.1 module hosp is credentialed; set sourceUri" },
        { "parquet without source", Demo + "  mimic-infra:sourceLayout: table-parquet\n", "mimic-infra:sourceUri: table-parquet needs your own Parquet copy" },
        { "cutoff too small", Demo + "  mimic-infra:athenaBytesScannedCutoff: 1000\n", "mimic-infra:athenaBytesScannedCutoff: 1000 is out of range; use 10000000.." },
        { "cutoff not a number", Demo + "  mimic-infra:athenaBytesScannedCutoff: lots\n", "mimic-infra:athenaBytesScannedCutoff: 'lots' is not a whole number; write digits only" },
        { "retention out of range", Demo + "  mimic-infra:resultsRetentionDays: 0\n", "mimic-infra:resultsRetentionDays: 0 is out of range; use 1..3650." },
        { "bad boolean", Demo + "  mimic-infra:keepResultsOnDestroy: maybe\n", "mimic-infra:keepResultsOnDestroy: 'maybe' is not true or false." },
        { "bad encryption", Demo + "  mimic-infra:resultsEncryption: none\n", "mimic-infra:resultsEncryption: 'none' must be kms or s3." },
        { "bad tag", Demo + "  mimic-infra:tags: [\"cost center\"]\n", "mimic-infra:tags: 'cost center' must be key=value" },
        { "reserved tag", Demo + "  mimic-infra:tags: [lab=x]\n", "mimic-infra:tags: 'lab' is set by the lab itself" },
        { "aws prefix tag", Demo + "  mimic-infra:tags: [\"aws:x=y\"]\n", "mimic-infra:tags: 'aws:x=y' must be key=value" },
        { "bad module source", Demo + "  mimic-infra:moduleSources: [\"ed=s3://x/\"]\n", "mimic-infra:moduleSources: 'ed=s3://x/' names no module of this lab" },
        { "yaml syntax", Demo + "  mimic-infra:tags: [a\n", "Pulumi.t.yaml: line" },
        { "not a mapping", "- just\n- a list\n", "a stack file is a mapping with a 'config:' key" },
        { "unknown top-level key", "settings:\n  a: b\n", "unknown top-level key 'settings'" },
        { "secret lab setting", Demo.Replace("mimic-infra:study: demo", "mimic-infra:study:\n    secure: AAABAK=="), "mimic-infra:study: is a secret, but lab settings go into resource names" },
        { "expired", Demo.Replace("2027-06-30", "2020-01-01"), "mimic-infra:expires: the lab expired on 2020-01-01" },
        { "placeholder", Demo.Replace("researcher: jdoe", "researcher: REPLACE"), "mimic-infra:researcher: 'REPLACE' still holds the example's placeholder REPLACE" },
        { "provider key typo", Demo + "  aws:profle: researcher-a\n", "aws:profle: not a setting of the aws provider; did you mean aws:profile?" },
        { "account id", Demo + "  mimic-infra:awsAccountId: \"1234\"\n", "mimic-infra:awsAccountId: '1234' is not an AWS account id" },
        { "access point uri malformed", Demo + "  mimic-infra:sourceUri: s3://arn:aws:s3:us-east-1:72466594583:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/\n",
            "mimic-infra:sourceUri: 's3://arn:aws:s3:us-east-1:72466594583:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/' must be an access-point URI as PhysioNet shows it" },
        { "access point in another region", Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1").Replace("us-east-1", "eu-west-1") +
            "  mimic-infra:modules: [hosp]\n  mimic-infra:sourceUri: s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/\n",
            "aws:region: 'eu-west-1' differs from the region of the access point of module hosp (us-east-1); S3 copies through an access point only within its region. Set aws:region to us-east-1." },
        { "wildcard in source", Demo + "  mimic-infra:sourceUri: s3://bucket/*/\n", "mimic-infra:sourceUri: 's3://bucket/*/' holds $, {, }, * or ?, which Pulumi would read as an interpolation or IAM as a wildcard" },
        { "bucket name too short", Demo + "  mimic-infra:sourceUri: s3://b/mimiciv/3.1/\n", "mimic-infra:sourceUri: 's3://b/mimiciv/3.1/' names the bucket 'b', which is not an S3 bucket name (3-63 lower-case letters" },
        { "bucket name upper case", Demo + "  mimic-infra:sourceUri: s3://My-Copy/mimiciv/3.1/\n", "names the bucket 'My-Copy', which is not an S3 bucket name" },
        { "interpolation in source", Demo + "  mimic-infra:moduleSources: [\"hosp=s3://b/${labKey.arn}/\"]\n", "mimic-infra:moduleSources: 's3://b/${labKey.arn}/' holds $, {, }, * or ?" },
        { "no parquet copy of 3.1", Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1") + "  mimic-infra:sourceLayout: physionet-parquet\n",
            "mimic-infra:sourceLayout: PhysioNet publishes no Parquet copy of mimic-iv-3.1 (copies exist for mimic-iv-2.2, mimic-iii-1.4); use physionet-csv." },
        { "module not in parquet copy", Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-2.2") + "  mimic-infra:sourceLayout: physionet-parquet\n",
            "mimic-infra:modules: PhysioNet's Parquet copy of mimic-iv-2.2 has no module ed; list only hosp, icu, or use physionet-csv." },
        { "in place from physionet", Demo + "  mimic-infra:sourceInPlace: true\n",
            "mimic-infra:sourceInPlace: only your own table-parquet copy, already in the catalog's types, can be read in place" },
        { "in place behind access point", Demo + "  mimic-infra:sourceLayout: table-parquet\n  mimic-infra:sourceInPlace: true\n  mimic-infra:sourceUri: s3://arn:aws:s3:us-east-1:724665945834:accesspoint/copy/mimic/\n",
            "mimic-infra:sourceInPlace: module hosp is behind an access point ARN, which a Glue table cannot name as its location" },
        { "interpolation in an e-mail", Demo + "  mimic-infra:budgetMonthlyUsd: 10\n  mimic-infra:budgetEmails: [\"x${labKey.arn}@example.org\"]\n", "mimic-infra:budgetEmails: 'x${labKey.arn}@example.org' is not an e-mail address." },
        { "import cutoff too small", Demo + "  mimic-infra:importBytesScannedCutoff: 5\n", "mimic-infra:importBytesScannedCutoff: 5 is out of range; use 10000000.." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedStackIsRejectedWithItsKeyAndFixBeforeAnythingIsEmitted(string what, string stackFile, string expected)
    {
        var (code, stdout, stderr) = CompileFile(stackFile);
        Assert.True(code == 2, $"{what}: exit {code}, stderr {stderr}");
        Assert.Equal("", stdout);   // nothing half-made
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void AllProblemsAreReportedTogether()
    {
        var (_, _, stderr) = CompileFile(Demo.Replace("researcher: jdoe", "researcher: \"!\"").Replace("study: demo", "study: \"?\"") + "  mimic-infra:resultsRetentionDays: 0\n");
        Assert.Contains("has 3 problem(s)", stderr);
    }

    [Fact]
    public void MissingStackFileNamesThePath()
    {
        var (code, _, stderr) = Cli.Run(["compile", "--stack", "no-such-stack"]);
        Assert.Equal(2, code);
        Assert.Contains("no stack file", stderr);
        Assert.Contains("Pulumi.no-such-stack.yaml", stderr);
    }

    [Fact]
    public void ValidStackCompiles()
    {
        var (code, stdout, stderr) = CompileFile(Demo);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.StartsWith("name: mimic-infra\n", stdout);
    }

    [Fact]
    public void ThousandRandomResearchersGetLegalUniqueNames()
    {
        var random = new Random(20261122);
        const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-";
        var names = new HashSet<string>();
        var ids = new HashSet<string>();
        while (ids.Count < 1000)
        {
            var length = random.Next(1, 65);
            var id = "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)] + new string(Enumerable.Range(1, length - 1).Select(_ => chars[random.Next(chars.Length)]).ToArray());
            if (!ids.Add(id)) continue;
            var settings = LabSettingsReader.Read(Labs.Config("prod", ("release", "mimic-iv-demo-2.2"), ("researcher", id), ("study", "study-1"), ("expires", "2027-01-01")), Labs.Catalog);
            var n = settings.Names;
            Assert.Matches(BucketPrefix(), n.BucketPrefix);
            Assert.Matches(GlueName(), n.Database);
            Assert.Matches(BucketPrefix(), n.DataBucketPrefix);
            Assert.NotEqual(n.BucketPrefix, n.DataBucketPrefix);
            Assert.Matches(GlueName(), n.ImportDatabase);
            Assert.Matches(Workgroup(), n.Workgroup);
            Assert.Matches(Workgroup(), n.ImportWorkgroup);
            Assert.Matches(KmsAlias(), n.KmsAlias);
            Assert.True(names.Add(n.Lab), $"lab name {n.Lab} repeats for researcher {id}");
        }
        // The same researcher and study in another stack is another lab.
        Assert.NotEqual(LabNames.For("dev", "jdoe", "s").Lab, LabNames.For("prod", "jdoe", "s").Lab);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,36}$")]
    private static partial Regex BucketPrefix();

    [GeneratedRegex("^[a-z0-9_]{1,255}$")]
    private static partial Regex GlueName();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex Workgroup();

    [GeneratedRegex("^alias/[A-Za-z0-9/_-]{1,250}$")]
    private static partial Regex KmsAlias();
}
