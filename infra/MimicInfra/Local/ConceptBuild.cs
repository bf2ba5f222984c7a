using System.Diagnostics;
using DuckDB.NET.Data;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

public enum ConceptOutcome { Built, Failed, Skipped }

/// <summary>What became of one concept: its rows and seconds when built, else why not.</summary>
public sealed record ConceptResult(string Table, string File, ConceptOutcome Outcome, long Rows, double Seconds, string? Reason)
{
    public override string ToString() => Outcome switch
    {
        ConceptOutcome.Built => $"{Table}: {Rows:N0} rows ({Seconds:F1} s)" + (Reason is null ? "" : $"; {Reason}"),
        ConceptOutcome.Failed => $"{Table}: failed ({Seconds:F1} s): {Reason}",
        _ => $"{Table}: skipped: {Reason}",
    };
}

/// <summary>
/// Builds a lab's derived schema (mimiciv_derived) by running mimic-code's own DuckDB concept scripts, as
/// they are in the researcher's checkout, in the catalog's order (every concept after the concepts it needs).
/// A concept whose inputs are missing (a source table the lab lacks, a concept that failed) is skipped with
/// the reason; a script that fails is reported with DuckDB's message; the build goes on with the rest.
/// </summary>
public static class ConceptBuild
{
    /// <summary>
    /// The folder holding the DuckDB concept scripts: the module's DuckDB folder inside a mimic-code checkout,
    /// or the given folder itself when it already is that folder.
    /// </summary>
    public static string ScriptsFolder(string dir, Module derived)
    {
        var concepts = derived.Concepts ?? throw new ArgumentException($"module {derived.Name} is not derived", nameof(derived));
        var inCheckout = Path.Combine(dir, concepts.DuckDbFolder);
        if (Directory.Exists(inCheckout)) return Path.GetFullPath(inCheckout);
        if (derived.Tables.Any(t => File.Exists(Path.Combine(dir, t.Concept!.File)))) return Path.GetFullPath(dir);
        throw new UserError($"--concepts {dir} holds no {concepts.Repository} DuckDB concept scripts: expected {concepts.DuckDbFolder}/<group>/<table>.sql " +
                            $"under it (e.g. {concepts.DuckDbFolder}/{derived.Tables[0].Concept!.File}). Point it at a checkout of {concepts.Repository}.");
    }

