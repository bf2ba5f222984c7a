using System.CommandLine;
using System.Globalization;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Cli;

/// <summary>`local` builds a lab in DuckDB from files on disk; `query` runs SQL (or the example queries) on it.</summary>
internal static class LocalCommands
{
    public static Command Local(Console io, Func<string, string?> env)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var data = new Option<string?>("--data") { Description = "Folder of the release's files, holding its module folders. Without it, an open release is downloaded from PhysioNet, verified and cached; a credentialed one is explained." };
        var dbOpt = new Option<string?>("--db") { Description = "DuckDB file to write (default: mimic-<stack>.duckdb)." };
        var skip = new Option<bool>("--skip-missing") { Description = "Build without tables whose files are missing (they are listed)." };
        var parquet = new Option<string?>("--parquet") { Description = "Also write every typed table as Parquet under this folder (<module>/<table>/) and report the bytes." };
        var inPlace = new Option<bool>("--in-place") { Description = "Keep typed views over the CSV files instead of storing typed tables (smaller file, every query re-reads the CSV)." };
        var concepts = new Option<string?>("--concepts") { Description = "A checkout of MIT-LCP/mimic-code (or its mimic-iv/concepts_duckdb folder): also build the derived concepts (mimiciv_derived) with its DuckDB scripts, unmodified." };
        var fetch = new FetchOptionSet();
        var allowDirty = new Option<bool>("--allow-dirty") { Description = "Run the concept scripts even when the mimic-code checkout has changes of its own (its commit is recorded either way)." };
        var cmd = new Command("local", "Build the lab locally in DuckDB: typed tables from PhysioNet's CSV files in mimic-code's schemas, the same casts as the AWS import.") { stack, dir, data, dbOpt, skip, parquet, inPlace, concepts, fetch.Cache, fetch.Url, allowDirty };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLocalLab(r.GetValue(stack)!, r.GetValue(dir));
            if (IsLocalOnly(lab, r.GetValue(dir))) io.Error.WriteLine($"stack {lab.Stack} is a local lab (no cloud side): this DuckDB file is the whole lab.");
            var scripts = DerivedScripts(lab, r.GetValue(concepts), r.GetValue(allowDirty));
            var dataDir = r.GetValue(data) ?? Fetch(io, env, lab, r.GetValue(fetch.Cache), r.GetValue(fetch.Url), r.GetValue(skip));
            if (!Directory.Exists(dataDir)) throw new UserError($"--data {dataDir} is not a folder.");
            var db = Path.GetFullPath(r.GetValue(dbOpt) ?? $"mimic-{lab.Stack}.duckdb");
            io.Error.WriteLine($"building {lab.Release.Title} ({string.Join(", ", lab.Modules.Select(m => m.Name))}) from {dataDir} into {db}");
            var build = LocalLab.Build(lab.Release, lab.Modules, dataDir, db, r.GetValue(skip), io.Error.WriteLine, r.GetValue(inPlace), scripts);
            foreach (var m in build.Missing) io.Out.WriteLine($"missing, not built: {m}");
            io.Out.WriteLine($"built {build.Tables.Count} tables, {build.Tables.Sum(t => t.Rows):N0} rows in {build.Seconds:F1} s: {db} ({new FileInfo(db).Length:N0} bytes)");
            if (scripts is not null) ReportConcepts(io, scripts, build.Concepts);
            else if (lab.Derived is { } d)
                io.Out.WriteLine($"{d.Schema} not built: pass --concepts <a checkout of {d.Concepts!.Repository}> to build its {d.Tables.Count} concept tables with mimic-code's DuckDB scripts.");

