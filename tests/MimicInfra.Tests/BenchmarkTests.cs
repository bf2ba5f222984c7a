using MimicInfra.Local;

namespace MimicInfra.Tests;

public class BenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public void ScaledDemoRepeatsPatientsWithDistinctIdsAndKeepsEveryValue()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var release = Labs.Catalog.Find("mimic-iv-demo-2.2")!;
        var modules = release.Modules.Select(m => m with { Tables = m.Tables.Where(t => t.Name is "patients" or "admissions" or "emar" or "d_labitems" or "icustays").ToList() }).ToList();
        var dir = Directory.CreateTempSubdirectory("scaled-").FullName;
        var db = Path.Combine(dir, "lab.duckdb");
        try
        {
            var files = DemoScaler.Write(modules, data, Path.Combine(dir, "x3"), 3, _ => { });
            Assert.Equal(5, files.Count);
            Assert.Equal(300, files.Single(f => f.File == "hosp/patients.csv.gz").Rows);
            Assert.Equal(1_622, files.Single(f => f.File == "hosp/d_labitems.csv.gz").Rows);   // a dictionary is copied once
            LocalLab.Build(release, modules, Path.Combine(dir, "x3"), db, skipMissing: false, _ => { });
            using var conn = LocalLab.Open(db);
            Assert.Equal(300, LocalLab.Scalar(conn, "SELECT count(DISTINCT subject_id) FROM patients"));
            Assert.Equal(3 * 275, LocalLab.Scalar(conn, "SELECT count(DISTINCT hadm_id) FROM admissions"));
            Assert.Equal(3 * 140, LocalLab.Scalar(conn, "SELECT count(DISTINCT stay_id) FROM icustays"));
            Assert.Equal(3 * 35_835, LocalLab.Scalar(conn, "SELECT count(DISTINCT emar_id) FROM emar"));
            // Every emar row still belongs to its patient: the id's prefix is the moved subject_id.
            Assert.Equal(0, LocalLab.Scalar(conn, "SELECT count(*) FROM emar WHERE split_part(emar_id, '-', 1) <> CAST(subject_id AS VARCHAR)"));
            // Values other than ids are kept: three copies of each.
            Assert.Equal(3 * LocalLab.Scalar(conn, $"SELECT count(*) FROM {DuckDbSql.RawRelation(Path.Combine(data, "hosp", "admissions.csv.gz"), release.FindModule("hosp")!.FindTable("admissions")!)} WHERE insurance = 'Medicare'"),
                LocalLab.Scalar(conn, "SELECT count(*) FROM admissions WHERE insurance = 'Medicare'"));
            // Each original patient (subject_id modulo the step) appears three times with the same age and dates.
            Assert.Equal(0, LocalLab.Scalar(conn, "SELECT count(*) FROM (SELECT subject_id % 100000, anchor_age, anchor_year, dod, count(*) AS n FROM patients GROUP BY ALL) WHERE n <> 3"));
            Assert.Equal(100, LocalLab.Scalar(conn, "SELECT count(DISTINCT subject_id % 100000) FROM patients"));
            Assert.Throws<MimicInfra.Cli.UserError>(() => DemoScaler.Write(modules, data, Path.Combine(dir, "bad"), DemoScaler.MaxFactor + 1, _ => { }));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BenchReportsBuildAndQueryTimesFromTheCommandLine()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = Directory.CreateTempSubdirectory("bench-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.ed.yaml"),
                "config:\n  mimic-infra:release: mimic-iv-ed-demo-2.2\n  mimic-infra:researcher: r\n  mimic-infra:study: s\n  mimic-infra:expires: \"2027-01-01\"\n");
            var (code, stdout, stderr) = Cli.Run(["bench", "--stack", "ed", "--stacks-dir", dir, "--data", data, "--runs", "3", "--work", Path.Combine(dir, "work")]);
            output.WriteLine(stdout);
            Assert.True(code == 0, stderr);
            Assert.Contains("data: 5,873 rows in 88,138 bytes of CSV", stdout);
            Assert.Matches(@"materialized build: +[0-9.]+ s \([0-9,]+ rows/s, [0-9.]+x the plain read\)", stdout);
            Assert.Contains("ED stays by disposition", stdout);
            Assert.Matches(@"Parquet \(zstd\) [0-9,]+ bytes vs csv.gz 88,138 bytes", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }
}
