using System.Diagnostics;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

public sealed record ScaledTable(string File, long Rows, long Bytes, bool Repeated);

/// <summary>
/// Makes a larger copy of an open demo release for benchmarks: every table with patients in it repeated
/// <c>factor</c> times, each copy's patients, admissions, stays and event ids moved by a fixed offset so the
/// copies never collide, every other value kept; dictionaries (d_*, provider, caregiver) copied once.
/// Files come out in PhysioNet's layout (module/table.csv.gz), so every command reads them as it reads the demo.
/// </summary>
public static class DemoScaler
{
    /// <summary>
    /// Per id column, the step between copies: larger than the demo's span of that id, and small enough that
    /// 200 copies stay within a 32-bit integer. Ids not listed (specimens, pharmacy orders) are kept as they are.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, long> IdSteps = new Dictionary<string, long>
    {
        ["subject_id"] = 100_000, ["hadm_id"] = 10_000_000, ["stay_id"] = 10_000_000, ["transfer_id"] = 10_000_000,
        ["labevent_id"] = 1_000_000, ["microevent_id"] = 100_000,
    };

    public const int MaxFactor = 200;

    public static IReadOnlyList<ScaledTable> Write(IReadOnlyList<Module> modules, string dataDir, string outDir, int factor, Action<string> progress)
    {
        if (factor is < 1 or > MaxFactor) throw new UserError($"--factor {factor} must be 1..{MaxFactor} (ids stay 32-bit integers up to {MaxFactor} copies).");
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        // Spills go beside the output, in a private folder, not to .tmp in the working directory.
        var spill = PrivateFiles.CreateFolder(Path.Combine(outDir, ".duckdb-tmp"));
        LocalLab.Execute(db, $"SET temp_directory = {DuckDbSql.Literal(spill)}");
        try { return Scale(db, modules, dataDir, outDir, factor, progress); }
        finally { if (Directory.Exists(spill)) Directory.Delete(spill, true); }
    }

    private static List<ScaledTable> Scale(DuckDB.NET.Data.DuckDBConnection db, IReadOnlyList<Module> modules, string dataDir, string outDir, int factor, Action<string> progress)
    {
        var written = new List<ScaledTable>();
        foreach (var m in modules)
            foreach (var t in m.Tables)
            {
                var source = Path.GetFullPath(Path.Combine(dataDir, m.FileOf(t)));
                if (!File.Exists(source)) { progress($"skipped {m.FileOf(t)}: not in {dataDir}"); continue; }
                var target = Path.GetFullPath(Path.Combine(outDir, m.FileOf(t)));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var clock = Stopwatch.StartNew();
                var repeated = t.FindColumn("subject_id") is not null;
                var columns = t.Columns.Select(c => $"{(repeated ? Moved(c) : TypedViewSql.Quote(c.Name))} AS {TypedViewSql.Quote(c.Name)}");
                var from = DuckDbSql.RawRelation(source, t) + (repeated ? $", range({factor}) AS copies(k)" : "");
                var compression = target.EndsWith(".gz", StringComparison.Ordinal) ? ", COMPRESSION gzip" : "";
                LocalLab.Execute(db, $"COPY (SELECT {string.Join(", ", columns)} FROM {from}) TO {DuckDbSql.Literal(target)} (HEADER, DELIMITER ','{compression})");
                var rows = LocalLab.Scalar(db, $"SELECT count(*) FROM {DuckDbSql.RawRelation(target, t)}");
                written.Add(new ScaledTable(m.FileOf(t), rows, new FileInfo(target).Length, repeated));
                progress($"{m.FileOf(t)}: {rows:N0} rows, {new FileInfo(target).Length:N0} bytes ({clock.Elapsed.TotalSeconds:F1} s)");
            }
        return written;
    }

    /// <summary>The column in copy k: numeric ids moved by their step, text ids that start with the patient's id given the moved one.</summary>
    private static string Moved(Column c)
    {
        var q = TypedViewSql.Quote(c.Name);
        if (IdSteps.TryGetValue(c.Name, out var step))
            return $"CAST(CAST({q} AS BIGINT) + k * {step} AS VARCHAR)";
        // emar_id, poe_id and their references are "<subject_id>-<n>".
        if (c.Name.EndsWith("poe_id", StringComparison.Ordinal) || c.Name == "emar_id")
            return $"CASE WHEN strpos({q}, '-') > 1 THEN CAST(CAST(split_part({q}, '-', 1) AS BIGINT) + k * {IdSteps["subject_id"]} AS VARCHAR) || substr({q}, strpos({q}, '-')) ELSE {q} END";
        return q;
    }
}