            if (r.GetValue(parquet) is { } outDir)
            {
                // Derived tables are written like any module: <out>/derived/<table>/, the table-parquet layout.
                var derivedRows = build.Concepts.Where(c => c.Outcome == ConceptOutcome.Built)
                    .Select(c => new LocalTable(scripts!.Derived.Name, c.Table, c.File, c.Rows, 0, c.Seconds));
                var files = ParquetExport.Write(db, [.. lab.Modules, .. scripts is null ? [] : new[] { scripts.Derived }], [.. build.Tables, .. derivedRows], outDir, io.Error.WriteLine);
                io.Out.WriteLine();
                io.Table(["table", "csv.gz bytes", "parquet bytes", "parquet/csv.gz"], files.Select(f => (IReadOnlyList<string>)
                    [$"{f.Module}.{f.Table}", f.CsvBytes.ToString("N0", CultureInfo.InvariantCulture), f.ParquetBytes.ToString("N0", CultureInfo.InvariantCulture), Ratio(f.ParquetBytes, f.CsvBytes)]));
                var shipped = files.Where(f => f.Module != scripts?.Derived.Name).ToList();
                io.Out.WriteLine($"all tables: csv.gz {shipped.Sum(f => f.CsvBytes):N0} bytes, parquet {shipped.Sum(f => f.ParquetBytes):N0} bytes ({Ratio(shipped.Sum(f => f.ParquetBytes), shipped.Sum(f => f.CsvBytes))})");
                if (files.Count > shipped.Count)
                    io.Out.WriteLine($"{scripts!.Derived.Name} (no csv.gz: built here): {files.Count - shipped.Count} tables, parquet {files.Sum(f => f.ParquetBytes) - shipped.Sum(f => f.ParquetBytes):N0} bytes in {Path.Combine(outDir, scripts.Derived.Name)}");
                var scans = ParquetExport.Scans(db, ExampleQueries.For(lab.Modules), lab.Modules, files);
                io.Out.WriteLine();
                io.Out.WriteLine("Bytes a columnar engine (Athena) scans for each example query:");
                io.Table(["query", "tables", "csv.gz", "parquet", "parquet/csv.gz"], scans.Select(s => (IReadOnlyList<string>)
                    [s.Title, string.Join(" ", s.Tables), s.CsvBytes.ToString("N0", CultureInfo.InvariantCulture), s.ParquetBytes.ToString("N0", CultureInfo.InvariantCulture), Ratio(s.ParquetBytes, s.CsvBytes)]));
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The concept scripts to run, when --concepts is given; an error when the release has no derived module.</summary>
    private static ConceptScripts? DerivedScripts(LabSettings lab, string? dir, bool allowDirty)
    {
        if (dir is null) return null;
        var derived = lab.Derived ?? throw new UserError(lab.Release.Modules.Any(m => m.IsDerived)
            ? $"--concepts: stack {lab.Stack} leaves the derived module out (modules); add it, or drop --concepts."
            : $"--concepts: release {lab.Release.Id} has no derived concepts in the catalog; drop --concepts.");
        if (!Directory.Exists(dir)) throw new UserError($"--concepts {dir} is not a folder; point it at a checkout of {derived.Concepts!.Repository}.");
        var folder = ConceptBuild.ScriptsFolder(dir, derived);
        return new ConceptScripts(derived, folder) { Checkout = ConceptCheckout.Inspect(folder, derived, allowDirty) };
    }

    /// <summary>The --cache and --physionet-url options of a command that fetches open releases.</summary>
    private sealed class FetchOptionSet
    {
        public Option<string?> Cache { get; } = new("--cache")
        {
            Description = $"Folder of the download cache (default: {ReleaseCache.CacheVariable}, else the per-user cache folder, e.g. ~/.cache/mimicinfra).",
        };

        public Option<string?> Url { get; } = new("--physionet-url")
        {
            Description = $"Fetch from this mirror of {ReleaseCache.PhysioNetFiles} instead (default: {ReleaseCache.UrlVariable}, else PhysioNet).",
        };
    }

    /// <summary>A stack with no cloud side, read as the cloud commands read it.</summary>
    private static bool IsLocalOnly(LabSettings lab, string? stacksDir)
    {
        try { return CompileCommands.ReadLab(lab.Stack, stacksDir).IsLocalOnly; }
        catch (UserError) { return false; }   // a cloud side with problems: `local` builds it anyway, `preview` reports them
    }

    /// <summary>
    /// The release's files when --data is not given: an open release from PhysioNet through the per-user cache
    /// (verified against its SHA256SUMS.txt); a credentialed one is refused with how to get it with one's own account.
    /// </summary>
    private static string Fetch(Console io, Func<string, string?> env, LabSettings lab, string? cache, string? url, bool skipMissing)
    {
        if (lab.Release.Access != Catalog.Access.Open) throw new UserError(CredentialedDownload.Instructions(lab));
        if (lab.Release.Download is null) throw new UserError($"the catalog names no PhysioNet project for {lab.Release.Id} ('physionet:'), so it cannot be fetched; pass --data with its files.");
        var options = new FetchOptions(ReleaseCache.BaseUrl(url, env), ReleaseCache.Root(cache, env)) { AcceptMissing = skipMissing };
        var files = ReleaseFetch.FilesOf(lab.Release, lab.Modules);
        io.Error.WriteLine($"fetching {lab.Release.Title} ({files.Count} files) from {new Uri(options.BaseUrl, lab.Release.Download!.ProjectPath)} into {ReleaseCache.ReleaseFolder(options.CacheRoot, lab.Release)}");
        var terminal = ReferenceEquals(io.Error, System.Console.Error) && !System.Console.IsErrorRedirected;
        var fetched = FetchProgress.Show(io.Error, terminal, files.Count, p => ReleaseFetch.FetchAsync(lab.Release, lab.Modules, options, p)).GetAwaiter().GetResult();
        var failed = fetched.Failed.ToList();
        if (failed.Count > 0)
            throw new UserError($"{failed.Count} file(s) of {lab.Release.Id} could not be fetched from {fetched.Source}, nothing was built:\n  " +
                                string.Join("\n  ", failed.Select(f => $"{f.File}: {f.Reason}")) +
                                $"\nVerified files stay in {fetched.Folder}; run again to fetch the rest (partial downloads resume).");
        var missing = fetched.Missing.ToList();
        if (missing.Count > 0 && !skipMissing)
            throw new UserError($"{missing.Count} file(s) of the lab are not published at {fetched.Source}:\n  " +
                                string.Join("\n  ", missing.Select(f => $"{f.File}: {f.Reason}")) + "\nPass --skip-missing to build without them.");
        var got = fetched.Files.Where(f => f.Outcome is FileOutcome.Downloaded or FileOutcome.Cached).ToList();
        io.Error.WriteLine(fetched.Offline
            ? $"{got.Count} files ({got.Sum(f => f.Bytes):N0} bytes) from the cache, each matching {ReleaseFetch.SumsFile}; no network needed"
            : $"{got.Count} files verified against {ReleaseFetch.SumsFile} ({got.Count(f => f.Outcome == FileOutcome.Downloaded)} downloaded, " +
              $"{got.Where(f => f.Outcome == FileOutcome.Downloaded).Sum(f => f.Bytes):N0} bytes in {fetched.Seconds:F1} s; {got.Count(f => f.Outcome == FileOutcome.Cached)} from the cache)");
        return fetched.Folder;
    }

    private static void ReportConcepts(Console io, ConceptScripts scripts, IReadOnlyList<ConceptResult> results)
    {
        io.Out.WriteLine();
        io.Out.WriteLine($"{scripts.Derived.Schema} from {scripts.Folder}{(scripts.Checkout is { } c ? $" (commit {c.Description})" : "")}:");
        io.Table(["concept", "rows", "seconds", "result"], results.Select(c => (IReadOnlyList<string>)
        [
            c.Table,
            c.Outcome == ConceptOutcome.Built ? c.Rows.ToString("N0", CultureInfo.InvariantCulture) : "-",
            c.Outcome == ConceptOutcome.Skipped ? "-" : c.Seconds.ToString("F2", CultureInfo.InvariantCulture),
            c.Outcome switch { ConceptOutcome.Built => c.Reason ?? "built", ConceptOutcome.Failed => $"failed: {c.Reason}", _ => $"skipped: {c.Reason}" },
        ]));
        io.Out.WriteLine($"{scripts.Derived.Schema}: {results.Count(c => c.Outcome == ConceptOutcome.Built)} built, " +
                         $"{results.Count(c => c.Outcome == ConceptOutcome.Failed)} failed, {results.Count(c => c.Outcome == ConceptOutcome.Skipped)} skipped " +
                         $"of {results.Count}, {results.Where(c => c.Outcome == ConceptOutcome.Built).Sum(c => c.Rows):N0} rows in {results.Sum(c => c.Seconds):F1} s");
    }

    public static Command Query(Console io)
    {
        var db = new Option<string?>("--db") { Description = "The DuckDB file `local` built (or give --stack)." };
        var labStack = new Option<string?>("--stack", "-s") { Description = "The stack `local --stack` built: its default file mimic-<stack>.duckdb here." };
        var sql = new Argument<string?>("sql") { Description = "SQL to run; table names unqualified (admissions) or by module (hosp.admissions).", Arity = ArgumentArity.ZeroOrOne };
        var examples = new Option<bool>("--examples") { Description = "Run the lab's example queries (the example notebook's SQL) instead." };
        var max = new Option<int>("--max-rows") { Description = "Rows to print at most.", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (columns with their types, every row, values typed) instead of a table." };
        var cmd = new Command("query", "Run SQL on a local lab and print the result as a table.") { db, sql, examples, max, json, labStack };
        cmd.SetAction(r => io.Run(() =>
        {
            var maxRows = r.GetValue(max);
            if (maxRows < 1) throw new UserError($"--max-rows {maxRows}: give at least 1.");
            using var conn = LocalLab.Open(LabFile(r.GetValue(db), r.GetValue(labStack)));
            var labModules = LocalLab.ModulesOf(conn, Catalog.CatalogLoader.LoadEmbedded());
            var queries = r.GetValue(examples)
                ? ExampleQueries.For(labModules).Select(q => (q.Title, q.Sql)).ToList()
                : [("", r.GetValue(sql) ?? throw new UserError("give the SQL to run, or --examples."))];
            if (r.GetValue(json)) return QueryJson.Print(io, conn, r.GetValue(examples) ? ExampleQueries.For(labModules) : null, r.GetValue(sql));
            if (r.GetValue(examples))
                foreach (var (title, missing) in ExampleQueries.Unavailable(labModules))
                    io.Out.WriteLine($"-- {title}: not run, this lab has no {string.Join(", ", missing)} (its inputs were missing when it was built)");
            foreach (var (title, text) in queries)
            {
                if (title.Length > 0) io.Out.WriteLine($"-- {title}");
                LocalLab.QueryResult result;
                try { result = LocalLab.Query(conn, text); }
                catch (DuckDB.NET.Data.DuckDBException e) { throw new UserError($"the query failed: {e.Message}"); }
                var shown = Math.Min(result.Rows.Count, maxRows);
                io.Table(result.Columns, result.Rows.Take(shown).Select(row => (IReadOnlyList<string>)row.Select(Format).ToList()));
                io.Out.WriteLine(shown < result.Rows.Count
                    ? $"({result.Rows.Count:N0} rows, the first {shown:N0} shown; pass --max-rows {result.Rows.Count} to see all, or add LIMIT/WHERE to the SQL)"
                    : $"({result.Rows.Count:N0} row{(result.Rows.Count == 1 ? "" : "s")})");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The lab file a query reads: --db, or the file `local --stack S` writes by default.</summary>
    private static string LabFile(string? db, string? stack) => (db, stack) switch
    {
        ({ } d, null) => d,
        (null, { } s) when s.IndexOfAny(['/', '\\']) >= 0 || s.Contains("..") => throw new UserError($"--stack {Input.Shown.Quote(s)} is not a stack name."),
        (null, { } s) => File.Exists($"mimic-{s}.duckdb") ? $"mimic-{s}.duckdb"
            : throw new UserError($"no local lab mimic-{s}.duckdb here; build it with `local --stack {s}` (or pass --db with the file it wrote)."),
        (null, null) => throw new UserError("give the lab: --stack S (the file `local --stack S` wrote here) or --db FILE."),
        _ => throw new UserError("give --stack or --db, not both."),
    };

    private static string Format(object? v) => v switch
    {
        null => "NULL",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Ratio(long a, long b) => b == 0 ? "-" : (a / (double)b).ToString("P0", CultureInfo.InvariantCulture);
}
