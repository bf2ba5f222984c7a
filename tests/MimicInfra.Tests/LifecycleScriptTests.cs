using System.Diagnostics;
using System.Text;

namespace MimicInfra.Tests;

public class LifecycleScriptTests(ITestOutputHelper output)
{
    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static (int Code, string Out, string Err) Run(string tool, string[] args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    [Theory]
    [InlineData("onCreate")]
    [InlineData("onStart")]
    public void ScriptsDecodeFitSageMakersLimitAndPassBashSyntaxCheck(string which)
    {
        var script = Workspace.Script(Workspace.Demo, which);
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.DoesNotContain("${", script.Replace("\"$target\"", ""));   // no reference left for Pulumi to miss
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
        Assert.True(encoded.Length <= 16384, $"{which} is {encoded.Length} base64 characters; SageMaker takes 16384");
        output.WriteLine($"{which}: {script.Length} characters, {encoded.Length} base64");
        var bash = Find("bash") ?? Find("sh");
        if (bash is null) Assert.Skip("needs bash on PATH to check the script's syntax; it is absent here");
        var (code, _, err) = Run(bash, ["-n"], script);
        Assert.True(code == 0, err);
    }

    [Fact]
    public void OnStartInstallsTheIdleCheckWithTheLabsSettings()
    {
        var script = Workspace.Script(new ParsedProgram(Labs.Compile(Labs.Full31(("notebookIdleMinutes", "45")))), "onStart");
        Assert.Contains("--idle-minutes 45 --instance mimic-jdoe-sepsis-", script);
        Assert.Contains(" --region us-east-1\n", script);
        Assert.Contains(MimicInfra.Aws.Workspace.LifecycleScripts.Autostop.Split('\n')[2], script);
        Assert.Contains("systemctl enable --now mimic-autostop.timer", script);
        var create = Workspace.Script(Workspace.Demo, "onCreate");
        Assert.Contains("aws s3 cp \"s3://mimic-lab-bucket-123/lab/notebooks/mimic-lab-example.ipynb\"", create);
        Assert.Contains("if [ ! -e \"$target\" ]", create);   // never over the researcher's own copy
    }

    public static TheoryData<string, string, string, string> IdleCases => new()
    {
        // sessions, started, now, expected decision (idle after 60 minutes)
        { "[]", "2026-11-22T10:00:00Z", "2026-11-22T10:30:00Z", "active" },
        { "[]", "2026-11-22T10:00:00Z", "2026-11-22T11:00:00Z", "idle" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T10:50:00.123456Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "active" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T10:29:59.000000Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "idle" },
        { """[{"kernel": {"execution_state": "busy", "last_activity": "2026-11-22T08:00:00.000000Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T23:00:00Z", "active" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T08:00:00Z"}}, {"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T11:10:00Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "active" },
    };

    [Theory]
    [MemberData(nameof(IdleCases))]
    public void IdleCheckDecidesFromJupyterActivity(string sessions, string started, string now, string expected)
    {
        var python = Find("python3");
        if (python is null) Assert.Skip("needs python3 on PATH to run the idle check; it is absent here");
        var dir = Directory.CreateTempSubdirectory("autostop-").FullName;
        try
        {
            var script = Path.Combine(dir, "autostop.py");
            File.WriteAllText(script, MimicInfra.Aws.Workspace.LifecycleScripts.Autostop);
            File.WriteAllText(Path.Combine(dir, "sessions.json"), sessions);
            var (code, stdout, stderr) = Run(python, ["-I", script, "--idle-minutes", "60", "--instance", "lab-1", "--region", "eu-west-1",
                "--sessions-json", Path.Combine(dir, "sessions.json"), "--now", now, "--started", started, "--dry-run"]);
            Assert.True(code == 0, stderr);
            Assert.Contains(expected == "idle" ? "idle for 60+ minutes: stopping lab-1 in eu-west-1" : "active", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }
}
