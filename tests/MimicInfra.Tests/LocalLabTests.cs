using System.Globalization;
using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Cli;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

public partial class LocalLabTests(ITestOutputHelper output)
{
    /// <summary>Row counts per file from ../shared/data/README.md (data rows, header not counted).</summary>
    private static Dictionary<string, long> ReadmeRowCounts(string folder)
    {
        var readme = File.ReadAllText(Shared.Require(Path.Combine("data", "README.md")));
        var section = readme[readme.IndexOf($"`{folder}/`", StringComparison.Ordinal)..];
        var next = section.IndexOf("\n## ", 1, StringComparison.Ordinal);
        if (next > 0) section = section[..next];
        return ReadmeRow().Matches(section).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\| `([^`]+\.csv(?:\.gz)?)` \| [0-9,]+ \| ([0-9,]+) \|", RegexOptions.Multiline)]
    private static partial Regex ReadmeRow();

    public static TheoryData<string, bool> Demos => new()
    {
        { "mimic-iv-demo-2.2", false }, { "mimic-iv-ed-demo-2.2", false }, { "mimic-iii-demo-1.4", false },
        { "mimic-iv-demo-2.2", true }, { "mimic-iii-demo-1.4", true },
    };

    [Theory]
    [MemberData(nameof(Demos))]
    public void DemoLabHasTheReadmeRowCountsAndRunsTheExampleQueries(string folder, bool inPlace)
    {
        var data = Shared.Require(Path.Combine("data", folder));
        var release = Labs.Catalog.Find(folder)!;
        var db = Path.Combine(Path.GetTempPath(), $"lab-{Guid.NewGuid():N}.duckdb");
        try
        {
            var build = LocalLab.Build(release, release.Modules, data, db, skipMissing: true, _ => { }, inPlace);
            var expected = ReadmeRowCounts(folder);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Keys.Where(k => k != "demo_subject_id.csv").Order(), build.Tables.Select(t => t.File).Order());
            foreach (var t in build.Tables) Assert.Equal(expected[t.File], t.Rows);

            using var conn = LocalLab.Open(db);
            foreach (var t in build.Tables)
            {
                var module = release.FindModule(t.Module)!;
                Assert.Equal(t.Rows, LocalLab.Scalar(conn, $"SELECT count(*) FROM \"{module.Schema}\".\"{t.Table}\""));   // mimic-code's name
                Assert.Equal(t.Rows, LocalLab.Scalar(conn, $"SELECT count(*) FROM \"{t.Module}\".\"{t.Table}\""));        // the short name
                Assert.Equal(t.Rows, LocalLab.Scalar(conn, $"SELECT count(*) FROM \"{t.Table}\""));                         // unqualified
                var kind = (string)LocalLab.Query(conn, "SELECT table_type FROM information_schema.tables WHERE table_catalog = current_database() " +
                    $"AND table_schema = '{module.Schema}' AND table_name = '{t.Table}'").Rows[0][0]!;
                Assert.Equal(inPlace ? "VIEW" : "BASE TABLE", kind);
            }

            var queries = ExampleQueries.For(LocalLab.ModulesOf(conn, Labs.Catalog));
            Assert.NotEmpty(queries);
            foreach (var q in queries)
                Assert.True(LocalLab.Query(conn, q.Sql).Rows.Count > 0, $"example '{q.Title}' returned no rows");
            output.WriteLine($"{folder}: {build.Tables.Count} tables, {build.Tables.Sum(t => t.Rows):N0} rows in {build.Seconds:F2} s, " +
                             $"{new FileInfo(db).Length:N0} bytes; missing: {string.Join(", ", build.Missing)}; {queries.Count} example queries ran");
        }
        finally { File.Delete(db); }
    }

    /// <summary>
    /// Every value of every demo file survives into the stored tables: the table equals the typed reading of
    /// its file both ways (EXCEPT ALL keeps duplicates), and text such as emar_detail's "units\ 0 units" keeps
    /// its backslash (Athena's OpenCSVSerDe with escapeChar '\' drops it).
    /// </summary>
    [Theory]
    [InlineData("mimic-iv-demo-2.2")]
    [InlineData("mimic-iv-ed-demo-2.2")]
    [InlineData("mimic-iii-demo-1.4")]
    public void EveryDemoValueRoundTripsIntoTheStoredTables(string folder)
    {
        var data = Shared.Require(Path.Combine("data", folder));
        var release = Labs.Catalog.Find(folder)!;
        var db = Path.Combine(Path.GetTempPath(), $"lab-{Guid.NewGuid():N}.duckdb");
        try
        {
            var build = LocalLab.Build(release, release.Modules, data, db, skipMissing: true, _ => { });
            using var conn = LocalLab.Open(db);
            long values = 0;
            foreach (var t in build.Tables)
            {
                var module = release.FindModule(t.Module)!;
                var table = module.FindTable(t.Table)!;
                var reading = TypedViewSql.ViewQuery(table, DuckDbSql.RawRelation(Path.Combine(data, t.File), table), Dialect.DuckDb);
                var stored = $"SELECT * FROM {LocalLab.QualifiedName(module, table)}";
                Assert.Equal(0, LocalLab.Scalar(conn, $"SELECT count(*) FROM (({reading}) EXCEPT ALL ({stored}))"));
                Assert.Equal(0, LocalLab.Scalar(conn, $"SELECT count(*) FROM (({stored}) EXCEPT ALL ({reading}))"));
                values += t.Rows * table.Columns.Count;
            }
            if (folder == "mimic-iv-demo-2.2")
            {
                var inFile = ReadAllText(Path.Combine(data, "hosp", "emar_detail.csv.gz")).Split('\n').Count(l => l.Contains("units\\ 0 units"));
                Assert.Equal(2, inFile);
                Assert.Equal(inFile, LocalLab.Scalar(conn, "SELECT count(*) FROM mimiciv_hosp.emar_detail WHERE dose_given_unit = 'units\\ 0 units'"));
            }
            output.WriteLine($"{folder}: {build.Tables.Count} tables, {values:N0} values round-trip");
        }
        finally { File.Delete(db); }
    }

    private static string ReadAllText(string gz)
    {
        using var stream = new System.IO.Compression.GZipStream(File.OpenRead(gz), System.IO.Compression.CompressionMode.Decompress);
        return new StreamReader(stream).ReadToEnd();
    }

    [Fact]
    public void MissingFilesStopTheBuildUnlessSkippedAndNameEachFile()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var release = Labs.Catalog.Find("mimic-iv-demo-2.2")!;
        var db = Path.Combine(Path.GetTempPath(), $"lab-{Guid.NewGuid():N}.duckdb");
        var e = Assert.Throws<UserError>(() => LocalLab.Build(release, release.Modules, data, db, skipMissing: false, _ => { }));
        Assert.Contains("icu/chartevents.csv.gz", e.Message);
        Assert.Contains("--skip-missing", e.Message);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void ParquetExportKeepsEveryRowAndScansLessForTheExamples()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var release = Labs.Catalog.Find("mimic-iv-demo-2.2")!;
        var modules = release.Modules.Where(m => m.Name == "hosp").ToList();
        var db = Path.Combine(Path.GetTempPath(), $"lab-{Guid.NewGuid():N}.duckdb");
        var dir = Directory.CreateTempSubdirectory("parquet-").FullName;
        try
        {
            var build = LocalLab.Build(release, modules, data, db, skipMissing: true, _ => { });
            var files = ParquetExport.Write(db, modules, build.Tables, dir, _ => { });
            Assert.Equal(build.Tables.Count, files.Count);
            using var conn = LocalLab.Open(db);
            foreach (var f in files)
            {
                Assert.Equal(Path.Combine(dir, f.Module, f.Table, f.Table + ".parquet"), f.Path);   // the table-parquet layout
                Assert.Equal(build.Tables.Single(t => t.Table == f.Table).Rows, LocalLab.Scalar(conn, $"SELECT count(*) FROM read_parquet('{f.Path}')"));
            }
            var scans = ParquetExport.Scans(db, ExampleQueries.For(modules), modules, files);
            var perYear = scans.Single(s => s.Title == "Admissions per year");
            Assert.Equal(["hosp.admissions"], perYear.Tables);
            Assert.True(perYear.ParquetBytes < perYear.CsvBytes / 2, $"{perYear.ParquetBytes} vs {perYear.CsvBytes}");
            foreach (var s in scans) output.WriteLine($"{s.Title}: csv.gz {s.CsvBytes:N0} B, parquet {s.ParquetBytes:N0} B");
            output.WriteLine($"hosp: csv.gz {files.Sum(f => f.CsvBytes):N0} B, parquet {files.Sum(f => f.ParquetBytes):N0} B");
        }
        finally
        {
            File.Delete(db);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ABrokenFileLeavesNothingBehind()
    {
        var dir = Directory.CreateTempSubdirectory("broken-").FullName;
        var db = Path.Combine(dir, "lab.duckdb");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "m"));
            File.WriteAllText(Path.Combine(dir, "m", "t.csv"), "a,b\n1,\"unterminated\n");
            var table = new Table("t", null, [new Column("a", ColumnType.Integer, true, null), new Column("b", ColumnType.Text, true, null)]);
            var module = new Module("m", "x", "m", "{table}.csv", null, null, [table]);
            var release = new Release("x", "X", Access.Open, null, null, [module]);
            var e = Assert.Throws<UserError>(() => LocalLab.Build(release, [module], dir, db, false, _ => { }));
            Assert.Contains("nothing was written", e.Message);
            Assert.Empty(Directory.GetFiles(dir, "lab.duckdb*"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ExampleQueriesNameOnlyCatalogTables()
    {
        foreach (var release in Labs.Catalog.Releases)
        {
            var tables = release.AllTables.Select(x => x.Table.Name).ToHashSet();
            foreach (var q in ExampleQueries.For(release.Modules))
                foreach (Match m in FromOrJoin().Matches(q.Sql))
                    Assert.Contains(m.Groups[1].Value, tables);
        }
        Assert.Equal(["Admissions per year", "Top 10 diagnoses", "ICU length of stay by first care unit", "ED stays by disposition", "Notes per type", "First-day SOFA score distribution"],
            ExampleQueries.For(Labs.Catalog.Find("mimic-iv-3.1")!.Modules).Select(q => q.Title));
    }

    [GeneratedRegex(@"(?m)^(?:FROM|JOIN) ([a-z_0-9]+)")]
    private static partial Regex FromOrJoin();

    [Fact]
    public void LocalAndQueryCommandsWorkFromTheCommandLine()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = Directory.CreateTempSubdirectory("cli-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.ed.yaml"),
                "config:\n  mimic-infra:release: mimic-iv-ed-demo-2.2\n  mimic-infra:researcher: r\n  mimic-infra:study: s\n  mimic-infra:expires: \"2027-01-01\"\n");
            var db = Path.Combine(dir, "ed.duckdb");
            var parquet = Path.Combine(dir, "parquet");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", "ed", "--stacks-dir", dir, "--data", data, "--db", db, "--parquet", parquet]);
            Assert.True(code == 0, stderr);
            Assert.Contains("built 6 tables, 5,873 rows", stdout);
            Assert.Contains("[6/6] ", stderr);
            Assert.Contains("mimiciv_ed.vitalsign: 1,038 rows", stderr);
            Assert.Contains("all tables: csv.gz 88,138 bytes, parquet ", stdout);   // the six ed files of the data README
            Assert.Contains("Bytes a columnar engine (Athena) scans for each example query:", stdout);
            Assert.Contains("ED stays by disposition", stdout);
            Assert.True(File.Exists(Path.Combine(parquet, "ed", "edstays", "edstays.parquet")));
            (code, stdout, stderr) = Cli.Run(["query", "--db", db, "--examples"]);
            Assert.True(code == 0, stderr);
            Assert.Contains("-- ED stays by disposition", stdout);
            Assert.Contains("HOME", stdout);
            (code, stdout, _) = Cli.Run(["query", "--db", db, "SELECT count(*) AS n FROM ed.triage"]);
            Assert.Equal(0, code);
            Assert.Contains("222", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The example stacks with no cloud side and the demo lab, each with the demo folder it builds from.</summary>
    public static TheoryData<string, string> DemoStacks => new()
    {
        { "demo", "mimic-iv-demo-2.2" }, { "mimic-iv-ed-demo", "mimic-iv-ed-demo-2.2" }, { "mimic-iii-demo", "mimic-iii-demo-1.4" },
    };

    [Theory]
    [MemberData(nameof(DemoStacks))]
    public void EachDemoStackBuildsItsLocalLabAndALocalOnlyStackSaysThereIsNothingToDeploy(string stack, string folder)
    {
        var data = Shared.Require(Path.Combine("data", folder));
        var dir = Directory.CreateTempSubdirectory("local-stack-").FullName;
        try
        {
            var db = Path.Combine(dir, "lab.duckdb");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", stack, "--data", data, "--skip-missing", "--db", db]);
            Assert.True(code == 0, stderr);
            Assert.Matches(@"built \d+ tables", stdout);
            (code, stdout, _) = Cli.Run(["query", "--db", db, "--examples"]);
            Assert.Equal(0, code);
            Assert.Contains("-- ", stdout);

            var localOnly = stack != "demo";
            Assert.Equal(localOnly, stderr.Contains($"stack {stack} is a local lab (no cloud side)"));
            (code, stdout, stderr) = Cli.Run(["preview", "--stack", stack]);
            Assert.True(code == 0, stderr);
            Assert.Equal(localOnly, stdout.Contains($"a local lab: nothing to deploy; build it with `local --stack {stack}`"));
            if (!localOnly) return;
            Assert.DoesNotContain("pulumi up` would create", stdout);
            (code, stdout, stderr) = Cli.Run(["compile", "--stack", stack]);
            Assert.True(code == 0, stderr);
            Assert.Contains("resources: {}", stdout);   // a valid program that creates nothing
            Assert.Contains($"release: {folder}", stdout);
            (code, stdout, stderr) = Cli.Run(["check", "--stack", stack]);
            Assert.True(code == 0, stdout + stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheLabItsTemporaryFilesAndItsParquetCopyAreReadableByTheOwnerAlone()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes; on Windows the profile's ACLs apply");
        else PrivateModes();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void PrivateModes()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = Directory.CreateTempSubdirectory("private-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));   // a shared-looking folder: the lab must not rely on it
            var release = Labs.Catalog.Find("mimic-iv-ed-demo-2.2")!;
            var db = Path.Combine(dir, "lab.duckdb");
            var seen = new List<string>();
            var build = LocalLab.Build(release, release.Modules, data, db, skipMissing: false, line =>
            {
                // While it builds, the file lives in a folder of its own that only the owner can enter.
                var building = Directory.GetDirectories(dir, "lab.duckdb.building-*").Single();
                seen.Add($"{File.GetUnixFileMode(building)} {Directory.Exists(Path.Combine(building, "tmp"))}");
            });
            Assert.All(seen, s => Assert.Equal($"{PrivateFiles.FolderMode} True", s));
            Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(db));
            Assert.Equal(["lab.duckdb"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));   // no WAL, temp or build folder left

            // A query spills beside the lab (0700), never to .tmp in the working directory, and tidies up.
            using (var conn = LocalLab.Open(db))
            {
                Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(db + ".tmp"));
                Assert.Equal(db + ".tmp", LocalLab.Query(conn, "SELECT current_setting('temp_directory')").Rows[0][0]);
            }
            Assert.False(Directory.Exists(db + ".tmp"));
            Assert.False(Directory.Exists(Path.Combine(Shared.RepoRoot, ".tmp")));

            var parquet = Path.Combine(dir, "out", "parquet");
            var files = ParquetExport.Write(db, release.Modules, build.Tables, parquet, _ => { });
            foreach (var folder in new[] { Path.Combine(dir, "out"), parquet, Path.Combine(parquet, "ed"), Path.Combine(parquet, "ed", "triage") })
                Assert.True(File.GetUnixFileMode(folder) == PrivateFiles.FolderMode, $"{folder}: {File.GetUnixFileMode(folder)}");
            Assert.All(files, f => Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(f.Path)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void QueryFindsALabByItsStackOrSaysHowToBuildIt()
    {
        var (code, stdout, stderr) = Cli.Run(["query", "--stack", "no-such-lab", "--examples"]);
        Assert.Equal((2, ""), (code, stdout));
        Assert.Contains("no local lab mimic-no-such-lab.duckdb here; build it with `local --stack no-such-lab`", stderr);
        (code, _, stderr) = Cli.Run(["query", "--examples"]);
        Assert.Equal(2, code);
        Assert.Contains("give the lab: --stack S", stderr);
        (code, _, stderr) = Cli.Run(["query", "--stack", "../x", "--examples"]);
        Assert.Equal(2, code);
        Assert.Contains("is not a stack name", stderr);
    }
}
