using System.Diagnostics;
using System.Text.Json.Nodes;
using MimicInfra.Lab;
using YamlDotNet.RepresentationModel;

namespace MimicInfra.Tests;

/// <summary>
/// The contract with the Pulumi CLI: Pulumi.yaml's compiler command, run without a shell, with the
/// PULUMI_* variables Pulumi sets (and with none, as plugin discovery runs it), prints exactly the
/// program `compile --stack` prints, and nothing else on stdout.
/// </summary>
public class CompilerContractTests(ITestOutputHelper output)
{
    private static YamlMappingNode ProjectFile()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Shared.RepoRoot, "Pulumi.yaml"))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string CompilerCommand() =>
        ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)ProjectFile()["runtime"])["options"])["compiler"]).Value!;

    /// <summary>Splits a command line the way the YAML host does (shell-style words, no shell).</summary>
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in command)
        {
            if (quote is not null) { if (c == quote) quote = null; else current.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (char.IsWhiteSpace(c)) { if (inWord) words.Add(current.ToString()); current.Clear(); inWord = false; continue; }
            current.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }

    private (int Code, string Out, string Err, TimeSpan Took) RunCompiler(IDictionary<string, string>? env)
    {
        var argv = Words(CompilerCommand());
        var psi = new ProcessStartInfo(argv[0]) { WorkingDirectory = Shared.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var key in new[] { "PULUMI_STACK", "PULUMI_PROJECT", "PULUMI_CONFIG", "PULUMI_ORGANIZATION", "PULUMI_ROOT_DIRECTORY" })
            psi.Environment.Remove(key);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    [Fact]
    public void ProjectFileDeclaresTheYamlRuntimeWithOurCompiler()
    {
        var project = ProjectFile();
        Assert.Equal("mimic-infra", project["name"].ToString());
        Assert.Equal("yaml", ((YamlMappingNode)project["runtime"])["name"].ToString());
        Assert.Equal("stacks", project["stackConfigDir"].ToString());
        Assert.EndsWith("pulumi-program", CompilerCommand());
        Assert.DoesNotContain("|", CompilerCommand());   // no shell: pipes and redirections would not work
    }

    [Fact]
    public void ProjectConfigDeclaresExactlyTheLabSettings()
    {
        var config = (YamlMappingNode)ProjectFile()["config"];
        Assert.Equal(SettingSpecs.All.Select(s => s.Key), config.Children.Keys.Select(k => k.ToString()));
        foreach (var spec in SettingSpecs.All)
        {
            var entry = (YamlMappingNode)config[spec.Key];
            Assert.Equal(spec.Type, entry["type"].ToString());
            var expected = spec.Default switch { null => null, bool b => b ? "true" : "false", var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) };
            Assert.Equal(expected,
                entry.Children.TryGetValue(new YamlScalarNode("default"), out var d) ? d.ToString() : null);
            Assert.False(string.IsNullOrWhiteSpace(entry["description"].ToString()));
        }
    }

    [Fact]
    public void CompilerCommandWithPulumiEnvironmentPrintsTheStackProgram()
    {
        var demo = Labs.Demo;
        var config = new JsonObject();
        foreach (var (k, v) in demo.Values) config[k] = v;
        var run = RunCompiler(new Dictionary<string, string>
        {
            ["PULUMI_STACK"] = "demo",
            ["PULUMI_PROJECT"] = "mimic-infra",
            ["PULUMI_ORGANIZATION"] = "organization",
            ["PULUMI_CONFIG"] = config.ToJsonString(),
        });
        output.WriteLine($"compiler command (warm or cold): {run.Took.TotalSeconds:F2} s");
        Assert.True(run.Code == 0, run.Err);
        var (code, expected, _) = Cli.Run(["compile", "--stack", "demo"]);
        Assert.Equal(0, code);
        Assert.Equal(expected, run.Out);
        new YamlStream().Load(new StringReader(run.Out));   // stdout is exactly one YAML program
    }

    [Fact]
    public void CompilerCommandWithoutEnvironmentPrintsADiscoveryProgramWithTheSamePackages()
    {
        var run = RunCompiler(null);
        Assert.True(run.Code == 0, run.Err);
        var discovery = new ParsedProgram(run.Out);
        var types = discovery.Resources.Select(r => r.Type).ToHashSet();
        // Every resource type any lab uses is there, so discovery installs every plugin a deployment needs ...
        foreach (var stack in new[] { Labs.Demo, Gcp.Combined(), Labs.Full31(Workspace.Budget) })
            Assert.Subset(types, new ParsedProgram(Labs.Compile(stack)).Resources.Select(r => r.Type).ToHashSet());
        // ... and every resource pins its package's one version, as deployments do.
        Assert.All(discovery.Resources, r => Assert.Equal(r.Type.Contains("gcp") ? "9.37.0" : "7.48.0", r.Options!["version"]));
    }

    [Fact]
    public void PulumiConfigJsonAndStackFileGiveTheSameProgram()
    {
        var config = new JsonObject();
        foreach (var (k, v) in Labs.Demo.Values) config[k] = v;
        var fromEnv = StackConfig.FromEnvironment(n => n switch { "PULUMI_STACK" => "demo", "PULUMI_CONFIG" => config.ToJsonString(), _ => null })!;
        Assert.Equal(Labs.Compile(Labs.Demo), Labs.Compile(fromEnv));
    }

    [Fact]
    public void CompileIsDeterministicAndIgnoresTheOrderOfSettings()
    {
        var a = Labs.Compile(Labs.Full31());
        Assert.Equal(a, Labs.Compile(Labs.Full31()));
        var reordered = Labs.Config("full31", [.. Labs.Full31().Values.Reverse().Select(kv => (kv.Key, kv.Key.EndsWith(":modules") ? "[\"note\",\"ed\",\"icu\",\"hosp\"]" : kv.Value))]);
        Assert.Equal(a, Labs.Compile(reordered));
        var clock = Stopwatch.StartNew();
        const int runs = 20;
        for (var i = 0; i < runs; i++) Labs.Compile(Labs.Full31());
        output.WriteLine($"in-process compile of the full 3.1 lab: {clock.Elapsed.TotalMilliseconds / runs:F1} ms per run (warm)");
    }
}
