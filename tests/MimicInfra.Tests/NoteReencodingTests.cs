using System.Diagnostics;
using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// The re-encoding of note files (CSV with quoted line breaks into JSON Lines) is exact: every value of every hostile
/// note file reads the same, through the same typed casts, as the local lab reads the CSV itself (DuckDB).
/// </summary>
public class NoteReencodingTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryValueOfHostileNoteFilesRoundTripsExactlyAgainstTheLocalLabsReading()
    {
        var python = ImportScriptTests.RequirePython();
        var lab = LabSettingsReader.Read(Labs.Config("notes", [.. Labs.Basics, ("release", "mimic-iv-note-2.2"),
            ("sourceUri", "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/mimic-iv-note/2.2/")]), Labs.Catalog);
        var plan = ImportPlan.For(lab);
        Assert.All(plan.Tables, t => Assert.True(t.Reencoded));
        var dir = Directory.CreateTempSubdirectory("notes-").FullName;
        var script = Path.Combine(dir, ImportScript.FileName);
        File.WriteAllText(script, ImportScript.Build(plan));
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        foreach (var t in plan.Tables)
        {
            var csv = Path.Combine(dir, $"{t.Table.Name}.csv.gz");
            HostileNotes.Write(csv, t.Table, 60);
            var staged = Path.Combine(dir, $"{t.Table.Name}-staged");
            Directory.CreateDirectory(staged);
            // The script's own re-encoder, over a local file, writing its parts locally (small parts: several files).
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import runpy, sys; m = runpy.run_path(sys.argv[1]); sys.exit(m['reencode_file'](sys.argv[2], sys.argv[3], sys.argv[4].split(','), 200000))");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(csv);
            psi.ArgumentList.Add(staged);
            psi.ArgumentList.Add(string.Join(",", t.Table.Columns.Select(c => c.Name)));
            psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            using (var p = Process.Start(psi)!)
            {
                var o = p.StandardOutput.ReadToEnd();
                var e = p.StandardError.ReadToEnd();
                p.WaitForExit();
                output.WriteLine(o + e);
                Assert.True(p.ExitCode == 0, o + e);
            }
            var parts = Directory.GetFiles(staged, "*.json.gz");
            if (t.Table.Name is "discharge" or "radiology") Assert.True(parts.Length > 1, "the long texts fill several parts");

            // The local lab's reading of the CSV, and the JSON Lines read as the import's raw table declares them (all text).
            var local = LocalLab.Query(db, TypedViewSql.ViewQuery(t.Table, DuckDbSql.RawRelation(csv, t.Table), Dialect.DuckDb)).Rows;
            var columns = string.Join(", ", t.Table.Columns.Select(c => $"{DuckDbSql.Literal(c.Name)}: 'VARCHAR'"));
            var json = $"read_json({DuckDbSql.Literal(Path.Combine(staged, "*.json.gz"))}, format = 'newline_delimited', columns = {{{columns}}})";
            var cloud = LocalLab.Query(db, TypedViewSql.ViewQuery(t.Table, json, Dialect.DuckDb)).Rows;
            Assert.Equal(60, local.Count);
            Assert.Equal(local.Count, cloud.Count);
            for (var r = 0; r < local.Count; r++)
                for (var c = 0; c < t.Table.Columns.Count; c++)
                    Assert.True(Equals(local[r][c], cloud[r][c]), $"{t.Table.Name} row {r} column {t.Table.Columns[c].Name}: local {Show(local[r][c])}, re-encoded {Show(cloud[r][c])}");
            // And both are the text written, not merely the same reading of something else.
            for (var r = 0; r < local.Count; r++)
                for (var c = 0; c < t.Table.Columns.Count; c++)
                    if (t.Table.Columns[c].Type.IsString)
                    {
                        var written = HostileNotes.ValueOf(t.Table.Columns[c], r, c);
                        Assert.Equal(written.Length == 0 ? null : written, (string?)cloud[r][c]);
                    }
        }
    }

    [Fact]
    public void ACredentialedLabOfEveryModuleFromPhysioNetsFilesCompilesAndChecksClean()
    {
        var stack = ImportScriptTests.Every31;
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        Assert.Equal(["hosp", "icu", "ed", "note"], lab.Modules.Select(m => m.Name));
        Assert.NotNull(lab.AwsDerived);
        var text = Labs.Compile(stack);
        Assert.Empty(new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(text).Problems);
        Assert.Empty(MimicInfra.Check.LabRules.Check(text, lab));
        var program = new ParsedProgram(text);
        // The notes' raw tables read the re-encoded JSON Lines; every other CSV table stays on the CSV reader.
        var discharge = program.Named("import-note-discharge");
        Assert.Equal("org.apache.hive.hcatalog.data.JsonSerDe", discharge.At("storageDescriptor", "serDeInfo", "serializationLibrary"));
        Assert.Equal("json", discharge.At("parameters", "classification"));
        Assert.Equal("org.apache.hadoop.hive.serde2.OpenCSVSerde", program.Named("import-hosp-admissions").At("storageDescriptor", "serDeInfo", "serializationLibrary"));
        // The researcher's policy reads the notes through their own project's access point.
        var read = program.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).Single(s => (string)s["Sid"] == "ReadTheSource");
        Assert.Contains("arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/object/mimic-iv-note/2.2/note/*", read["Resource"].List());
        Assert.True(MimicInfra.Sources.Importable.CanImport(lab.Aws!.Sources.Layout, lab.Modules.Single(m => m.Name == "note")));
    }

    private static string Show(object? v) => v is null ? "NULL" : v is string s ? System.Text.Json.JsonSerializer.Serialize(s.Length > 80 ? s[..80] + "..." : s) : v.ToString()!;
}
