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

    private static (int Code, string Out, string Err) ListIn(Dictionary<string, string> files, DateOnly today, bool json, int? width = null, bool examples = false)
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, $"Pulumi.{name}.yaml"), text);
            var (o, e) = (new StringWriter { NewLine = "\n" }, new StringWriter { NewLine = "\n" });
            var code = LabsCommands.List(new MimicInfra.Cli.Console(o, e), dir, json, today, width, examples);
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
    public void ALabWithNeitherCloudSideIsListedAsLocal()
    {
        var files = new Dictionary<string, string> { ["mine"] = Stack("2027-06-30", "  mimic-infra:aws: false"), ["cloud"] = Stack("2027-06-30") };
        var (code, stdout, _) = ListIn(files, new DateOnly(2026, 12, 1), json: true);
        Assert.Equal(0, code);
        var clouds = JsonNode.Parse(stdout)!.AsArray().ToDictionary(l => (string)l!["stack"]!, l => string.Join(",", l!["clouds"]!.AsArray().Select(c => (string)c!)));
        Assert.Equal("local", clouds["mine"]);
        Assert.Equal("aws", clouds["cloud"]);
    }

    [Fact]
    public void ListLeavesExampleStacksOutUnlessAsked()
    {
        var files = new Dictionary<string, string>
        {
            ["example"] = ExampleStacks.Marker + "   (an example)\n# more comments\n" + Stack("2027-06-30"),
            ["lab"] = Stack("2027-06-30"),
            ["not-marked"] = "# a lab whose comments mention mimic-infra:example later\n" + Stack("2027-06-30"),
        };
        var (_, stdout, _) = ListIn(files, new DateOnly(2026, 12, 1), json: true);
        Assert.Equal(["lab", "not-marked"], JsonNode.Parse(stdout)!.AsArray().Select(l => (string)l!["stack"]!));
        var (_, text, _) = ListIn(files, new DateOnly(2026, 12, 1), json: false);
        Assert.Contains("2 lab(s): 2 active, 0 expiring within 14 days, 0 expired, 0 with problems; 1 example stack(s) not listed (--examples lists them).", text);
        var (_, all, _) = ListIn(files, new DateOnly(2026, 12, 1), json: true, examples: true);
        Assert.Equal(["example", "lab", "not-marked"], JsonNode.Parse(all)!.AsArray().Select(l => (string)l!["stack"]!));
        Assert.Equal([true, false, false], JsonNode.Parse(all)!.AsArray().Select(l => (bool)l!["example"]!));
    }

    [Fact]
    public void TheShippedExampleStacksAreMarkedAsExamples()
    {
        foreach (var name in new[] { "demo", "mimic-iv-3-1", "gcp-mimic-iv-3-1", "mimic-iii-demo", "mimic-iv-ed-demo" })
            Assert.True(ExampleStacks.IsExample(File.ReadAllText(Path.Combine(Shared.RepoRoot, "stacks", $"Pulumi.{name}.yaml"))), name);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(30)]
    [InlineData(12)]
    public void ListFitsTheWidthWithoutBreakingAWord(int width)
    {
        var files = new Dictionary<string, string>
        {
            ["a-long-stack-name-for-a-researcher"] = Stack("2027-06-30", "  mimic-infra:awsAccountId: \"012345678901\""),
            ["soon"] = Stack("2026-12-10"),
            ["broken"] = Stack("2027-06-30", "  mimic-infra:sourceUri: s3://replace-me/"),
        };
        var (_, text, _) = ListIn(files, new DateOnly(2026, 12, 1), json: false, width: width);
        var lines = text.TrimEnd('\n').Split('\n');
        // A line is longer than the width only when it is one word that is longer.
        foreach (var line in lines)
            Assert.True(line.Length <= width || !line.Trim().Contains(' '), $"{line.Length} > {width}: {line}");
        // Every word of every value is whole on some line: nothing is cut or hyphenated.
        var words = lines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        foreach (var word in new[] { "a-long-stack-name-for-a-researcher", "soon", "broken", "active", "problems", "lab(s):" })
            Assert.Contains(word, words);
        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
    }

    [Fact]
    public void ListWithoutAWidthIsOneLinePerLabForPipes()
    {
        var files = new Dictionary<string, string> { ["a"] = Stack("2027-06-30"), ["b"] = Stack("2027-06-30") };
        var (_, text, _) = ListIn(files, new DateOnly(2026, 12, 1), json: false, width: null);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);   // header, rule, two labs, summary
        Assert.StartsWith("a ", lines[2]);
        Assert.Contains("mimic-iv-demo-2.2", lines[2]);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact]
    public void ListTakesItsWidthFromColumns()
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.a.yaml"), Stack("2099-06-30"));
            var (_, narrow, _) = Cli.Run(["labs", "list", "--stacks-dir", dir], k => k == "COLUMNS" ? "40" : null);
            var (_, wide, _) = Cli.Run(["labs", "list", "--stacks-dir", dir], k => k == "COLUMNS" ? "300" : null);
            Assert.DoesNotContain("researcher", narrow.Split('\n')[0]);
            Assert.Contains("researcher", wide.Split('\n')[0]);
            Assert.All(narrow.TrimEnd('\n').Split('\n'), l => Assert.True(l.Length <= 40, l));
        }
        finally { Directory.Delete(dir, true); }
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
            // Said in the flags typed, all at once: the reader's own problems too, never a stack key.
            Assert.Contains("--aws-account: '12' is not an AWS account id", stderr);
            Assert.Contains("--source-uri is required for mimic-iv-3.1 on AWS", stderr);
            Assert.Contains("--researcher-arn is required for mimic-iv-3.1 on AWS", stderr);
            Assert.DoesNotContain("mimic-infra:", stderr);
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

    private static (int Code, string Out, string Err, string? File) New(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("fleet-").FullName;
        try
        {
            var (code, stdout, stderr) = Cli.Run(["labs", "new", "--stack", "n", "--researcher", "jdoe", "--study", "sepsis", "--expires", "2099-06-30", .. args, "--stacks-dir", dir]);
            var file = Path.Combine(dir, "Pulumi.n.yaml");
            var text = File.Exists(file) ? File.ReadAllText(file) : null;
            if (code == 0)
            {
                // What labs new writes, compile and check take as it is.
                foreach (var command in new[] { "compile", "check" })
                {
                    var (cc, _, err) = Cli.Run([command, "--stack", "n", "--stacks-dir", dir]);
                    Assert.True(cc == 0, $"{command}: {err}");
                }
            }
            else Assert.Empty(Directory.GetFiles(dir));
            return (code, stdout, stderr, text);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Releases whose every module an AWS lab imports from PhysioNet's CSV files alone, or not at all.</summary>
    public static TheoryData<string> Releases => [.. Labs.Catalog.ReleaseIds];

    [Theory]
    [MemberData(nameof(Releases))]
    public void DefaultModulesAreThoseTheLabCanBuild(string release)
    {
        var (code, stdout, stderr, text) = New("--release", release, "--aws-account", "012345678901", "--source-uri", "s3://jdoe-mimic-copy/mimiciv/3.1/",
            "--researcher-arn", "arn:aws:iam::012345678901:user/jdoe");
        var r = Labs.Catalog.Find(release)!;
        var importable = r.Modules.Where(m => !m.IsDerived && MimicInfra.Sources.Importable.CanImport(MimicInfra.Sources.SourceLayout.PhysionetCsv, m)
                                              && !MimicInfra.Sources.ModuleSources.IsFromAnotherProject(r, m)).Select(m => m.Name).ToList();
        if (importable.Count == 0)
        {
            // Nothing to import from CSV (MIMIC-IV-Note): said in flags, nothing written.
            Assert.Equal(2, code);
            Assert.Contains("--gcp-project", stderr);
            Assert.DoesNotContain("mimic-infra:", stderr);
            return;
        }
        Assert.True(code == 0, stderr);
        Assert.Contains($"mimic-infra:modules: [{string.Join(",", importable.Select(m => $"\"{m}\""))}]", text);
        foreach (var m in r.Modules.Where(m => !importable.Contains(m.Name)))
            Assert.Contains($"left out {m.Name}: ", stdout);
    }

    [Fact]
    public void AModuleOfAnotherProjectGetsItsOwnSource()
    {
        const string ed = "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/mimic-iv-ed/2.2/ed/";
        var (code, stdout, stderr, text) = New("--release", "mimic-iv-3.1", "--source-uri", Labs.AccessPoint31, "--module-source", $"ed={ed}",
            "--researcher-arn", Labs.ResearcherArn);
        Assert.True(code == 0, stderr);
        Assert.Contains($"mimic-infra:moduleSources: [\"ed={ed}\"]", text);
        Assert.Contains("mimic-infra:modules: [\"hosp\",\"icu\",\"ed\"]", text);
        Assert.Contains("left out note: ", stdout);
    }

    [Theory]
    [InlineData(new[] { "--module", "hosp", "--module", "ed" }, "--module-source: module ed's files come from PhysioNet project mimic-iv-ed 2.2", "`--module-source ed=s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/mimic-iv-ed/2.2/ed/`")]
    [InlineData(new[] { "--module-source", "ed=s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/ed/" }, "--module-source: ", "access point of project mimiciv 3.1, but module ed's files come from project mimic-iv-ed 2.2")]
    [InlineData(new[] { "--module", "note" }, "--module-source: module note's files come from PhysioNet project mimic-iv-note 2.2", "`--module-source note=s3://arn:aws:s3:us-east-1:ACCOUNT:accesspoint/NAME/mimic-iv-note/2.2/note/`")]
    [InlineData(new[] { "--module", "nope" }, "--module 'nope': release mimic-iv-3.1 has no such module", "--module hosp --module icu")]
    [InlineData(new[] { "--module-source", "ed" }, "--module-source 'ed' must be MODULE=URI", "--module-source ed=s3://")]
    [InlineData(new[] { "--module-source", "ed=s3://x" }, "--module-source ed='s3://x': the URI", "s3://")]
    [InlineData(new[] { "--aws-region", "us-west-2" }, "--aws-region: 'us-west-2' differs from the region of the access point", "Set --aws-region to us-east-1.")]
    [InlineData(new[] { "--aws-region", "mars" }, "--aws-region: 'mars' is not an AWS region name", "")]
    [InlineData(new[] { "--module", "hosp", "--module-source", "icu=s3://my-copy/icu/" }, "--module-source icu=...: the lab leaves module icu out; add --module icu", "")]
    public void ProblemsAreSaidInTheFlagsTyped(string[] extra, string expected, string fix)
    {
        var (code, stdout, stderr, _) = New(["--release", "mimic-iv-3.1", "--source-uri", Labs.AccessPoint31, "--researcher-arn", Labs.ResearcherArn, .. extra]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("nothing written", stderr);
        Assert.Contains(expected, stderr);
        Assert.Contains(fix, stderr);
        foreach (var key in new[] { "mimic-infra:", "researcherPrincipalArn", "sourceUri", "moduleSources", "pulumi config" })
            Assert.DoesNotContain(key, stderr);
    }

    [Fact]
    public void AnUnknownReleaseNamesTheFlagAndTheChoices()
    {
        var (code, _, stderr, _) = New("--release", "mimic-v-9");
        Assert.Equal(2, code);
        Assert.Contains("--release 'mimic-v-9' is not a release of the catalog; pick one of", stderr);
        Assert.Contains("mimic-iv-3.1", stderr);
    }
}
