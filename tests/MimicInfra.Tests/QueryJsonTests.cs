using System.Text.Json;
using System.Text.Json.Nodes;

namespace MimicInfra.Tests;

public class QueryJsonTests(NotebookLab fixture) : IClassFixture<NotebookLab>
{
    [Fact]
    public void QueryJsonGivesEveryRowWithTypedValuesAndColumnTypes()
    {
        var (_, db) = fixture.Require();
        var (code, stdout, stderr) = Cli.Run(["query", "--db", db, "--json",
            "SELECT subject_id, gender, anchor_age * 1.5 AS age, dod, CAST(NULL AS INTEGER) AS nothing FROM patients ORDER BY subject_id"]);
        Assert.True(code == 0, stderr);
        var result = JsonNode.Parse(stdout)!;
        Assert.Equal(["SUBJECT_ID:INTEGER", "GENDER:VARCHAR", "AGE:DECIMAL", "DOD:DATE", "NOTHING:INTEGER"],
            result["columns"]!.AsArray().Select(c => $"{((string)c!["name"]!).ToUpperInvariant()}:{(string)c["type"]!}"));
        var rows = result["rows"]!.AsArray();
        Assert.Equal(100, rows.Count);   // every row of the demo's patients, no --max-rows cut
        Assert.Equal(JsonValueKind.Number, rows[0]![0]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, rows[0]![1]!.GetValueKind());
        Assert.Null(rows[0]![4]);
        Assert.Contains(rows, r => r![3] is JsonValue d && System.Text.RegularExpressions.Regex.IsMatch((string)d!, @"^\d{4}-\d{2}-\d{2}$"));
        // The example queries, each with its module, variable and title.
        var examples = JsonNode.Parse(Cli.Run(["query", "--db", db, "--json", "--examples"]).Out)!["examples"]!.AsArray();
        Assert.Equal(["admissions_per_year", "top_diagnoses", "icu_stays_by_unit"], examples.Select(e => (string)e!["name"]!));
        // A failing query: DuckDB's message, exit 2, nothing on stdout.
        var (code2, stdout2, stderr2) = Cli.Run(["query", "--db", db, "--json", "SELECT * FROM chartevents"]);
        Assert.Equal((2, ""), (code2, stdout2));
        Assert.Contains("the query failed: Catalog Error: Table with name chartevents does not exist!", stderr2);
    }
}
