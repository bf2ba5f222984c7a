using MimicInfra.Lab;

namespace MimicInfra.Tests;

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
