using MimicInfra.Catalog;
using MimicInfra.Cli;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// The local derived build: concept scripts laid out as in a mimic-code checkout (tests/fixtures/mimic-code, our
/// own SQL) run unmodified against a lab built from a small catalog and CSV files of this test's own.
/// </summary>
public class ConceptBuildTests(ITestOutputHelper output)
{
    private const string FixtureCatalog = """
        release: fixture-1.0
        title: Fixture
        access: credentialed
        files: "{table}.csv"
        modules:
          - name: hosp
            schema: mimiciv_hosp
            tables:
              - name: patients
                columns:
                  - {name: subject_id, type: integer}
                  - {name: anchor_age, type: integer}
          - name: icu
            schema: mimiciv_icu
            tables:
              - name: icustays
                columns:
                  - {name: subject_id, type: integer}
                  - {name: stay_id, type: integer}
                  - {name: los, type: double}
              - name: chartevents
                columns:
                  - {name: stay_id, type: integer}
                  - {name: valuenum, type: double}
          - name: derived
            schema: mimiciv_derived
            concepts: {repository: MIT-LCP/mimic-code, sql: mimic-iv/concepts, duckdb: mimic-iv/concepts_duckdb}
            tables:
              - name: stay_age
                concept: {file: demographics/stay_age.sql, reads: [mimiciv_icu.icustays, mimiciv_hosp.patients]}
                columns:
                  - {name: subject_id, type: integer}
                  - {name: stay_id, type: integer}
                  - {name: age, type: integer}
                  - {name: los, type: "decimal(10,2)"}   # the script makes a DOUBLE
              - name: chart_count
                concept: {file: measurement/chart_count.sql, reads: [mimiciv_icu.chartevents]}
                columns:
                  - {name: stay_id, type: integer}
                  - {name: n, type: bigint}
              - name: first_day_sofa
                concept: {file: firstday/first_day_sofa.sql, needs: [stay_age]}
                columns:
                  - {name: subject_id, type: integer}
                  - {name: stay_id, type: integer}
                  - {name: sofa, type: integer}
              - name: broken
                concept: {file: score/broken.sql, reads: [mimiciv_icu.icustays]}
                columns:
                  - {name: stay_id, type: integer}
              - name: after_broken
                concept: {file: score/after_broken.sql, needs: [broken]}
                columns:
                  - {name: stay_id, type: integer}
              - name: not_in_checkout
                concept: {file: treatment/not_in_checkout.sql, reads: [mimiciv_hosp.patients]}
                columns:
                  - {name: subject_id, type: integer}
              - name: renamed
                concept: {file: score/renamed.sql, reads: [mimiciv_icu.icustays]}
                columns:
                  - {name: stay_id, type: integer}
                  - {name: los, type: double}
        """;

    private static readonly SchemaCatalog Catalog = CatalogLoader.Load([("schemas/fixture.yaml", FixtureCatalog)]);

    private static string Checkout => Path.Combine(Shared.RepoRoot, "tests", "fixtures", "mimic-code");

    /// <summary>Writes the fixture's source files (no chartevents, as in our demo copy) and builds a lab with its concepts.</summary>
    private static (LocalBuild Build, string Db) BuildFixtureLab(string dir, string? parquetFor = null)
    {
        Directory.CreateDirectory(Path.Combine(dir, "data", "hosp"));
        Directory.CreateDirectory(Path.Combine(dir, "data", "icu"));
        File.WriteAllText(Path.Combine(dir, "data", "hosp", "patients.csv"), "subject_id,anchor_age\n1,60\n2,71\n3,45\n");
        File.WriteAllText(Path.Combine(dir, "data", "icu", "icustays.csv"), "subject_id,stay_id,los\n1,10,0.4\n1,11,3.2\n2,20,1.1\n3,30,0.9\n");
        var release = Catalog.Find("fixture-1.0")!;
        var derived = release.FindModule("derived")!;
        var db = Path.Combine(dir, "lab.duckdb");
        var build = LocalLab.Build(release, release.Modules, Path.Combine(dir, "data"), db, skipMissing: true, _ => { },
            concepts: new ConceptScripts(derived, ConceptBuild.ScriptsFolder(Checkout, derived)));
        return (build, db);
    }

