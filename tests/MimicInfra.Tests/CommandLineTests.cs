using System.Text.Json;

namespace MimicInfra.Tests;

public class CommandLineTests
{
    [Fact]
    public void CatalogListJsonNamesEveryReleaseWithItsModules()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "list", "--json"]);
        Assert.Equal(0, code);
        var releases = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(8, releases.Count);
        var v31 = releases.Single(r => r.GetProperty("release").GetString() == "mimic-iv-3.1");
        Assert.Equal(41 + 65, v31.GetProperty("tables").GetInt32());   // hosp, icu, ed and note; the derived concepts
        Assert.Equal(["hosp", "icu", "ed", "note", "derived"], v31.GetProperty("modules").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal("mimiciv_3_1_hosp", v31.GetProperty("modules")[0].GetProperty("bigquery").GetString());
    }

    [Fact]
    public void CatalogListTableShowsCounts()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "list"]);
        Assert.Equal(0, code);
        Assert.Contains("hosp(22) icu(9) ed(6) note(4)", stdout);
        Assert.Contains("mimic-iii-demo-1.4", stdout);
    }

    [Fact]
    public void CatalogShowJsonHasTheDocumentedShape()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "show", "mimic-iv-3.1", "--module", "hosp", "--table", "admissions", "--json"]);
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["release", "modules"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("mimic-iv-3.1", root.GetProperty("release").GetString());
        var table = Assert.Single(Assert.Single(root.GetProperty("modules").EnumerateArray()).GetProperty("tables").EnumerateArray());
        Assert.Equal("admissions", table.GetProperty("name").GetString());
        var language = table.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "language");
        Assert.Equal(["name", "type", "nullable"], language.EnumerateObject().Select(p => p.Name));
        Assert.Equal("varchar(25)", language.GetProperty("type").GetString());
        Assert.True(language.GetProperty("nullable").GetBoolean());
        var subject = table.GetProperty("columns")[0];
        Assert.Equal("subject_id", subject.GetProperty("name").GetString());
        Assert.False(subject.GetProperty("nullable").GetBoolean());
    }

    [Fact]
    public void CatalogShowTextListsColumns()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "show", "mimic-iv-ed-2.2", "--table", "triage"]);
        Assert.Equal(0, code);
        Assert.Contains("module ed: 6 tables, files ed/{table}.csv.gz, BigQuery physionet-data.mimiciv_ed", stdout);
        Assert.Contains("acuity          decimal(10,4)", stdout);
        Assert.Contains("subject_id      integer not null", stdout);
    }

    [Fact]
    public void CatalogDiffShowsRetypedAndRemoved()
    {
        var (code, stdout, _) = Cli.Run(["catalog", "diff", "mimic-iv-2.2", "mimic-iv-3.1"]);
        Assert.Equal(0, code);
        Assert.Equal("mimic-iv-2.2 -> mimic-iv-3.1: 1 change(s)\n~ column hosp.admissions.language varchar(10) -> varchar(25)\n", stdout);
        (code, stdout, _) = Cli.Run(["catalog", "diff", "mimic-iv-3.1", "mimic-iv-demo-2.2"]);
        Assert.Equal(0, code);
        Assert.Contains("- table  note.discharge", stdout);
        Assert.Contains("~ column hosp.admissions.language varchar(25) -> varchar(10)", stdout);
    }

    [Theory]
    [InlineData(new[] { "catalog", "show", "mimic-v-9" }, "unknown release 'mimic-v-9'. Known releases: mimic-iii-1.4")]
    [InlineData(new[] { "catalog", "show", "mimic-iv-3.1", "--module", "core" }, "release mimic-iv-3.1 has no module 'core'. Its modules: hosp, icu, ed, note, derived.")]
    [InlineData(new[] { "catalog", "diff", "mimic-iv-2.2", "nope" }, "unknown release 'nope'")]
    [InlineData(new[] { "preview", "--stack", "bad/name" }, "--stack 'bad/name' is not a stack name")]
    [InlineData(new[] { "query", "--db", "/nonexistent/lab.duckdb", "SELECT 1" }, "no local lab at /nonexistent/lab.duckdb")]
    public void MistakesGetOneClearMessageAndExitCode2(string[] args, string expected)
    {
        var (code, stdout, stderr) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(expected, stderr);
    }

    [Theory]
    [InlineData("preview")]
    [InlineData("compile")]
    [InlineData("check")]
    [InlineData("notebook")]
    [InlineData("local")]
    [InlineData("query")]
    [InlineData("catalog list")]
    [InlineData("catalog show")]
    [InlineData("catalog diff")]
    [InlineData("pulumi-program")]
    public void EveryCommandHasHelp(string command)
    {
        var (code, stdout, _) = Cli.Run([.. command.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
        Assert.Contains(command.Split(' ').Last(), stdout);
    }

    [Fact]
    public void PreviewGraphIsAMermaidFlowchartOfEveryResource()
    {
        var (code, stdout, _) = Cli.Run(["preview", "--stack", "demo", "--graph"]);
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("flowchart LR", lines[0]);
        var program = new ParsedProgram(Labs.Compile(Labs.Demo));
        var nodes = lines.Where(l => l.Contains("[\"")).ToList();
        Assert.Equal(program.Resources.Count(), nodes.Count);
        string Id(string name) => nodes.Single(n => n.Contains($"[\"{name}<br/>")).Trim().Split('[')[0];
        Assert.Contains($"  {Id("workgroup")} --> {Id("resultsBucket")}", lines);
        Assert.Contains($"  {Id("table-hosp-admissions")} --> {Id("labDatabase")}", lines);
        Assert.Contains($"  {Id("notebook")} --> {Id("notebookRole")}", lines);
    }

    [Fact]
    public void PreviewSummarisesTheDemoLab()
    {
        var (code, stdout, stderr) = Cli.Run(["preview", "--stack", "demo"]);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("MIMIC-IV Demo 2.2 (mimic-iv-demo-2.2), open access", stdout);
        Assert.Contains("source      hosp: s3://physionet-open/mimic-iv-demo/2.2/hosp/", stdout);
        Assert.Contains("`pulumi up` would create 95 resources (plus 1 provider):", stdout);
        Assert.Contains("import      once, by the researcher as themselves", stdout);
        Assert.Contains("researcherImportPolicy IAM policy (JSON) to attach to the researcher's IAM user", stdout);
        Assert.Contains("    62  aws:glue/catalogTable:CatalogTable", stdout);
        Assert.Contains("Tables (31):", stdout);
        Assert.Contains("athenaConsoleUrl", stdout);
        // The query editor cannot be linked with a workgroup selected: the output says which to pick instead.
        Assert.Contains("athenaQueryEditorHint  Athena console > Query editor > Workgroup: mimic-demo-researc-demo-0cb55dbb > Database: mimic_demo_researc_demo_0cb55dbb", stdout);
        Assert.DoesNotContain("#/query-editor", stdout);
        Assert.DoesNotContain("${", stdout);   // values Pulumi computes are marked, never shown raw
    }

    [Fact]
    public void NotebookCommandPrintsTheNotebookOrSaysWhyNot()
    {
        var (code, stdout, _) = Cli.Run(["notebook", "--stack", "demo"]);
        Assert.Equal(0, code);
        Assert.Equal(4, JsonDocument.Parse(stdout).RootElement.GetProperty("nbformat").GetInt32());
        var (code2, _, stderr) = Cli.Run(["notebook", "--stack", "demo", "--cloud", "gcp"]);
        Assert.Equal(2, code2);
        Assert.Contains("stack demo has no GCP side; set mimic-infra:gcp to true.", stderr);
    }
}
