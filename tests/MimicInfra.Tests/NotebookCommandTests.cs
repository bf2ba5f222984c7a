using System.Text.Json.Nodes;

namespace MimicInfra.Tests;

public class NotebookCommandTests
{
    [Fact]
    public void TheLocalNotebookOpensTheFileGivenAndDbIsOnlyForIt()
    {
        var (code, stdout, stderr) = Cli.Run(["notebook", "--stack", "demo", "--cloud", "local", "--db", "demo.duckdb"]);
        Assert.True(code == 0, stderr);
        var source = string.Concat(JsonNode.Parse(stdout)!["cells"]!.AsArray().SelectMany(c => c!["source"]!.AsArray().Select(l => (string)l!)));
        Assert.Contains("LAB_DB = \"demo.duckdb\"", source);
        Assert.Contains("duckdb.connect(LAB_DB, read_only=True)", source);
        Assert.Contains("pip install duckdb", source);
        var (code2, stdout2, stderr2) = Cli.Run(["notebook", "--stack", "demo", "--db", "demo.duckdb"]);
        Assert.Equal(2, code2);
        Assert.Equal("", stdout2);
        Assert.Contains("--db is for --cloud local", stderr2);
        // Without --db, the file `local` writes by default.
        Assert.Contains("LAB_DB = \\\"mimic-demo.duckdb\\\"", Cli.Run(["notebook", "--stack", "demo", "--cloud", "local"]).Out);
    }
}
