using System.Diagnostics;
using System.Text;

namespace MimicInfra.Tests;

/// <summary>
/// Malformed and hostile stack files and compiler environments, as a new user or an attacker would write
/// them: every one ends with exit code 2, one clear message on stderr that names the problem (and its
/// place or key), nothing on stdout, no stack trace, and a message of bounded size.
/// </summary>
public class HostileInputTests
{
    private const string Valid = StackSettingsTests.Demo;

    private static string With(string line) => Valid + "  " + line + "\n";

    /// <summary>The classic "billion laughs": each level repeats the previous one nine times.</summary>
    public static string AliasBomb(int levels, string key = "mimic-infra:tags")
    {
        var sb = new StringBuilder("config:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < levels; i++)
            sb.Append($"  a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        sb.Append($"  {key}: [{string.Join(",", Enumerable.Repeat($"*a{levels - 1}", 9))}]\n");
        return sb.ToString();
    }

    private static string Nested(int depth) => "config:\n  mimic-infra:tags: " + new string('[', depth) + new string(']', depth) + "\n";

    /// <summary>(what, stack file bytes, text stderr must contain).</summary>
    public static IEnumerable<(string What, byte[] File, string Expected)> Corpus()
    {
        IEnumerable<(string, string, string)> text =
        [
            // YAML syntax: every error located, never a parser stack trace.
            ("unclosed [ then key", "config:\n  mimic-infra:tags: [a\n  mimic-infra:study: x\n", "line 2, column"),
            ("unclosed [ at end", With("mimic-infra:tags: [a"), "Fix the YAML syntax"),
            ("unclosed {", With("mimic-infra:tags: {a: b"), "Fix the YAML syntax"),
            ("unclosed double quote", With("mimic-infra:notebookInstanceType: \"demo"), "Fix the YAML syntax"),
            ("unclosed single quote", With("mimic-infra:notebookInstanceType: 'demo"), "Fix the YAML syntax"),
            ("stray ]", With("mimic-infra:notebookInstanceType: demo]"), "'demo]' is not a SageMaker instance type"),
            ("stray ] in flow", With("mimic-infra:tags: [a]]"), "Fix the YAML syntax"),
            ("tab indentation", "config:\n\tmimic-infra:study: x\n", "found invalid tab as indentation"),
            ("bad indentation", "config:\n  mimic-infra:study: x\n mimic-infra:release: y\n", "line 3"),
            ("over-indented key", "config:\n  mimic-infra:study: x\n      mimic-infra:release: y\n", "line 3"),
            ("list item in a map", "config:\n  mimic-infra:study: x\n  - y\n", "line 3"),
            ("key: in plain value", With("mimic-infra:notebookInstanceType: a: b"), "line 7"),
            ("bad escape", With("mimic-infra:notebookInstanceType: \"\\q\""), "line 7"),
            ("unknown YAML version", "%YAML 9.9\n---\nconfig: {}\n", "line 1"),
            ("two documents", Valid + "---\nconfig: {}\n", "one YAML document"),
            ("text after end marker", Valid + "...\nfoo\n", "holds one YAML document"),
            ("bell character", With("mimic-infra:notebookInstanceType: a\u0007b"), "'a\\u0007b' is not a SageMaker instance type"),
            ("NUL byte", With("mimic-infra:notebookInstanceType: a\0b"), "contains NUL bytes"),
            ("flow map as key", "config:\n  {a: 1}: b\n", "a key must be a plain name"),
            ("list as key", "config:\n  ? [a, b]\n  : c\n", "a key must be a plain name"),
            ("only a colon", ":\n", "unknown top-level key ''"),
            ("unterminated block scalar indicator", With("mimic-infra:notebookInstanceType: |x"), "Fix the YAML syntax"),
            ("anchor without node then alias", "config:\n  a: &x\n  mimic-infra:study: *x\n", "aliases"),
            ("undefined alias", With("mimic-infra:notebookInstanceType: *nothing"), "line 7"),
            ("directive after content", Valid + "%TAG ! tag:x\n", "Fix the YAML syntax"),
            // Aliases and bombs: refused at the first alias, whatever key or depth.
            ("billion laughs, 9 levels, in tags", AliasBomb(9), "line 3, column 12: YAML aliases (*a0) are not allowed"),
            ("bomb, 6 levels, in tags", AliasBomb(6), "aliases"),
            ("bomb, 3 levels", AliasBomb(3), "aliases"),
            ("bomb in an unused provider key", AliasBomb(9, "aws:tags"), "aliases"),
            ("bomb in an unprefixed key", AliasBomb(9, "junk"), "aliases"),
            ("bomb in an unknown setting", AliasBomb(9, "mimic-infra:junk"), "aliases"),
            ("bomb at the top level", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nconfig: {}\n", "aliases"),
            ("merge key", "base: &base {mimic-infra:study: x}\nconfig:\n  <<: *base\n", "aliases"),
            ("alias to a scalar", With("x: &s demo") + "  mimic-infra:modules: [*s]\n", "aliases (*s)"),
            ("self-referencing anchor", "config:\n  a: &a [*a]\n", "line 2"),
            // Size and depth.
            ("nesting 17 deep", Nested(17), "nested more than 16 levels"),
            ("nesting 1000 deep", Nested(1000), "nested more than 16 levels"),
            ("nesting 100000 unclosed", "config:\n  mimic-infra:tags: " + new string('[', 100_000), "nested more than 16 levels"),
            ("maps 40 deep", "config:\n" + string.Concat(Enumerable.Range(1, 40).Select(i => new string(' ', 2 * i) + $"k{i}:\n")) + new string(' ', 82) + "v\n", "nested more than 16 levels"),
            ("60000 list items", With("mimic-infra:tags: [" + string.Join(",", Enumerable.Repeat("a", 60_000)) + "]"), "more than 50,000 values"),
            ("2 MB of comments", Valid + string.Concat(Enumerable.Repeat("# " + new string('x', 1000) + "\n", 2100)), "the most a stack file may be"),
            ("1.5 MB single line", With("mimic-infra:notebookInstanceType: " + new string('x', 1_500_000)), "the most a stack file may be"),
            ("10000-character value", With("mimic-infra:notebookInstanceType: " + new string('x', 10_000)), "(10,000 characters) is not a SageMaker instance type"),
            ("10000-character release", With("mimic-infra:sourceUri: s3://" + new string('b', 10_000)), "(10,005 characters)"),
            ("20000-character value", With("mimic-infra:notebookInstanceType: " + new string('y', 20_000)), "longer than any setting needs"),
            ("1000-character key", With(new string('k', 1000) + ": v"), "a config key of 1,000 characters"),
            ("1000-character unknown setting", With("mimic-infra:" + new string('k', 1000) + ": v"), "a config key of 1,012 characters"),
            ("10000-character tag", With("mimic-infra:tags: [\"" + new string('t', 10_000) + "\"]"), "(10,000 characters)"),
            // Duplicate keys.
            ("duplicate setting", With("mimic-infra:study: again"), "duplicate key 'mimic-infra:study' (first at line 5, column 3)"),
            ("duplicate config block", Valid + "config: {}\n", "duplicate key 'config'"),
            ("duplicate in flow map", With("x: {a: 1, a: 2}"), "duplicate key 'a'"),
            ("duplicate quoted and plain", With("\"mimic-infra:release\": mimic-iv-3.1"), "duplicate key 'mimic-infra:release'"),
            // Structure.
            ("root is a list", "- a\n- b\n", "a stack file is a mapping with a 'config:' key"),
            ("root is a scalar", "hello\n", "a stack file is a mapping"),
            ("root is a number", "42\n", "a stack file is a mapping"),
            ("config is a list", "config:\n  - a\n", "'config:' must be a mapping of settings"),
            ("config is a scalar", "config: hello\n", "'config:' must be a mapping of settings"),
            ("unknown top-level key", "settings:\n  a: b\n", "unknown top-level key 'settings'"),
            ("long unknown top-level key", new string('s', 1000) + ": 1\n", "(1,000 characters)"),
            ("secret", With("mimic-infra:study2:\n    secure: AAABAK=="), "is a secret"),
            ("empty config", "config: {}\n", "mimic-infra:release: required."),
            ("empty file", "", "mimic-infra:release: required."),
            ("comments only", "# nothing\n", "mimic-infra:release: required."),
            // Namespaces and names.
            ("no namespace", With("study2: x"), "study2: config keys are namespaced; write it as mimic-infra:study2."),
            ("wrong project prefix", Valid.Replace("mimic-infra:researcher", "mimicinfra:researcher"), "mimicinfra:researcher: 'mimicinfra' is not this project's namespace; write it as mimic-infra:researcher."),
            ("underscore prefix", Valid.Replace("mimic-infra:study", "mimic_infra:study"), "'mimic_infra' is not this project's namespace"),
            ("upper-case prefix", Valid.Replace("mimic-infra:study", "MIMIC-INFRA:study"), "'MIMIC-INFRA' is not this project's namespace"),
            ("setting under another namespace", With("myproject:notebook: false"), "'myproject' is not this project's namespace; write it as mimic-infra:notebook."),
            ("misspelt setting", With("mimic-infra:reseacher: x"), "Did you mean mimic-infra:researcher?"),
            // Numbers.
            ("negative retention", With("mimic-infra:resultsRetentionDays: -5"), "mimic-infra:resultsRetentionDays: -5 is out of range; use 1..3650."),
            ("1e29 cutoff", With("mimic-infra:athenaBytesScannedCutoff: 1e29"), "'1e29' is out of range; use a whole number in 10000000.."),
            ("huge integer", With("mimic-infra:notebookVolumeSizeGb: 99999999999999999999999"), "is out of range; use a whole number in 5..16384."),
            ("fraction", With("mimic-infra:notebookIdleMinutes: 2.5"), "'2.5' is not a whole number; use a whole number in 5..1440."),
            ("words for a number", With("mimic-infra:notebookIdleMinutes: lots"), "'lots' is not a whole number; write digits only"),
            ("hex number", With("mimic-infra:notebookIdleMinutes: 0x10"), "'0x10' is not a whole number"),
            ("infinity", With("mimic-infra:notebookIdleMinutes: .inf"), "'.inf' is not a whole number"),
            ("NaN", With("mimic-infra:resultsRetentionDays: NaN"), "'NaN' is not a whole number"),
            ("number as a list", With("mimic-infra:resultsRetentionDays: [1]"), "'[1]' is not a whole number"),
            ("zero budget", With("mimic-infra:budgetMonthlyUsd: 0"), "0 is out of range; use 1..1000000."),
            ("negative budget", With("mimic-infra:budgetMonthlyUsd: -100"), "-100 is out of range"),
            // Booleans.
            ("yes for a boolean", With("mimic-infra:notebook: yes"), "'yes' is not true or false."),
            ("1 for a boolean", With("mimic-infra:keepResultsOnDestroy: 1"), "'1' is not true or false."),
            ("list for a boolean", With("mimic-infra:gcp: [true]"), "'[true]' is not true or false."),
            // Lists: the error shows how `pulumi config set` sets them.
            ("modules as a string", With("mimic-infra:modules: hosp"), "`pulumi config set --path 'modules[0]' hosp`"),
            ("modules as comma text", With("mimic-infra:modules: \"hosp,icu\""), "is not a list of strings"),
            ("tags as a map", With("mimic-infra:tags: {a: b}"), "`pulumi config set --path 'tags[0]' cost-center=1234`"),
            ("list of lists", With("mimic-infra:modules: [[hosp]]"), "is not a list of strings"),
            ("list of numbers", With("mimic-infra:modules: [1, 2]"), "is not a list of strings"),
            ("empty modules", With("mimic-infra:modules: []"), "the list is empty"),
            ("unknown module", With("mimic-infra:modules: [hosp, ed]"), "has no module 'ed'"),
            // Values.
            ("unknown release", Valid.Replace("mimic-iv-demo-2.2", "mimic-iv-9.9"), "unknown release 'mimic-iv-9.9'"),
            ("release as a list", Valid.Replace("release: mimic-iv-demo-2.2", "release: [mimic-iv-demo-2.2]"), "unknown release '[\"mimic-iv-demo-2.2\"]'"),
            ("bad date", Valid.Replace("\"2027-06-30\"", "\"30/06/2027\""), "'30/06/2027' is not a date"),
            ("date as a map", Valid.Replace("\"2027-06-30\"", "{y: 2027}"), "is not a date"),
            ("bad researcher", Valid.Replace("researcher: jdoe", "researcher: \"j doe!\""), "'j doe!' must be 1-64 letters"),
            ("control character in study", Valid.Replace("study: demo", "study: \"de\\u0007mo\""), "'de\\u0007mo' must be"),
            ("bad region", Valid.Replace("aws:region: us-east-1", "aws:region: moon-1"), "aws:region: 'moon-1' is not an AWS region name"),
            ("parquet is not a layout", With("mimic-infra:sourceLayout: parquet"), "'parquet' must be physionet-csv (PhysioNet's CSV files as published), physionet-parquet"),
            ("bad source uri", With("mimic-infra:sourceUri: http://x/"), "must be an s3:// folder"),
            ("bad encryption", With("mimic-infra:resultsEncryption: none"), "'none' must be kms or s3."),
            ("bad tag", With("mimic-infra:tags: [\"cost center\"]"), "'cost center' must be key=value"),
            ("reserved tag", With("mimic-infra:tags: [lab=x]"), "'lab' is set by the lab itself"),
            ("bad instance type", With("mimic-infra:notebookInstanceType: t3.medium"), "'t3.medium' is not a SageMaker instance type"),
            ("vpc without subnet", With("mimic-infra:notebookNetwork: vpc"), "vpc needs notebookSubnetId"),
            ("bad e-mail", With("mimic-infra:budgetMonthlyUsd: 10") + "  mimic-infra:budgetEmails: [nobody]\n", "'nobody' is not an e-mail address."),
            ("gcp without project", With("mimic-infra:gcp: true"), "mimic-infra:gcpProject: required."),
            ("workbench without subnet", Valid.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1") + "  mimic-infra:aws: false\n  mimic-infra:gcp: true\n  mimic-infra:gcpProject: my-research-1\n" +
                "  mimic-infra:gcpMembers: [\"user:jdoe@example.org\"]\n  mimic-infra:gcpWorkbench: true\n  mimic-infra:gcpWorkbenchOwner: jdoe@example.org\n", "mimic-infra:gcpWorkbenchSubnet: required."),
            ("credentialed without source", Valid.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1"), "module hosp is credentialed; set sourceUri"),
        ];
        foreach (var (what, file, expected) in text) yield return (what, Encoding.UTF8.GetBytes(file), expected);
        // Bytes that are not UTF-8 text.
        yield return ("invalid UTF-8", [.. Encoding.UTF8.GetBytes(Valid), 0xC3, 0x28, (byte)'\n'], "is not UTF-8 text");
        yield return ("UTF-16 file", Encoding.Unicode.GetBytes(Valid), "contains NUL bytes");
        yield return ("encoded surrogate", [.. Encoding.UTF8.GetBytes("config:\n  mimic-infra:study: "), 0xED, 0xA0, 0x80, (byte)'\n'], "is not UTF-8 text");
        yield return ("binary junk", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray(), "Pulumi.t.yaml");
    }

    public static TheoryData<string> CorpusNames => [.. Corpus().Select(c => c.What)];

    internal static (int Code, string Out, string Err) CompileBytes(byte[] file)
    {
        var dir = Directory.CreateTempSubdirectory("hostile-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "Pulumi.t.yaml"), file);
            return Cli.Run(["compile", "--stack", "t", "--stacks-dir", dir]);
        }
        finally { Directory.Delete(dir, true); }
    }

    internal static void AssertCleanRefusal(string what, (int Code, string Out, string Err) run, string expected)
    {
        Assert.True(run.Code == 2, $"{what}: exit {run.Code}, stderr {run.Err[..Math.Min(run.Err.Length, 2000)]}");
        Assert.Equal("", run.Out);   // nothing half-made
        Assert.StartsWith("error: ", run.Err);
        Assert.Contains(expected, run.Err);
        Assert.DoesNotContain("   at ", run.Err);   // no stack trace
        Assert.DoesNotContain("Exception", run.Err);
        Assert.True(run.Err.Length < 3000, $"{what}: a {run.Err.Length:N0}-character message");
    }

    [Fact]
    public void TheCorpusHasAtLeast100MalformedStackFiles() => Assert.True(Corpus().Count() >= 100, $"{Corpus().Count()} files");

    [Theory]
    [MemberData(nameof(CorpusNames))]
    public void MalformedStackFileIsRefusedCleanly(string what)
    {
        var (_, file, expected) = Corpus().Single(c => c.What == what);
        AssertCleanRefusal(what, CompileBytes(file), expected);
    }

    /// <summary>(what, PULUMI_STACK, PULUMI_CONFIG, text stderr must contain).</summary>
    public static IEnumerable<(string What, string Stack, string? Config, string Expected)> Environments()
    {
        const string ok = "\"mimic-infra:release\":\"mimic-iv-demo-2.2\",\"mimic-infra:researcher\":\"jdoe\",\"mimic-infra:study\":\"demo\",\"mimic-infra:expires\":\"2027-06-30\"";
        return
        [
            ("config is an array", "dev", "[1,2]", "PULUMI_CONFIG is a JSON array, not a JSON object."),
            ("config is a string", "dev", "\"hello\"", "PULUMI_CONFIG is a JSON string, not a JSON object."),
            ("config is a number", "dev", "42", "PULUMI_CONFIG is a JSON number, not a JSON object."),
            ("config is null", "dev", "null", "PULUMI_CONFIG is a JSON null, not a JSON object."),
            ("config is empty", "dev", "", "PULUMI_CONFIG is empty, not a JSON object."),
            ("config is blank", "dev", "  \n ", "PULUMI_CONFIG is empty, not a JSON object."),
            ("config is cut off", "dev", "{" + ok, "PULUMI_CONFIG is not valid JSON at line 1"),
            ("config is YAML", "dev", "mimic-infra:release: x", "PULUMI_CONFIG is not valid JSON"),
            ("duplicate key", "dev", "{" + ok + ",\"mimic-infra:study\":\"again\"}", "PULUMI_CONFIG names the key 'mimic-infra:study' twice"),
            ("nested 10000 deep", "dev", "{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}", "PULUMI_CONFIG is not valid JSON"),
            ("2 MB config", "dev", "{\"a\":\"" + new string('x', 2_000_000) + "\"}", "PULUMI_CONFIG is 2,000,008 characters; at most 1,048,576."),
            ("lone surrogate", "dev", "{\"a\":\"\uD800\"}", "PULUMI_CONFIG is not valid Unicode text"),
            ("wrong project prefix", "dev", "{" + ok.Replace("mimic-infra:researcher", "mimicinfra:researcher") + "}", "'mimicinfra' is not this project's namespace; write it as mimic-infra:researcher."),
            ("10000-character value", "dev", "{" + ok.Replace("\"demo\"", $"\"{new string('d', 10_000)}\"") + "}", "(10,000 characters) must be 1-64 letters"),
            ("value is an object", "dev", "{" + ok.Replace("\"mimic-iv-demo-2.2\"", "{\"x\":1}") + "}", "unknown release '{\"x\":1}'"),
            ("stack name with a path", "../../etc", "{" + ok + "}", "PULUMI_STACK '../../etc' is not a stack name"),
            ("stack name with a shell command", "$(reboot)", "{" + ok + "}", "is not a stack name"),
            ("10000-character stack name", new string('s', 10_000), "{" + ok + "}", "(10,000 characters) is not a stack name"),
            ("NUL in a value", "dev", "{" + ok.Replace("\"jdoe\"", "\"jd\\u0000oe\"") + "}", "'jd\\u0000oe' must be 1-64 letters"),
            ("key without namespace", "dev", "{" + ok + ",\"release\":\"x\"}", "release: config keys are namespaced"),
        ];
    }

    public static TheoryData<string> EnvironmentNames => [.. Environments().Select(e => e.What)];

    [Fact]
    public void ThereAreAtLeast15HostileEnvironments() => Assert.True(Environments().Count() >= 15);

    [Theory]
    [MemberData(nameof(EnvironmentNames))]
    public void HostileCompilerEnvironmentIsRefusedCleanly(string what)
    {
        var (_, stack, config, expected) = Environments().Single(e => e.What == what);
        var run = Cli.Run(["pulumi-program"], name => name switch { "PULUMI_STACK" => stack, "PULUMI_CONFIG" => config, _ => null });
        AssertCleanRefusal(what, run, expected);
    }

    [Fact]
    public void AWellFormedEnvironmentStillCompiles()
    {
        var config = "{\"mimic-infra:release\":\"mimic-iv-demo-2.2\",\"mimic-infra:researcher\":\"jdoe\",\"mimic-infra:study\":\"demo\",\"mimic-infra:expires\":\"2027-06-30\"}";
        var run = Cli.Run(["pulumi-program"], name => name switch { "PULUMI_STACK" => "dev", "PULUMI_CONFIG" => config, _ => null });
        Assert.True(run.Code == 0, run.Err);
        Assert.StartsWith("name: mimic-infra", run.Out);
    }

    /// <summary>Bombs and huge inputs, in process: each ends fast and allocates little, since nothing is expanded.</summary>
    public static TheoryData<string> Heavy => ["billion laughs", "deep nesting", "2 MB file", "60000 items", "50000 keys"];

    private static byte[] HeavyInput(string which) => Encoding.UTF8.GetBytes(which switch
    {
        "billion laughs" => AliasBomb(9),
        "deep nesting" => "config:\n  mimic-infra:tags: " + new string('[', 500_000),
        "2 MB file" => Valid + string.Concat(Enumerable.Repeat("# " + new string('x', 1000) + "\n", 2100)),
        "60000 items" => With("mimic-infra:tags: [" + string.Join(",", Enumerable.Repeat("a", 60_000)) + "]"),
        "50000 keys" => "config:\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"  k{i}: v\n")),
        _ => throw new ArgumentException(which),
    });

    [Theory]
    [MemberData(nameof(Heavy))]
    public void BombsAndHugeInputsEndWithinTimeAndMemoryBounds(string which)
    {
        var input = HeavyInput(which);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var run = CompileBytes(input);
        var seconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, run.Code);
        Assert.Equal("", run.Out);
        Assert.True(seconds < 10, $"{which}: {seconds:F1} s");
        Assert.True(allocated < 200L << 20, $"{which}: {allocated >> 20} MB allocated");
    }

    /// <summary>
    /// The same bombs through the real program in its own process, with the .NET heap capped at 200 MB: a reader
    /// that expanded the aliases would die of OutOfMemoryException (a crash, not exit code 2) or run into the timeout.
    /// </summary>
    [Theory]
    [InlineData("billion laughs")]
    [InlineData("deep nesting")]
    [InlineData("2 MB file")]
    public async Task TheCompilerProcessRefusesBombsUnderA200MbHeapCap(string which)
    {
        var dir = Directory.CreateTempSubdirectory("bomb-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "Pulumi.t.yaml"), HeavyInput(which));
            var dll = typeof(MimicInfra.Cli.App).Assembly.Location;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
            foreach (var a in new[] { dll, "compile", "--stack", "t", "--stacks-dir", dir }) psi.ArgumentList.Add(a);
            psi.Environment["DOTNET_GCHeapHardLimit"] = "0xC800000";   // 200 MB
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var token = TestContext.Current.CancellationToken;
            var stdout = p.StandardOutput.ReadToEndAsync(token);
            var stderr = p.StandardError.ReadToEndAsync(token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"{which}: still running after 60 s");
            }
            var (o, e) = (await stdout, await stderr);
            Assert.True(p.ExitCode == 2, $"{which}: exit {p.ExitCode}: {e[..Math.Min(e.Length, 500)]}");
            Assert.Equal("", o);
            Assert.StartsWith("error: ", e);
            Assert.True(clock.Elapsed.TotalSeconds < 60);
        }
        finally { Directory.Delete(dir, true); }
    }
}
