using System.Diagnostics;
using MimicInfra.Aws;
using MimicInfra.Lab;

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

/// <summary>The command line's own hardening: parse errors, cut query results, empty local labs, notes locally.</summary>
public class CommandLineHardeningTests
{
    [Theory]
    [InlineData("compile", "--stakc", "demo")]
    [InlineData("preview")]
    [InlineData("no-such-command")]
    [InlineData("query", "--db", "x", "--max-rows", "many")]
    public void ParseErrorsExit2WithHelpOnStderrAndNothingOnStdout(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("Usage:", stderr);
    }

    [Fact]
    public void AWrongLayoutIsOneProblemNotAFalseCredentialedError()
    {
        var stack = Labs.Config("t", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"), ("sourceLayout", "parquet")]);
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(stack, Labs.Catalog));
        Assert.Contains("has 1 problem(s)", e.Message);
        Assert.Contains("mimic-infra:sourceLayout: 'parquet' must be", e.Message);
        Assert.DoesNotContain("credentialed", e.Message);
    }

    [Fact]
    public void CheckScreensAProgramFileWithTheBoundedReader()
    {
        var dir = Directory.CreateTempSubdirectory("check-").FullName;
        try
        {
            var bomb = Path.Combine(dir, "bomb.yaml");
            File.WriteAllText(bomb, HostileInputTests.AliasBomb(9).Replace("config:", "resources:"));
            var (code, stdout, stderr) = Cli.Run(["check", "--file", bomb, "--schemas", dir]);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("YAML aliases (*a0) are not allowed here", stderr);
            var program = Path.Combine(dir, "demo.yaml");
            File.WriteAllText(program, Labs.Compile(Labs.Demo));
            (code, stdout, stderr) = Cli.Run(["check", "--file", program]);   // the schemas built into the program
            Assert.True(code == 0, stderr);
            Assert.Contains("ok: no problems", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LocalRefusesToBuildALabWithNoTables()
    {
        var empty = Directory.CreateTempSubdirectory("nodata-").FullName;
        try
        {
            var db = Path.Combine(empty, "x.duckdb");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", "demo", "--data", empty, "--skip-missing", "--db", db]);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("none of the lab's 31 files is in", stderr);
            Assert.Contains("that holds hosp/, icu/", stderr);
            Assert.False(File.Exists(db));
        }
        finally { Directory.Delete(empty, true); }
    }

    [Fact]
    public void TheLocalLabIsNotHeldToAthenasCsvLimit()
    {
        var stack = Labs.Config("m3", [.. Labs.Basics, ("release", "mimic-iii-demo-1.4")]);
        var cloud = LabSettingsReader.Read(stack, Labs.Catalog);   // Athena's CSV reader cannot read the notes: the import re-encodes them
        Assert.Contains(MimicInfra.Import.ImportPlan.For(cloud).Tables, t => t.Table.Name == "noteevents" && t.Reencoded);
        var local = LabSettingsReader.ReadForLocal(stack, Labs.Catalog);
        Assert.Equal(["clinical", "notes"], local.Modules.Select(m => m.Name));
        Assert.Null(local.Aws);
    }

    [Fact]
    public void AMimicIiiDemoLabWithNotesBuildsLocally()
    {
        var data = Shared.Require("data/mimic-iii-demo-1.4");
        var dir = Directory.CreateTempSubdirectory("m3-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.m3.yaml"),
                "config:\n  mimic-infra:release: mimic-iii-demo-1.4\n  mimic-infra:researcher: jdoe\n  mimic-infra:study: notes\n  mimic-infra:expires: \"2027-06-30\"\n");
            var db = Path.Combine(dir, "m3.duckdb");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", "m3", "--stacks-dir", dir, "--data", data, "--skip-missing", "--db", db]);
            Assert.True(code == 0, stderr);
            Assert.Contains("built ", stdout);
            (code, stdout, stderr) = Cli.Run(["query", "--db", db, "SELECT count(*) AS n FROM noteevents"]);
            Assert.True(code == 0, stderr);
            Assert.Contains("(1 row)", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void QuerySaysWhenItCutRowsAndHowToSeeMore()
    {
        var data = Shared.Require("data/mimic-iv-demo-2.2");
        var dir = Directory.CreateTempSubdirectory("cut-").FullName;
        try
        {
            var db = Path.Combine(dir, "demo.duckdb");
            var (code, _, stderr) = Cli.Run(["local", "--stack", "demo", "--data", data, "--skip-missing", "--db", db]);
            Assert.True(code == 0, stderr);
            var (c2, stdout, _) = Cli.Run(["query", "--db", db, "SELECT subject_id FROM patients ORDER BY 1"]);
            Assert.Equal(0, c2);
            Assert.Contains("(100 rows, the first 50 shown; pass --max-rows 100 to see all, or add LIMIT/WHERE to the SQL)", stdout);
            (c2, stdout, _) = Cli.Run(["query", "--db", db, "--max-rows", "100", "SELECT subject_id FROM patients"]);
            Assert.Contains("(100 rows)", stdout);
            var (c3, o3, e3) = Cli.Run(["query", "--db", db, "--max-rows", "0", "SELECT 1"]);
            Assert.Equal(2, c3);
            Assert.Equal("", o3);
            Assert.Contains("--max-rows 0: give at least 1.", e3);
        }
        finally { Directory.Delete(dir, true); }
    }
}
