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
            File.Delete(Path.Combine(root, "infra", "MimicInfra", "Aws", "autostop.py"));
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

public class CompilerCacheTests
{
    private static (int Code, string Out, string Err) Run(Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Shared.RepoRoot };
        psi.ArgumentList.Add(Path.Combine(Shared.RepoRoot, "infra", "compiler.sh"));
        psi.ArgumentList.Add("pulumi-program");
        foreach (var key in new[] { "PULUMI_STACK", "PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS", "PULUMI_ROOT_DIRECTORY", "MIMICINFRA_NO_CACHE" }) psi.Environment.Remove(key);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private static Dictionary<string, string> Env(string study, string expires = "2099-01-01") => new()
    {
        ["PULUMI_STACK"] = "cache-test",
        ["PULUMI_CONFIG"] = $$"""{"mimic-infra:release":"mimic-iv-demo-2.2","mimic-infra:researcher":"jdoe","mimic-infra:study":"{{study}}","mimic-infra:expires":"{{expires}}"}""",
    };

    [Fact]
    public void RepeatedRunsServeTheSameProgramAndAnyChangedInputGivesItsOwn()
    {
        var a = Run(Env("alpha"));
        Assert.True(a.Code == 0, a.Err);
        var b = Run(Env("beta"));
        Assert.Equal(0, b.Code);
        Assert.NotEqual(a.Out, b.Out);
        Assert.Equal(Labs.Compile(Labs.Config("cache-test", ("release", "mimic-iv-demo-2.2"), ("researcher", "jdoe"), ("study", "beta"), ("expires", "2099-01-01"))), b.Out);
        Assert.Equal(a.Out, Run(Env("alpha")).Out);
        var uncached = Run(new Dictionary<string, string>(Env("alpha")) { ["MIMICINFRA_NO_CACHE"] = "1" });
        Assert.Equal(a.Out, uncached.Out);
    }

    [Fact]
    public void AFailedRunIsNeverServedAgain()
    {
        for (var i = 0; i < 2; i++)
        {
            var r = Run(Env("gamma", expires: "2020-01-01"));
            Assert.Equal(2, r.Code);
            Assert.Equal("", r.Out);
            Assert.Contains("mimic-infra:expires: the lab expired on 2020-01-01", r.Err);
        }
    }
}

/// <summary>One copy of the inputs, built once by the compiler script, for the cache's security tests.</summary>
public sealed class BuiltCopy : IDisposable
{
    public string Root { get; } = CompilerScriptTests.CopyOfInputs();

    public BuiltCopy()
    {
        var run = Run(Env("alpha"));
        Assert.True(run.Code == 0, run.Err);
    }

    public string Out => Path.Combine(Root, "infra", ".compiler");

    public Dictionary<string, string> Env(string study) => new()
    {
        ["MIMICINFRA_ROOT"] = Root,
        ["PULUMI_STACK"] = "cache-test",
        ["PULUMI_CONFIG"] = $$"""{"mimic-infra:release":"mimic-iv-demo-2.2","mimic-infra:researcher":"jdoe","mimic-infra:study":"{{study}}","mimic-infra:expires":"2099-01-01"}""",
    };

    public (int Code, string Out, string Err) Run(Dictionary<string, string> env) =>
        CompilerScriptTests.Sh(new Dictionary<string, string>(env) { ["PULUMI_CONFIG_SECRET_KEYS"] = "", ["PULUMI_ROOT_DIRECTORY"] = "", ["MIMICINFRA_NO_CACHE"] = "" }, "pulumi-program");

    public void Dispose() => Directory.Delete(Root, true);
}

