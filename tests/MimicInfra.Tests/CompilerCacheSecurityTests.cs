namespace MimicInfra.Tests;

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
