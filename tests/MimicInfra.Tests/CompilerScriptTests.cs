using System.Diagnostics;

namespace MimicInfra.Tests;

/// <summary>
/// infra/compiler.sh, the command Pulumi runs: a prebuilt program that is rebuilt whenever its inputs
/// change (by content, not by time), build output only on stderr, and real build errors when it fails.
/// </summary>
public class CompilerScriptTests(ITestOutputHelper output)
{
    private static string Script => Path.Combine(Shared.RepoRoot, "infra", "compiler.sh");

    internal static (int Code, string Out, string Err) Sh(IDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Shared.RepoRoot };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var key in new[] { "PULUMI_STACK", "PULUMI_CONFIG" }) psi.Environment.Remove(key);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    /// <summary>A copy of what the build reads, in a folder of its own.</summary>
    internal static string CopyOfInputs()
    {
        var dir = Directory.CreateTempSubdirectory("compiler-").FullName;
        foreach (var sub in new[] { "infra/MimicInfra", "schemas" })
            foreach (var file in Directory.GetFiles(Path.Combine(Shared.RepoRoot, sub), "*", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
            {
                var target = Path.Combine(dir, Path.GetRelativePath(Shared.RepoRoot, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        File.Copy(Path.Combine(Shared.RepoRoot, "Directory.Build.props"), Path.Combine(dir, "Directory.Build.props"));
        Directory.CreateDirectory(Path.Combine(dir, "infra", "provider-schemas"));
        foreach (var p in new[] { "aws.json", "gcp.json" })
            File.Copy(Path.Combine(Shared.RepoRoot, "infra", "provider-schemas", p), Path.Combine(dir, "infra", "provider-schemas", p));
        return dir;
    }

    [Fact]
    public void AnyChangeToTheInputsChangesTheFingerprintWhateverTheFileTimes()
    {
        var root = CopyOfInputs();
        try
        {
            var env = new Dictionary<string, string> { ["MIMICINFRA_ROOT"] = root };
            string Print() => Sh(env, "--fingerprint").Out.Trim();
            var original = Print();
            Assert.Equal(original, Print());
            var schema = Path.Combine(root, "schemas", "mimic-iv-3.1.yaml");
            var text = File.ReadAllText(schema);
            var time = File.GetLastWriteTimeUtc(schema);
            File.WriteAllText(schema, text + "\n# changed\n");
            File.SetLastWriteTimeUtc(schema, time);   // an old timestamp does not hide the change
            Assert.NotEqual(original, Print());
            File.WriteAllText(schema, text);
            File.SetLastWriteTimeUtc(schema, DateTime.UtcNow);
            Assert.Equal(original, Print());
            File.Delete(Path.Combine(root, "infra", "MimicInfra", "Aws", "Workspace", "autostop.py"));
            Assert.NotEqual(original, Print());
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void ABrokenBuildFailsWithItsRealErrorsOnStderrAndNothingOnStdout()
    {
        var root = CopyOfInputs();
        try
        {
            File.AppendAllText(Path.Combine(root, "infra", "MimicInfra", "Program.cs"), "\nthis is not C#\n");
            var (code, stdout, stderr) = Sh(new Dictionary<string, string> { ["MIMICINFRA_ROOT"] = root }, "pulumi-program");
            output.WriteLine(stderr);
            Assert.NotEqual(0, code);
            Assert.Equal("", stdout);
            Assert.Contains("error CS", stderr);
            Assert.False(Directory.Exists(Path.Combine(root, "infra", ".compiler")));   // nothing half-built is ever run
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void WarmRunsPrintOnlyTheProgram()
    {
        var env = new Dictionary<string, string>();
        var first = Sh(env, "pulumi-program");   // builds if needed
        Assert.True(first.Code == 0, first.Err);
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            var run = Sh(env, "pulumi-program");
            times.Add(clock.Elapsed.TotalSeconds);
            Assert.Equal(0, run.Code);
            Assert.Equal("", run.Err);
            Assert.Equal(first.Out, run.Out);
        }
        times.Sort();
        output.WriteLine($"warm discovery runs: median {times[2]:F3} s (min {times[0]:F3}, max {times[^1]:F3})");
    }
}
