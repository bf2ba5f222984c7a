using System.Diagnostics;
using MimicInfra.Aws.Workspace;

namespace MimicInfra.Tests;

/// <summary>What a review found would break on a real AWS deploy; each test fails on the program before the fix.</summary>
public class AwsDeployBreakageTests
{
    private static readonly string OnStart = Workspace.Script(Workspace.Demo, "onStart");

    [Fact]
    public void NotebookRunsOnAmazonLinux2023() =>
        Assert.Equal("notebook-al2023-v1", Workspace.Demo.Single("aws:sagemaker/notebookInstance:NotebookInstance")["platformIdentifier"]);

    [Fact]
    public void IdleStopIsASystemdTimerNotCron()
    {
        Assert.DoesNotContain("cron", OnStart);
        Assert.Contains("cat > /etc/systemd/system/mimic-autostop.timer", OnStart);
        Assert.Contains("systemctl enable --now mimic-autostop.timer", OnStart);
        Assert.Contains("OnUnitActiveSec=5min", OnStart);
    }

    [Fact]
    public void IdleStopPassesTheRegionToBoto3()
    {
        Assert.Contains("--region us-east-1", OnStart);
        Assert.Contains("boto3.client(\"sagemaker\", region_name=region)", LifecycleScripts.Autostop);
        var eu = Workspace.Script(new ParsedProgram(Labs.Compile(Labs.Full31(("aws:region", "eu-west-2")))), "onStart");
        Assert.Contains("--region eu-west-2", eu);
    }

    /// <summary>No local root: idle stop never runs code the researcher can write, let alone as root.</summary>
    [Fact]
    public void IdleStopNeverRunsResearcherWritableCodeAsRoot()
    {
        var unit = LifecycleScripts.ServiceUnit("lab", 60, "us-east-1");
        Assert.Contains("DynamicUser=yes", unit);   // a transient unprivileged user, not root
        Assert.Contains("ProtectHome=yes", unit);   // the researcher's home (and conda environments) is invisible
        Assert.Contains("NoNewPrivileges=yes", unit);
        Assert.Contains("ExecStart=/usr/bin/python3 -I /usr/local/mimic-infra/autostop.py", unit);   // isolated mode
        Assert.DoesNotContain("anaconda3", OnStart);
        Assert.DoesNotContain("/home/ec2-user", OnStart.Replace("/home/ec2-user/SageMaker/", ""));
        Assert.DoesNotContain("User=root", unit);
        Assert.Contains("root:[0-7][0145][0145]", OnStart);   // the interpreter must be root-owned and not group/other-writable
    }

    [Fact]
    public void SystemdAcceptsTheUnits()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (analyze is null) Assert.Skip("needs systemd-analyze to verify the unit files; it is absent here");
        if (!File.Exists(LifecycleScripts.Python)) Assert.Skip($"needs {LifecycleScripts.Python}, which the unit runs; it is absent here");
        var dir = Directory.CreateTempSubdirectory("units-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "mimic-autostop.service"), LifecycleScripts.ServiceUnit("lab", 60, "us-east-1") + "\n");
            File.WriteAllText(Path.Combine(dir, "mimic-autostop.timer"), LifecycleScripts.TimerUnit + "\n");
            var psi = new ProcessStartInfo(analyze) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "verify", "--man=no", Path.Combine(dir, "mimic-autostop.service"), Path.Combine(dir, "mimic-autostop.timer") }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            // Only complaints about our units count; the host's own units or a missing system bus are not ours.
            var ours = err.Split('\n').Where(l => l.Contains("mimic-autostop") && !l.Contains("Failed to ", StringComparison.Ordinal) && !l.Contains("bus", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(ours.Count == 0, string.Join("\n", ours));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DestroyOfAPendingOrStoppingNotebookIsExplained()
    {
        var before = (string)Workspace.Demo.Outputs["notebookBeforeDestroy"];
        Assert.Contains("aws sagemaker stop-notebook-instance --notebook-instance-name ${notebook.name} --region us-east-1", before);
        Assert.Contains("aws sagemaker wait notebook-instance-stopped", before);
        var (_, preview, _) = Cli.Run(["preview", "--stack", "demo"]);
        Assert.Contains("destroy     fails while the notebook is Pending or Stopping", preview);
    }

    [Fact]
    public void NotebookLogRetentionIsExplainedWithTheCommand()
    {
        var (_, preview, _) = Cli.Run(["preview", "--stack", "demo"]);
        Assert.Contains("aws logs put-retention-policy --log-group-name /aws/sagemaker/NotebookInstances --retention-in-days 30 --region us-east-1", preview);
    }
}