    /// <param name="readable">Folders the scripts may read (the CSV files under an in-place lab's views); nothing else outside the lab.</param>
    public static IReadOnlyList<ConceptResult> Run(DuckDBConnection db, Module derived, string scriptsDir, Action<string> progress, IReadOnlyList<string>? readable = null)
    {
        LocalLab.Execute(db, $"CREATE SCHEMA IF NOT EXISTS {TypedViewSql.Quote(derived.Schema)}");
        var present = ExistingTables(db);
        LockDown(db, readable ?? []);
        var results = new List<ConceptResult>();
        var built = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (t, i) in derived.Tables.Select((t, i) => (t, i + 1)))
        {
            var concept = t.Concept!;
            var path = Path.Combine(scriptsDir, concept.File);
            var result = Missing(concept, present, built, derived) is { } why
                ? new ConceptResult(t.Name, concept.File, ConceptOutcome.Skipped, 0, 0, why)
                : !File.Exists(path)
                    ? new ConceptResult(t.Name, concept.File, ConceptOutcome.Skipped, 0, 0, $"the checkout has no {concept.File}")
                    : RunScript(db, derived, t, path);
            if (result.Outcome == ConceptOutcome.Built) built.Add(t.Name);
            results.Add(result);
            progress($"[{i}/{derived.Tables.Count}] {derived.Schema}.{result}");
        }
        return results;
    }

    /// <summary>
    /// The scripts are third-party SQL: before they run, DuckDB may read no file outside the lab (no read_csv('/etc/passwd'),
    /// no COPY ... TO), install or load no extension (httpfs could send data anywhere), and the configuration is locked so
    /// a script cannot switch any of it back on. It stays so until the build's connection closes.
    /// </summary>
    public static void LockDown(DuckDBConnection db, IReadOnlyList<string> readable)
    {
        if (readable.Count > 0)
            LocalLab.Execute(db, $"SET allowed_directories = [{string.Join(", ", readable.Select(d => DuckDbSql.Literal(d.TrimEnd('/', '\\') + Path.DirectorySeparatorChar)))}]");
        LocalLab.Execute(db, "SET enable_external_access = false");
        LocalLab.Execute(db, "SET autoinstall_known_extensions = false");
        LocalLab.Execute(db, "SET autoload_known_extensions = false");
        LocalLab.Execute(db, "SET lock_configuration = true");
    }

    /// <summary>Why a concept cannot run yet: the source tables the lab lacks and the concepts it needs that were not built.</summary>
    private static string? Missing(Concept concept, HashSet<string> present, HashSet<string> built, Module derived)
    {
        var reasons = new List<string>();
        var sources = concept.Reads.Where(r => !present.Contains(r)).ToList();
        if (sources.Count > 0) reasons.Add($"needs {string.Join(", ", sources)}, which this lab does not have");
        var needs = concept.Needs.Where(n => !built.Contains(n)).ToList();
        if (needs.Count > 0) reasons.Add($"needs {string.Join(", ", needs.Select(n => $"{derived.Schema}.{n}"))}, {(needs.Count == 1 ? "which was" : "which were")} not built");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>Runs one script exactly as the checkout has it, then counts what it made and compares its columns to the catalog's.</summary>
    private static ConceptResult RunScript(DuckDBConnection db, Module derived, Table t, string path)
    {
        var clock = Stopwatch.StartNew();
        var name = $"{TypedViewSql.Quote(derived.Schema)}.{TypedViewSql.Quote(t.Name)}";
        try
        {
            LocalLab.Execute(db, File.ReadAllText(path));
            var columns = LocalLab.Query(db,
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = {DuckDbSql.Literal(derived.Schema)} " +
                $"AND table_name = {DuckDbSql.Literal(t.Name)} ORDER BY ordinal_position").Rows.Select(r => (string)r[0]!).ToList();
            if (columns.Count == 0)
                return new ConceptResult(t.Name, t.Concept!.File, ConceptOutcome.Failed, 0, clock.Elapsed.TotalSeconds, $"the script ran but made no table {derived.Schema}.{t.Name}");
            var rows = LocalLab.Scalar(db, $"SELECT count(*) FROM {name}");
            return new ConceptResult(t.Name, t.Concept!.File, ConceptOutcome.Built, rows, clock.Elapsed.TotalSeconds, ColumnDifference(t, columns));
        }
        catch (DuckDBException e)
        {
            return new ConceptResult(t.Name, t.Concept!.File, ConceptOutcome.Failed, 0, clock.Elapsed.TotalSeconds, e.Message.Split('\n')[0].Trim());
        }
    }

    /// <summary>A note when the script's columns are not the catalog's (a checkout newer or older than the catalog).</summary>
    private static string? ColumnDifference(Table t, IReadOnlyList<string> made)
    {
        var expected = t.Columns.Select(c => c.Name).ToList();
        if (expected.SequenceEqual(made)) return null;
        var extra = made.Except(expected).ToList();
        var lacking = expected.Except(made).ToList();
        return "columns differ from the catalog" +
               (extra.Count > 0 ? $"; extra: {string.Join(", ", extra)}" : "") +
               (lacking.Count > 0 ? $"; missing: {string.Join(", ", lacking)}" : "") +
               (extra.Count == 0 && lacking.Count == 0 ? "; same names, other order" : "");
    }

    /// <summary>Every table and view of the lab as schema.table.</summary>
    private static HashSet<string> ExistingTables(DuckDBConnection db) =>
        LocalLab.Query(db, "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = current_database()")
            .Rows.Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
}
