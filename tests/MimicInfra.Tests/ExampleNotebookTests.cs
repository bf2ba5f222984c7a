using System.Text.Json;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

public class ExampleNotebookTests
{
    private static JsonElement Parse(ParsedProgram p) => JsonDocument.Parse(Workspace.Notebook(p)).RootElement;

    private static string Text(JsonElement cell) => string.Concat(cell.GetProperty("source").EnumerateArray().Select(l => l.GetString()));

    [Fact]
    public void NotebookIsNbformat4WithKernelAndValidCells()
    {
        var nb = Parse(Workspace.Demo);
        Assert.Equal(4, nb.GetProperty("nbformat").GetInt32());
        Assert.Equal(5, nb.GetProperty("nbformat_minor").GetInt32());
        var kernel = nb.GetProperty("metadata").GetProperty("kernelspec");
        Assert.Equal("conda_python3", kernel.GetProperty("name").GetString());
        Assert.Equal("python", kernel.GetProperty("language").GetString());
        Assert.False(string.IsNullOrEmpty(kernel.GetProperty("display_name").GetString()));
        var ids = new HashSet<string>();
        foreach (var cell in nb.GetProperty("cells").EnumerateArray())
        {
            Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", cell.GetProperty("id").GetString()!);
            Assert.True(ids.Add(cell.GetProperty("id").GetString()!));
            Assert.Equal(JsonValueKind.Object, cell.GetProperty("metadata").ValueKind);
            var type = cell.GetProperty("cell_type").GetString();
            Assert.Contains(type, new[] { "markdown", "code" });
            if (type == "code")
            {
                Assert.Equal(JsonValueKind.Null, cell.GetProperty("execution_count").ValueKind);
                Assert.Equal(0, cell.GetProperty("outputs").GetArrayLength());
            }
            var lines = cell.GetProperty("source").EnumerateArray().Select(l => l.GetString()!).ToList();
            Assert.All(lines.SkipLast(1), l => Assert.EndsWith("\n", l));
        }
        var all = string.Join("\n", nb.GetProperty("cells").EnumerateArray().Select(Text));
        Assert.Contains("WORKGROUP = \"mimic-demo-researc-demo-0cb55dbb\"", all);
        Assert.Contains("DATABASE = \"mimic_demo_researc_demo_0cb55dbb\"", all);
        Assert.Contains("import boto3", all);
        Assert.Contains("get_work_group", all);   // finds the results bucket from the workgroup
    }

    [Fact]
    public void BigQueryNotebookIsNbformat4AndUsesTheLabDatasets()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31(), Labs.Catalog);
        var nb = JsonDocument.Parse(ExampleNotebook.BuildForBigQuery(lab)).RootElement;
        Assert.Equal(4, nb.GetProperty("nbformat").GetInt32());
        Assert.Equal("python3", nb.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        var all = string.Join("\n", nb.GetProperty("cells").EnumerateArray().Select(Text));
        Assert.Contains("PROJECT = \"mimic-research-1\"", all);
        Assert.Contains("\"hosp\": \"mimic_jdoe_sepsis_", all);
        Assert.Contains("default_dataset=", all);
        Assert.Contains("\"\"\", \"icu\")", all);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    public void EverySqlCellNamesOnlyCatalogTablesAndColumns(string cloud)
    {
        var notebook = cloud == "aws"
            ? JsonDocument.Parse(Workspace.Notebook(new ParsedProgram(Labs.Compile(Labs.Full31())))).RootElement
            : JsonDocument.Parse(ExampleNotebook.BuildForBigQuery(LabSettingsReader.Read(Gcp.Only31(), Labs.Catalog))).RootElement;
        var release = Labs.Catalog.Find("mimic-iv-3.1")!;
        // A derived table may share a source table's name (derived.vitalsign, ed.vitalsign): either's columns.
        var columnsOf = release.AllTables.GroupBy(x => x.Table.Name).ToDictionary(g => g.Key, g => g.SelectMany(x => x.Table.Columns.Select(c => c.Name)).ToHashSet());
        // Each example's cell keeps its result in a variable: `name = run("""SQL""", ...)`.
        var sqlCells = notebook.GetProperty("cells").EnumerateArray().Select(Text).Where(t => System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z_0-9]+ = run\\(\"\"\"")).ToList();
        // One or two per module: hosp x2, icu, ed, note, and on BigQuery (which has the derived views) derived.
        Assert.Equal(cloud == "aws" ? 5 : 6, sqlCells.Count);
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        foreach (var cell in sqlCells)
        {
            var sql = cell[(cell.IndexOf("run(\"\"\"", StringComparison.Ordinal) + "run(\"\"\"".Length)..cell.LastIndexOf("\"\"\"", StringComparison.Ordinal)];
            var ast = JsonDocument.Parse((string)LocalLab.Query(db, $"SELECT json_serialize_sql({DuckDbSql.Literal(sql)})").Rows[0][0]!).RootElement;
            Assert.False(ast.GetProperty("error").GetBoolean(), sql);
            var (tables, columns, aliases) = Names(ast);
            Assert.NotEmpty(tables);
            Assert.All(tables, t => Assert.True(columnsOf.ContainsKey(t), $"{t} is not a catalog table"));
            var known = tables.SelectMany(t => columnsOf[t]).Concat(aliases).ToHashSet();
            Assert.All(columns, c => Assert.True(known.Contains(c), $"column {c} is in none of {string.Join(", ", tables)}"));
        }
    }

    /// <summary>Tables, column references (last name part) and select aliases in DuckDB's parse of a query.</summary>
    private static (HashSet<string> Tables, HashSet<string> Columns, HashSet<string> Aliases) Names(JsonElement ast)
    {
        var (tables, columns, aliases) = (new HashSet<string>(), new HashSet<string>(), new HashSet<string>());
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) { foreach (var x in e.EnumerateArray()) Walk(x); return; }
            if (e.ValueKind != JsonValueKind.Object) return;
            if (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "BASE_TABLE") tables.Add(e.GetProperty("table_name").GetString()!);
            if (e.TryGetProperty("class", out var c) && c.GetString() == "COLUMN_REF") columns.Add(e.GetProperty("column_names").EnumerateArray().Last().GetString()!);
            if (e.TryGetProperty("alias", out var a) && a.ValueKind == JsonValueKind.String && a.GetString()!.Length > 0) aliases.Add(a.GetString()!);
            foreach (var p in e.EnumerateObject()) Walk(p.Value);
        }
        Walk(ast);
        return (tables, columns, aliases);
    }
}
