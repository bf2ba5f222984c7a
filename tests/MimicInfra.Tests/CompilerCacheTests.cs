using System.Diagnostics;

namespace MimicInfra.Tests;

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