/// <summary>
/// The compiler's build and cache are private to the user (0700 folders, 0600 files), and a DLL or cached program is
/// run or served only when it is the user's, writable by nobody else, and (a program) matches the SHA-256 recorded
/// when it was kept; where the build goes cannot be redirected, and a checkout anyone can write is not built.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]   // the compiler script is POSIX sh
public class CompilerCacheSecurityTests(BuiltCopy copy) : IClassFixture<BuiltCopy>
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private string Cached(string study)
    {
        Assert.Equal(0, copy.Run(copy.Env(study)).Code);
        return Directory.GetFiles(Path.Combine(copy.Out, "cache"), "*.program").OrderByDescending(File.GetLastWriteTimeUtc).First();
    }

    [Fact]
    public void CompilerCache_TheBuildAndEveryCachedProgramArePrivateToTheUser()
    {
        var program = Cached("private");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(copy.Out));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(program)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(program));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(program + ".sha256"));
        Assert.All(Directory.GetFiles(copy.Out, "*", SearchOption.AllDirectories), f => Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(f) & GroupOrOther));
    }

    [Fact]
    public void CompilerCache_AProgramThatNoLongerMatchesItsRecordedHashIsCompiledAgain()
    {
        var good = copy.Run(copy.Env("tamper")).Out;
        var program = Cached("tamper");
        File.WriteAllText(program, "resources:\n  evil:\n    type: aws:s3/bucket:Bucket\n");
        var run = copy.Run(copy.Env("tamper"));
        Assert.Equal(0, run.Code);
        Assert.Equal(good, run.Out);
        Assert.Contains("does not match its recorded SHA-256; compiling again", run.Err);
        Assert.Equal(good, File.ReadAllText(program));
    }

    [Fact]
    public void CompilerCache_ACacheOrDllWritableByOthersIsRefused()
    {
        var program = Cached("writable");
        foreach (var path in new[] { program, Path.GetDirectoryName(program)!, Path.Combine(copy.Out, "MimicInfra.dll") })
        {
            var mode = File.GetUnixFileMode(path);
            File.SetUnixFileMode(path, mode | UnixFileMode.OtherWrite);
            try
            {
                var run = copy.Run(copy.Env("writable"));
                Assert.Equal(1, run.Code);
                Assert.Equal("", run.Out);
                Assert.Contains($"compiler: refusing to run or serve {path}: it is not owned by", run.Err);
            }
            finally { File.SetUnixFileMode(path, mode); }
        }
        Assert.Equal(0, copy.Run(copy.Env("writable")).Code);
    }

    [Fact]
    public void CompilerCache_AProgramOwnedBySomeoneElseIsRefused()
    {
        if (Environment.UserName != "root") Assert.Skip("needs root to give a file to another user (chown)");
        var program = Cached("owner");
        Assert.Equal(0, Process(["chown", "nobody", program]));
        try
        {
            var run = copy.Run(copy.Env("owner"));
            Assert.Equal(1, run.Code);
            Assert.Contains($"refusing to run or serve {program}", run.Err);
        }
        finally { Process(["chown", "root", program]); }
    }

    [Fact]
    public void CompilerDir_TheBuildCannotBeRedirectedAndACheckoutAnyoneCanWriteIsNotBuilt()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), $"compiler-elsewhere-{Guid.NewGuid():N}");
        var run = copy.Run(new Dictionary<string, string>(copy.Env("redirect")) { ["MIMICINFRA_COMPILER_DIR"] = elsewhere });
        Assert.Equal(0, run.Code);
        Assert.False(Directory.Exists(elsewhere));
        var mode = File.GetUnixFileMode(copy.Root);
        File.SetUnixFileMode(copy.Root, mode | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        try
        {
            var open = copy.Run(copy.Env("redirect"));
            Assert.Equal(1, open.Code);
            Assert.Equal("", open.Out);
            Assert.Contains($"compiler: {copy.Root} is not owned by", open.Err);
            Assert.Contains("or is writable by every user; refusing to build from it", open.Err);
        }
        finally { File.SetUnixFileMode(copy.Root, mode); }
    }

    private static int Process(string[] argv)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(argv[0]) { UseShellExecute = false };
        foreach (var a in argv[1..]) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}

/// <summary>Both projects restore from a lock file that pins every direct reference at its csproj version.</summary>
public class PackageLockTests
{
    [Theory]
    [InlineData("infra/MimicInfra/MimicInfra.csproj")]
    [InlineData("tests/MimicInfra.Tests/MimicInfra.Tests.csproj")]
    public void PackageLock_EveryDirectReferenceIsPinnedAtItsVersionWithAContentHash(string project)
    {
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(Shared.RepoRoot, project));
        Assert.Equal("true", csproj.Descendants("RestorePackagesWithLockFile").Single().Value);
        Assert.Equal("'$(CI)' == 'true'", csproj.Descendants("RestoreLockedMode").Single().Attribute("Condition")!.Value);
        var lockFile = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Shared.RepoRoot, Path.GetDirectoryName(project)!, "packages.lock.json")))!;
        var pinned = lockFile["dependencies"]!["net10.0"]!.AsObject();
        var references = csproj.Descendants("PackageReference").ToList();
        Assert.NotEmpty(references);
        foreach (var r in references)
        {
            var entry = pinned[r.Attribute("Include")!.Value];
            Assert.NotNull(entry);
            Assert.Equal("Direct", (string?)entry!["type"]);
            Assert.Equal(r.Attribute("Version")!.Value, (string?)entry["resolved"]);
            Assert.False(string.IsNullOrEmpty((string?)entry["contentHash"]));
        }
        Assert.All(pinned.Where(kv => (string?)kv.Value!["type"] == "Transitive"), kv => Assert.False(string.IsNullOrEmpty((string?)kv.Value!["contentHash"])));
    }

    [Fact]
    public void PackageLock_TheCompilersPublishRuntimesAreInTheLockFileSoItsRestoreNeverRewritesIt()
    {
        var script = File.ReadAllText(Path.Combine(Shared.RepoRoot, "infra", "compiler.sh"));
        var lockFile = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Shared.RepoRoot, "infra", "MimicInfra", "packages.lock.json")))!["dependencies"]!.AsObject();
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "osx-x64", "osx-arm64" })
        {
            Assert.Contains($"rid={rid}", script);
            Assert.True(lockFile.ContainsKey($"net10.0/{rid}"), rid);
        }
        Assert.Contains("export RestoreLockedMode=true", File.ReadAllText(Path.Combine(Shared.RepoRoot, ".ci", "run")));
    }
}