    [Fact]
    public void ConceptsRunInOrderAndEachReportsRowsOrWhyNot()
    {
        var dir = Directory.CreateTempSubdirectory("concepts-").FullName;
        try
        {
            var (build, _) = BuildFixtureLab(dir);
            foreach (var c in build.Concepts) output.WriteLine(c.ToString());
            var byName = build.Concepts.ToDictionary(c => c.Table);
            Assert.Equal(["stay_age", "chart_count", "first_day_sofa", "broken", "after_broken", "not_in_checkout", "renamed"], build.Concepts.Select(c => c.Table));

            Assert.Equal((ConceptOutcome.Built, 4L, (string?)null), (byName["stay_age"].Outcome, byName["stay_age"].Rows, byName["stay_age"].Reason));
            Assert.Equal((ConceptOutcome.Built, 4L), (byName["first_day_sofa"].Outcome, byName["first_day_sofa"].Rows));
            Assert.Equal(ConceptOutcome.Skipped, byName["chart_count"].Outcome);
            Assert.Equal("needs mimiciv_icu.chartevents, which this lab does not have", byName["chart_count"].Reason);
            Assert.Equal(ConceptOutcome.Failed, byName["broken"].Outcome);
            Assert.Contains("no_such_column", byName["broken"].Reason);
            Assert.Equal("needs mimiciv_derived.broken, which was not built", byName["after_broken"].Reason);
            Assert.Equal("the checkout has no treatment/not_in_checkout.sql", byName["not_in_checkout"].Reason);
            Assert.Equal((ConceptOutcome.Built, "columns differ from the catalog; extra: length_of_stay; missing: los"), (byName["renamed"].Outcome, byName["renamed"].Reason));
            Assert.True(byName["stay_age"].Seconds > 0);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BuiltConceptsAreQueryableByEveryNameAndTheDerivedExampleQueryRuns()
    {
        var dir = Directory.CreateTempSubdirectory("concepts-").FullName;
        try
        {
            var (_, db) = BuildFixtureLab(dir);
            using var conn = LocalLab.Open(db);
            foreach (var name in new[] { "mimiciv_derived.first_day_sofa", "derived.first_day_sofa", "first_day_sofa" })
                Assert.Equal(4L, LocalLab.Scalar(conn, $"SELECT count(*) FROM {name}"));

            // The lab records only the concepts it built; the derived query needs first_day_sofa, which it has.
            var modules = LocalLab.ModulesOf(conn, Catalog);
            var derived = Assert.Single(modules, m => m.IsDerived);
            Assert.Equal(["stay_age", "first_day_sofa", "renamed"], derived.Tables.Select(t => t.Name));
            var query = Assert.Single(ExampleQueries.For(modules), q => q.Module == "derived");
            Assert.Equal("First-day SOFA score distribution", query.Title);
            var result = LocalLab.Query(conn, query.Sql);
            Assert.Equal(["sofa", "stays"], result.Columns);
            // los 0.4, 3.2, 1.1, 0.9 -> floor(2 los) capped at 24: 0, 6, 2, 1
            Assert.Equal([(0, 1L), (1, 1L), (2, 1L), (6, 1L)], result.Rows.Select(r => (Convert.ToInt32(r[0]), Convert.ToInt64(r[1]))));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void WithoutItsTablesTheDerivedQueryIsNotOffered()
    {
        var derived = Catalog.Find("fixture-1.0")!.FindModule("derived")!;
        var without = derived with { Tables = derived.Tables.Where(t => t.Name != "first_day_sofa").ToList() };
        Assert.DoesNotContain(ExampleQueries.For([without]), q => q.Module == "derived");
        var (title, missing) = Assert.Single(ExampleQueries.Unavailable([without]));
        Assert.Equal(("First-day SOFA score distribution", "first_day_sofa"), (title, string.Join(",", missing)));
        Assert.Empty(ExampleQueries.Unavailable([derived]));
        Assert.Contains(ExampleQueries.For(Labs.Catalog.Find("mimic-iv-3.1")!.Modules), q => q.Module == "derived");
    }

    [Fact]
    public void ParquetExportWritesDerivedTablesInTheTableParquetLayout()
    {
        var dir = Directory.CreateTempSubdirectory("concepts-").FullName;
        try
        {
            var (build, db) = BuildFixtureLab(dir);
            var release = Catalog.Find("fixture-1.0")!;
            var rows = build.Concepts.Where(c => c.Outcome == ConceptOutcome.Built).Select(c => new LocalTable("derived", c.Table, c.File, c.Rows, 0, c.Seconds));
            var files = ParquetExport.Write(db, release.Modules, [.. build.Tables, .. rows], Path.Combine(dir, "out"), _ => { });
            var sofa = Path.Combine(dir, "out", "derived", "first_day_sofa", "first_day_sofa.parquet");
            Assert.Contains(files, f => f.Path == sofa);
            using var conn = LocalLab.Open(db);
            Assert.Equal(4L, LocalLab.Scalar(conn, $"SELECT count(*) FROM read_parquet({DuckDbSql.Literal(sofa)})"));
            // The lab keeps the script's types; its Parquet copy has the catalog's.
            var ageFile = Path.Combine(dir, "out", "derived", "stay_age", "stay_age.parquet");
            Assert.Equal("DOUBLE", LocalLab.Query(conn, "SELECT data_type FROM information_schema.columns WHERE table_name = 'stay_age' AND column_name = 'los'").Rows[0][0]);
            var types = LocalLab.Query(conn, $"DESCRIBE SELECT * FROM read_parquet({DuckDbSql.Literal(ageFile)})").Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
            Assert.Equal("DECIMAL(10,2)", types["los"]);
            Assert.Equal(3.2m, LocalLab.Query(conn, $"SELECT los FROM read_parquet({DuckDbSql.Literal(ageFile)}) WHERE stay_id = 11").Rows[0][0]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ScriptsFolderIsFoundInACheckoutOrGivenDirectlyAndAWrongFolderIsNamed()
    {
        var derived = Catalog.Find("fixture-1.0")!.FindModule("derived")!;
        var scripts = Path.Combine(Checkout, "mimic-iv", "concepts_duckdb");
        Assert.Equal(scripts, ConceptBuild.ScriptsFolder(Checkout, derived));
        Assert.Equal(scripts, ConceptBuild.ScriptsFolder(scripts, derived));
        var e = Assert.Throws<UserError>(() => ConceptBuild.ScriptsFolder(Path.Combine(Shared.RepoRoot, "schemas"), derived));
        Assert.Contains("holds no MIT-LCP/mimic-code DuckDB concept scripts: expected mimic-iv/concepts_duckdb/<group>/<table>.sql", e.Message);
    }

    [Fact]
    public void LocalCommandBuildsDerivedFromACheckoutOrSaysHow()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var dir = Directory.CreateTempSubdirectory("cli-concepts-").FullName;
        try
        {
            // Our fixture scripts are not the real catalog's concepts: every one is reported, none is in the checkout.
            var db = Path.Combine(dir, "demo.duckdb");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", "demo", "--data", data, "--skip-missing", "--db", db, "--concepts", Checkout, "--in-place"]);
            Assert.True(code == 0, stderr);
            Assert.Contains("mimiciv_derived: 0 built, 0 failed, 65 skipped of 65", stdout);
            Assert.Contains("skipped: needs mimiciv_icu.chartevents, which this lab does not have", stdout);

            (code, stdout, _) = Cli.Run(["local", "--stack", "demo", "--data", data, "--skip-missing", "--db", db, "--in-place"]);
            Assert.Equal(0, code);
            Assert.Contains("mimiciv_derived not built: pass --concepts <a checkout of MIT-LCP/mimic-code>", stdout);

            // A stack that leaves the module out, and a folder that is not a checkout, are told so before anything is built.
            var stacks = Directory.CreateDirectory(Path.Combine(dir, "stacks")).FullName;
            File.WriteAllText(Path.Combine(stacks, "Pulumi.nod.yaml"), File.ReadAllText(Path.Combine(Shared.RepoRoot, "stacks", "Pulumi.demo.yaml")) + "  mimic-infra:modules: [hosp, icu]\n");
            var other = Path.Combine(dir, "other.duckdb");
            string stderr2;
            (code, _, stderr2) = Cli.Run(["local", "--stack", "nod", "--stacks-dir", stacks, "--data", data, "--skip-missing", "--db", other, "--concepts", Checkout]);
            Assert.Equal(2, code);
            Assert.Contains("--concepts: stack nod leaves the derived module out (modules); add it, or drop --concepts.", stderr2);
            (code, _, stderr2) = Cli.Run(["local", "--stack", "demo", "--data", data, "--skip-missing", "--db", other, "--concepts", stacks]);
            Assert.Equal(2, code);
            Assert.Contains("holds no MIT-LCP/mimic-code DuckDB concept scripts", stderr2);
            Assert.False(File.Exists(other));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A copy of the fixture checkout, with some scripts replaced.</summary>
    private static string CheckoutWith(string dir, Dictionary<string, string> scripts)
    {
        var copy = Path.Combine(dir, "mimic-code");
        foreach (var f in Directory.GetFiles(Checkout, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Checkout, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        foreach (var (file, sql) in scripts)
        {
            var path = Path.Combine(copy, "mimic-iv", "concepts_duckdb", file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, sql);
        }
        return copy;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConceptScriptsCannotReadFilesOutsideTheLabLoadExtensionsOrUnlockTheSettings(bool inPlace)
    {
        var dir = Directory.CreateTempSubdirectory("concepts-lock-").FullName;
        try
        {
            var checkout = CheckoutWith(dir, new()
            {
                ["score/broken.sql"] = "CREATE TABLE mimiciv_derived.broken AS SELECT 1 AS stay_id FROM read_text('/etc/passwd')",
                ["score/renamed.sql"] = "SET enable_external_access = true; CREATE TABLE mimiciv_derived.renamed AS SELECT stay_id, los FROM mimiciv_icu.icustays",
                ["treatment/not_in_checkout.sql"] = "LOAD httpfs; CREATE TABLE mimiciv_derived.not_in_checkout AS SELECT subject_id FROM mimiciv_hosp.patients",
            });
            Directory.CreateDirectory(Path.Combine(dir, "data", "hosp"));
            Directory.CreateDirectory(Path.Combine(dir, "data", "icu"));
            File.WriteAllText(Path.Combine(dir, "data", "hosp", "patients.csv"), "subject_id,anchor_age\n1,60\n2,71\n3,45\n");
            File.WriteAllText(Path.Combine(dir, "data", "icu", "icustays.csv"), "subject_id,stay_id,los\n1,10,0.4\n1,11,3.2\n2,20,1.1\n3,30,0.9\n");
            var release = Catalog.Find("fixture-1.0")!;
            var derived = release.FindModule("derived")!;
            // In place, through a link to the data folder (as a user's `path/to/...` often is).
            var linked = Directory.CreateSymbolicLink(Path.Combine(dir, "linked-data"), Path.Combine(dir, "data")).FullName;
            var build = LocalLab.Build(release, release.Modules, inPlace ? linked : Path.Combine(dir, "data"), Path.Combine(dir, "lab.duckdb"), skipMissing: true, _ => { },
                inPlace, new ConceptScripts(derived, ConceptBuild.ScriptsFolder(checkout, derived)));
            var byName = build.Concepts.ToDictionary(c => c.Table);
            foreach (var c in build.Concepts) output.WriteLine(c.ToString());

            // The lab's own tables (in place: views over the CSV files) still serve the concepts that read them.
            Assert.Equal((ConceptOutcome.Built, 4L), (byName["stay_age"].Outcome, byName["stay_age"].Rows));
            Assert.Equal((ConceptOutcome.Built, 4L), (byName["first_day_sofa"].Outcome, byName["first_day_sofa"].Rows));
            Assert.Equal(ConceptOutcome.Failed, byName["broken"].Outcome);
            Assert.Contains("/etc/passwd", byName["broken"].Reason);
            Assert.Contains("Permission Error: Cannot access file", byName["broken"].Reason);
            Assert.Equal(ConceptOutcome.Failed, byName["renamed"].Outcome);
            Assert.Contains("configuration has been locked", byName["renamed"].Reason);
            Assert.Equal(ConceptOutcome.Failed, byName["not_in_checkout"].Outcome);
            Assert.Contains("Loading external extensions is disabled", byName["not_in_checkout"].Reason);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", "-C", dir, .. args]) start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(" ", args)}: {p.StandardError.ReadToEnd()}");
    }

    [Fact]
    public void TheCheckoutsCommitIsRecordedAndADirtyTreeIsRefusedUnlessAllowed()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var dir = Directory.CreateTempSubdirectory("concepts-git-").FullName;
        try
        {
            var checkout = CheckoutWith(dir, []);
            var db = Path.Combine(dir, "demo.duckdb");
            string[] args = ["local", "--stack", "demo", "--data", data, "--skip-missing", "--db", db, "--concepts", checkout, "--in-place"];

            // Not a git checkout: the commit cannot be recorded.
            var (code, _, stderr) = Cli.Run(args);
            Assert.Equal(2, code);
            Assert.Contains("is not in a git checkout", stderr);
            Assert.Contains("or pass --allow-dirty to run it unrecorded", stderr);

            Git(checkout, "init", "-q");
            Git(checkout, "add", "-A");
            Git(checkout, "commit", "-q", "-m", "fixture");
            var head = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["-C", checkout, "rev-parse", "HEAD"]) { RedirectStandardOutput = true })!;
            var commit = head.StandardOutput.ReadToEnd().Trim();
            head.WaitForExit();
            string stdout;
            (code, stdout, stderr) = Cli.Run(args);
            Assert.True(code == 0, stderr);
            Assert.Contains($"(commit {commit})", stdout);
            using (var conn = LocalLab.Open(db))
                Assert.Equal(commit, LocalLab.Query(conn, "SELECT value FROM main._metadata WHERE attribute = 'concepts_commit'").Rows[0][0]);

            // A changed script is not the commit's SQL.
            File.AppendAllText(Path.Combine(checkout, "mimic-iv", "concepts_duckdb", "score", "broken.sql"), "\n-- changed\n");
            (code, _, stderr) = Cli.Run(args);
            Assert.Equal(2, code);
            Assert.Contains($"1 file(s) in {Path.Combine(checkout, "mimic-iv", "concepts_duckdb")} differ from commit {commit[..12]} (e.g. M mimic-iv/concepts_duckdb/score/broken.sql)", stderr);
            (code, stdout, stderr) = Cli.Run([.. args, "--allow-dirty"]);
            Assert.True(code == 0, stderr);
            Assert.Contains($"(commit {commit} with local changes (--allow-dirty))", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }
}
