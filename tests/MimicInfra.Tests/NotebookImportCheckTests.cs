namespace MimicInfra.Tests;

public class NotebookImportCheckTests
{
    [Fact]
    public void TheExampleNotebookChecksTheImportAndSaysHowToRunIt()
    {
        var nb = System.Text.Json.JsonDocument.Parse(Workspace.Notebook(Workspace.Demo)).RootElement;
        var cells = nb.GetProperty("cells").EnumerateArray()
            .Select(c => (Type: c.GetProperty("cell_type").GetString(), Text: string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))).ToList();
        var check = cells.Single(c => c.Text.Contains("imports/import.json"));
        Assert.Equal("code", check.Type);
        Assert.Contains("[\"Parameters\"][\"mimic_lab_data_bucket\"]", check.Text);
        Assert.Contains("The lab's data has not been imported yet", check.Text);
        var how = cells.Single(c => c.Type == "markdown" && c.Text.Contains("## Is the lab's data there?"));
        Assert.Contains("sha256sum -c - && python3 mimic-lab-import.py --data-bucket \"$DATA_BUCKET\"", how.Text);
        Assert.DoesNotContain("aws glue", how.Text);
        // It comes before the first query, so a researcher sees it first.
        Assert.True(cells.IndexOf(check) < cells.FindIndex(c => c.Text.Contains(" = run(\"\"\"", StringComparison.Ordinal)));

        // Every code cell is valid Python.
        var python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);
        if (python is null) Assert.Skip("needs python3 on PATH to compile the notebook's cells");
        foreach (var (type, text) in cells.Where(c => c.Type == "code"))
        {
            var psi = new System.Diagnostics.ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import sys; compile(sys.stdin.read(), 'cell', 'exec')");
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.StandardInput.Write(text);
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{err}\n{text}");
        }
    }

    [Fact]
    public void ALabReadingInPlaceHasNoImportCheck() =>
        Assert.DoesNotContain("imports/import.json", Workspace.Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(("sourceInPlace", "true"))))));
}
