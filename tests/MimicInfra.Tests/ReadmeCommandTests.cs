using System.Text;
using System.Text.RegularExpressions;

namespace MimicInfra.Tests;

/// <summary>
/// The README is executable: every shell block it shows is read back and each command in it is run as
/// written, through the program in process (what `dotnet run --project infra/MimicInfra -- ...` runs), in a
/// scratch copy of the repository (Pulumi.yaml and the example stacks) as the working directory. Only what
/// needs a cloud, the Pulumi CLI, the network or a long benchmark is skipped, each saying why; a command the
/// test does not know fails it, so the README cannot show something nobody runs.
/// </summary>
public partial class ReadmeCommandTests(ITestOutputHelper output)
{
    /// <summary>One shell block of README.md: the line it starts on and its commands, continuation lines joined.</summary>
    public sealed record Block(int Line, IReadOnlyList<string> Commands)
    {
        public override string ToString() => $"README.md:{Line}";
    }

    private static readonly string Readme = File.ReadAllText(Path.Combine(Shared.RepoRoot, "README.md"));

    public static IReadOnlyList<Block> Blocks()
    {
        var blocks = new List<Block>();
        var lines = Readme.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success || fence.Groups["lang"].Value is not ("sh" or "bash" or "shell" or "console")) continue;
            var start = i + 1;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++) body.Add(lines[i].Trim());
            var joined = string.Join("\n", body).Replace("\\\n", " ");
            blocks.Add(new Block(start, joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .SelectMany(l => l.Split(" && ")).Select(c => Comment().Replace(c, "").Trim()).ToList()));
        }
        return blocks;
    }

    public static TheoryData<int> BlockLines => [.. Blocks().Select(b => b.Line)];

    [Fact]
    public void TheReadmeShowsCommandsToRun()
    {
        var blocks = Blocks();
        Assert.True(blocks.Count >= 8, $"{blocks.Count} shell blocks");
        Assert.Contains(blocks, b => b.Commands.Any(c => c.Contains("-- labs new ", StringComparison.Ordinal)));
        Assert.Contains(blocks, b => b.Commands.Any(c => c.Contains("-- preview --stack demo", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(BlockLines))]
    public void EveryCommandOfTheBlockWorksAsShown(int line)
    {
        var block = Blocks().Single(b => b.Line == line);
        var scratch = ScratchRepository();
        // `local` without --data fetches the open demo: from a PhysioNet stand-in on 127.0.0.1, never the internet.
        using var physionet = PhysioNetStandIn();
        var env = new Dictionary<string, string> { [MimicInfra.Local.ReleaseCache.CacheVariable] = Path.Combine(scratch, "cache") };
        if (physionet is not null) env[MimicInfra.Local.ReleaseCache.UrlVariable] = physionet.BaseUrl.ToString();
        try
        {
            var skipped = new List<string>();
            var ran = 0;
            foreach (var command in block.Commands)
            {
                var words = Words(command);
                if (SkipReason(words, scratch) is { } why)
                {
                    skipped.Add($"{command}: {why}");
                    output.WriteLine($"skipped: {command}\n  because {why}");
                    continue;
                }
                var args = ProgramArguments(words) ?? throw new Xunit.Sdk.XunitException(
                    $"README.md:{line} shows `{command}`, which this test neither runs nor knows a reason to skip; run it here, or say why it cannot run.");
                // `... > FILE`: the output goes to FILE, as the shell would send it.
                var redirect = args.IndexOf(">");
                var target = redirect >= 0 && redirect == args.Count - 2 ? args[^1] : null;
                if (target is not null) args = args[..redirect];
                var (code, stdout, stderr) = Cli.RunIn(scratch, [.. args], k => env.GetValueOrDefault(k));
                output.WriteLine($"ran: {command}\n  exit {code}\n{Indent(target is null ? stdout : $"(stdout to {target})")}{Indent(stderr)}");
                Assert.True(code == 0, $"README.md:{line}: `{command}` exited {code}:\n{stderr}");
                Assert.NotEqual("", stdout);
                if (target is not null) File.WriteAllText(Path.Combine(scratch, target), stdout);
                ran++;
            }
            if (ran == 0) Assert.Skip($"every command of README.md:{line} needs what a test does not have: " + string.Join("; ", skipped));
        }
        finally { Directory.Delete(scratch, true); }
    }

    /// <summary>Why a command cannot run here, or null when it runs.</summary>
    private static string? SkipReason(IReadOnlyList<string> words, string scratch)
    {
        var args = ProgramArguments(words);
        return words switch
        {
            ["pulumi", ..] => "needs the Pulumi CLI and a cloud account",
            ["aws", ..] => "needs an AWS account and a deployed lab (it runs in AWS CloudShell)",
            ["python3", "mimic-lab-import.py", ..] => "runs the import script the skipped `aws s3 cp` fetches, in AWS CloudShell",
            ["echo", _, "|", "sha256sum", ..] => "checks the hash of the import script the skipped `aws s3 cp` fetches (ImportCommandTests runs the check)",
            ["git", "clone", ..] => "needs the network",
            ["wget", ..] => "needs a credentialed PhysioNet account and the network",
            _ when args is ["local", ..] && args.Contains("--data") && args[args.IndexOf("--data") + 1].StartsWith("physionet.org/", StringComparison.Ordinal) =>
                "needs the credentialed download the skipped `wget` makes",
            _ when args is ["local", ..] && !args.Contains("--data") && !Directory.Exists(Path.Combine(Shared.Root, "data", "mimic-iv-demo-2.2")) =>
                "fetches the open demo, which the test serves from ../shared/data as PhysioNet; it is absent here",
            _ when args is ["query", ..] && args.Contains("--stack") && !File.Exists(Path.Combine(scratch, $"mimic-{args[args.IndexOf("--stack") + 1]}.duckdb")) =>
                "needs the local lab the skipped `local` command builds",
            ["dotnet", "test", ..] => "is this test suite itself",
            _ when args is ["scale-demo" or "bench", ..] => "the 10 % benchmark takes minutes and about 2 GB; BenchmarkTests runs scale-demo and bench on a small copy",
            _ when args is not null && args.Contains("--concepts") && !Directory.Exists(Path.Combine(scratch, args[args.IndexOf("--concepts") + 1])) =>
                "needs the mimic-code checkout the skipped `git clone` makes",
            _ when args is not null && args.Any(a => a.StartsWith("path/to/", StringComparison.Ordinal) && !Directory.Exists(Path.Combine(scratch, a))) =>
                $"needs {args.First(a => a.StartsWith("path/to/", StringComparison.Ordinal))}, the open demo in ../shared/data, which is absent here",
            _ when args is ["query", ..] && args.Contains("--db") && !File.Exists(Path.Combine(scratch, args[args.IndexOf("--db") + 1])) =>
                "needs the local lab the skipped `local` command builds",
            _ => null,
        };
    }

    /// <summary>
    /// PhysioNet's files folder for the open MIMIC-IV demo, served from ../shared/data (null when absent). Our copy
    /// lacks icu/chartevents.csv.gz, so the stand-in serves that file with its header only, under its own checksum.
    /// </summary>
    private static FakePhysioNet? PhysioNetStandIn()
    {
        var data = Path.Combine(Shared.Root, "data", "mimic-iv-demo-2.2");
        if (!Directory.Exists(data)) return null;
        var chartevents = Labs.Catalog.Find("mimic-iv-demo-2.2")!.FindModule("icu")!.FindTable("chartevents")!;
        return new FakePhysioNet(data, "mimic-iv-demo/2.2/", standIns: new Dictionary<string, byte[]> { ["icu/chartevents.csv.gz"] = FakePhysioNet.HeaderOnly(chartevents) });
    }

    /// <summary>The program's arguments of `dotnet run --project infra/MimicInfra [-c Release] -- ARGS`; null for any other command.</summary>
    private static List<string>? ProgramArguments(IReadOnlyList<string> words)
    {
        if (words is not ["dotnet", "run", "--project", "infra/MimicInfra", ..]) return null;
        var dashes = words.ToList().IndexOf("--");
        return dashes < 0 ? null : words.Skip(dashes + 1).ToList();
    }

    /// <summary>
    /// A working directory standing for a fresh checkout: Pulumi.yaml, the example stacks and any other shipped
    /// stack the README names (not the labs a platform team keeps in stacks/), and the README's `path/to/...`
    /// data folders as links to ../shared/data.
    /// </summary>
    private static string ScratchRepository()
    {
        var dir = Directory.CreateTempSubdirectory("readme-").FullName;
        File.Copy(Path.Combine(Shared.RepoRoot, "Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
        var stacks = Directory.CreateDirectory(Path.Combine(dir, "stacks")).FullName;
        var named = StacksTheReadmeUses();
        foreach (var file in Directory.GetFiles(Path.Combine(Shared.RepoRoot, "stacks"), "Pulumi.*.yaml")
                     .Where(f => MimicInfra.Fleet.ExampleStacks.IsExample(File.ReadAllText(f)) || named.Contains(Path.GetFileName(f)["Pulumi.".Length..^".yaml".Length])))
            File.Copy(file, Path.Combine(stacks, Path.GetFileName(file)));
        foreach (var data in new[] { "mimic-iv-demo-2.2", "mimic-iv-ed-demo-2.2", "mimic-iii-demo-1.4" })
        {
            var source = Path.Combine(Shared.Root, "data", data);
            if (!Directory.Exists(source)) continue;
            Directory.CreateDirectory(Path.Combine(dir, "path", "to"));
            Directory.CreateSymbolicLink(Path.Combine(dir, "path", "to", data), source);
        }
        return dir;
    }

    /// <summary>The stacks README commands read (`--stack S`) that no README `labs new` writes: shipped stacks the README relies on.</summary>
    private static HashSet<string> StacksTheReadmeUses()
    {
        var commands = Blocks().SelectMany(b => b.Commands).Select(c => ProgramArguments(Words(c))).OfType<List<string>>().ToList();
        string? StackOf(List<string> args) => args.IndexOf("--stack") is var i and >= 0 && i + 1 < args.Count ? args[i + 1] : null;
        var written = commands.Where(a => a is ["labs", "new", ..]).Select(StackOf).OfType<string>().ToHashSet();
        return commands.Select(StackOf).OfType<string>().Where(s => !written.Contains(s)).ToHashSet();
    }

    /// <summary>A command line split into words as sh would: quotes group, a word starting with # begins a comment.</summary>
    internal static List<string> Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in command)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
                continue;
            }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                continue;
            }
            if (c == '#' && !inWord) break;
            word.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    [Fact]
    public void CommandsSplitAsTheShellSplitsThem() =>
        Assert.Equal(["dotnet", "run", "--", "query", "--db", "demo.duckdb", "SELECT a, count(*) FROM t"],
            Words("dotnet run -- query --db demo.duckdb \"SELECT a, count(*) FROM t\"   # a comment"));

    private static string Indent(string text) => text.Length == 0 ? "" : string.Join("\n", text.TrimEnd('\n').Split('\n').Select(l => "    " + l)) + "\n";

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\s*```(?<lang>[a-z]*)\s*$")]
    private static partial Regex Fence();
}
