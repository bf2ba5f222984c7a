using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MimicInfra.Tests;

/// <summary>
/// The demo lab built locally once, the Jupyter interpreter (nbclient, ipykernel, pandas, matplotlib) found once, for
/// the notebook executions. Under CI=true a missing tool fails the tests; elsewhere they skip with the reason.
/// </summary>
public sealed class NotebookLab : IDisposable
{
    private readonly Lazy<(string? Python, string? Db, string? Skip)> _setup;

    public NotebookLab() => _setup = new(Setup);

    public string Dir { get; } = Directory.CreateTempSubdirectory("notebooks-").FullName;

    public static string Fakes => Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "NotebookFakes");

    private static string Runner => Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "NotebookRunner", "execute_notebook.py");

    /// <summary>The interpreter with Jupyter's execution machinery, and the demo lab's DuckDB file; or a skip (a failure on CI).</summary>
    public (string Python, string Db) Require()
    {
        var data = Shared.Require("data/mimic-iv-demo-2.2");
        var (python, db, skip) = _setup.Value;
        if (skip is not null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(skip + " (.ci/run installs it)");
            Assert.Skip(skip);
        }
        _ = data;
        return (python!, db!);
    }

    private (string?, string?, string?) Setup()
    {
        // Debian's packages live in /usr/bin/python3; a python3 earlier on PATH (e.g. pyenv's) may lack them.
        string[] candidates = ["/usr/bin/python3", .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "python3"))];
        var python = candidates.Where(File.Exists).FirstOrDefault(p => Run(p, ["-c", "import nbclient, nbformat, ipykernel, pandas, matplotlib"]).Code == 0);
        if (python is null)
            return (null, null, "needs a python3 with nbclient, ipykernel, pandas and matplotlib (Debian: python3-nbclient python3-ipykernel jupyter-nbconvert python3-pandas python3-matplotlib) to execute the notebooks; none here");
        var db = Path.Combine(Dir, "demo.duckdb");
        var (code, _, err) = Cli.Run(["local", "--stack", "demo", "--data", Path.Combine(Shared.Root, "data", "mimic-iv-demo-2.2"), "--db", db, "--skip-missing"]);
        return code == 0 ? (python, db, null) : throw new InvalidOperationException("building the demo lab failed: " + err);
    }

    public bool HasRealDuckDb(string python) => Run(python, ["-c", "import duckdb"]).Code == 0;

    /// <summary>The executed notebook and the DataFrames it left in <paramref name="names"/>.</summary>
    public sealed record Execution(int Code, string Error, JsonObject Notebook, JsonObject? Frames, IReadOnlyList<JsonObject> Calls)
    {
        public IEnumerable<JsonObject> CodeCells => Notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string)c["cell_type"]! == "code");

        /// <summary>A cell's source, or an output's text: nbformat keeps either as one string or as a list of lines.</summary>
        public static string Text(JsonObject cell, string key = "source") => cell[key] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => (string)l!)),
            JsonValue text => (string)text!,
            _ => "",
        };
    }

    public Execution Execute(string python, string notebook, string name, IReadOnlyDictionary<string, string> env, bool allowErrors, bool fakes, params string[] names)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Dir, $"run-{Guid.NewGuid():N}")).FullName;
        var (source, target, frames, log) = (Path.Combine(dir, name + ".ipynb"), Path.Combine(dir, name + ".executed.ipynb"), Path.Combine(dir, "frames.json"), Path.Combine(dir, "calls.jsonl"));
        File.WriteAllText(source, notebook);
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in (string[])[Runner, source, target, frames, .. allowErrors ? ["--allow-errors"] : Array.Empty<string>(), .. names]) psi.ArgumentList.Add(a);
        if (fakes) psi.Environment["PYTHONPATH"] = Fakes;
        else psi.Environment.Remove("PYTHONPATH");
        psi.Environment["FAKE_MIMICINFRA"] = JsonSerializer.Serialize(new[] { DotnetHost, typeof(MimicInfra.Cli.App).Assembly.Location });
        psi.Environment["FAKE_CLOUD_LOG"] = log;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        psi.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir, "runtime");
        psi.Environment["IPYTHONDIR"] = Path.Combine(dir, "ipython");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"{name}: the notebook did not finish in 5 minutes"); }
        var error = e.Result + o.Result;
        Assert.True(File.Exists(target), $"{name}: no executed notebook written: {error}");
        var calls = File.Exists(log) ? File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!.AsObject()).ToList() : [];
        return new(p.ExitCode, error, JsonNode.Parse(File.ReadAllText(target))!.AsObject(),
            File.Exists(frames) ? JsonNode.Parse(File.ReadAllText(frames))!.AsObject() : null, calls);
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    private static (int Code, string Output) Run(string file, string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment.Remove("PYTHONPATH");
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
