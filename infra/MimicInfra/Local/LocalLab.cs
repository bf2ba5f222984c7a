using System.Diagnostics;
using DuckDB.NET.Data;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

/// <summary>One table of a built local lab.</summary>
public sealed record LocalTable(string Module, string Table, string File, long Rows, long CsvBytes, double Seconds);

public sealed record LocalBuild(string Database, IReadOnlyList<LocalTable> Tables, IReadOnlyList<string> Missing, double Seconds)
{
    /// <summary>The derived concepts, when the build ran them (<see cref="ConceptBuild"/>).</summary>
    public IReadOnlyList<ConceptResult> Concepts { get; init; } = [];
}

/// <summary>Build the derived module too, with the DuckDB concept scripts in this folder.</summary>
public sealed record ConceptScripts(Module Derived, string Folder)
{
    /// <summary>The checkout the scripts come from (its commit is recorded in the lab); null when not inspected.</summary>
    public ConceptCheckout? Checkout { get; init; }
}

/// <summary>
/// A lab in a DuckDB file, from the same catalog. By default the typed tables are stored in the file
/// (materialized), so a query never re-parses CSV; with <c>inPlace</c> they are views over the CSV files, as
/// before. Tables live in mimic-code's schemas (mimiciv_hosp, mimiciv_icu, mimiciii), so mimic-code's own
/// DuckDB scripts run unchanged; each module's short name (hosp, icu) is a schema of views onto them. The
/// typed SQL is the one the AWS import runs. The file is built beside its target and moved into place only
/// when every table is built, so a failure leaves nothing half-made.
/// </summary>
public static class LocalLab
{
    public static LocalBuild Build(Release release, IReadOnlyList<Module> modules, string dataDir, string dbPath, bool skipMissing, Action<string> progress,
        bool inPlace = false, ConceptScripts? concepts = null)
    {
        modules = modules.Where(m => !m.IsDerived).ToList();   // built from the others, never read from files
        var plan = modules.SelectMany(m => m.Tables.Select(t => (Module: m, Table: t, Path: Path.GetFullPath(Path.Combine(dataDir, m.FileOf(t)))))).ToList();
        var missing = plan.Where(p => !File.Exists(p.Path)).Select(p => p.Module.FileOf(p.Table)).ToList();
        if (missing.Count > 0 && !skipMissing)
            throw new UserError($"{missing.Count} file(s) of the lab are not in {dataDir}: {string.Join(", ", missing)}. " +
                                "Point --data at the release folder holding the module folders, or pass --skip-missing to build without them.");

        if (missing.Count == plan.Count)
            throw new UserError($"none of the lab's {plan.Count} files is in {dataDir} (looked for {string.Join(", ", plan.Take(3).Select(p => p.Module.FileOf(p.Table)))}, ...); " +
                                $"point --data at the folder of release {release.Id} that holds {DataLayout(modules)}.");

        var clock = Stopwatch.StartNew();
        // The file is built in a folder of its own beside the target, 0700, with DuckDB's WAL and temporary files in it:
        // no other account can read a byte of it at any moment, and a failure leaves nothing behind.
        var building = $"{dbPath}.building-{Environment.ProcessId}";
        if (Directory.Exists(building)) Directory.Delete(building, true);
        PrivateFiles.OwnFolder(building);
        var temp = Path.Combine(building, Path.GetFileName(dbPath));
        var built = new List<LocalTable>();
        IReadOnlyList<ConceptResult> conceptResults = [];
        try
        {
            using (var db = Attach(temp, readOnly: false, PrivateFiles.OwnFolder(Path.Combine(building, "tmp"))))
            {
                var present = plan.Where(p => File.Exists(p.Path)).ToList();
                foreach (var schema in modules.Select(m => m.Schema).Distinct())
                {
                    Execute(db, $"CREATE SCHEMA {TypedViewSql.Quote(schema)}");
                    if (inPlace) Execute(db, $"CREATE SCHEMA {TypedViewSql.Quote(RawSchema(schema))}");
                }
                foreach (var m in modules.Where(m => m.Name != m.Schema))
                    Execute(db, $"CREATE SCHEMA IF NOT EXISTS {TypedViewSql.Quote(m.Name)}");
                // Tables are built side by side, one per core, largest file first: a gzip file is read by one
                // thread, so one table at a time would leave the other cores idle.
                var done = 0;
                var results = new LocalTable?[present.Count];
                var order = Enumerable.Range(0, present.Count).OrderByDescending(k => new FileInfo(present[k].Path).Length).ToList();
                var gate = new object();
                Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = inPlace ? 1 : Math.Max(1, Environment.ProcessorCount) }, k =>
                {
                    var (m, t, path) = present[k];
                    using var conn = db.Duplicate();
                    conn.Open();
                    Execute(conn, $"USE {Catalog}");
                    var tableClock = Stopwatch.StartNew();
                    var typed = QualifiedName(m, t);
                    if (inPlace)
                    {
                        var raw = $"{TypedViewSql.Quote(RawSchema(m.Schema))}.{TypedViewSql.Quote(t.Name)}";
                        Execute(conn, $"CREATE VIEW {raw} AS SELECT * FROM {DuckDbSql.RawRelation(path, t)}");
                        Execute(conn, $"CREATE VIEW {typed} AS {TypedViewSql.ViewQuery(t, raw, Dialect.DuckDb)}");
                    }
                    else
                        Execute(conn, $"CREATE TABLE {typed} AS {TypedViewSql.ViewQuery(t, DuckDbSql.RawRelation(path, t), Dialect.DuckDb)}");
                    if (m.Name != m.Schema)
                        Execute(conn, $"CREATE VIEW {TypedViewSql.Quote(m.Name)}.{TypedViewSql.Quote(t.Name)} AS SELECT * FROM {typed}");
                    var rows = Scalar(conn, $"SELECT count(*) FROM {typed}");
                    var row = new LocalTable(m.Name, t.Name, m.FileOf(t), rows, new FileInfo(path).Length, tableClock.Elapsed.TotalSeconds);
                    results[k] = row;
                    lock (gate) progress($"[{++done}/{present.Count}] {m.Schema}.{t.Name}: {rows:N0} rows ({row.Seconds:F1} s)");
                });
                built.AddRange(results.Select(r => r!));   // catalog order, whatever order they finished in
                var withDerived = modules;
                var derivedTables = new List<string>();
                if (concepts is { Derived: var derived })
                {
                    // In place, the lab's views read the CSV files: the only files concept SQL may touch.
                    conceptResults = ConceptBuild.Run(db, derived, concepts.Folder, progress, inPlace ? [Path.GetFullPath(dataDir)] : []);
                    derivedTables = conceptResults.Where(r => r.Outcome == ConceptOutcome.Built).Select(r => r.Table).ToList();
                    if (derived.Name != derived.Schema)
                    {
                        Execute(db, $"CREATE SCHEMA IF NOT EXISTS {TypedViewSql.Quote(derived.Name)}");
                        foreach (var name in derivedTables)
                            Execute(db, $"CREATE VIEW {TypedViewSql.Quote(derived.Name)}.{TypedViewSql.Quote(name)} AS SELECT * FROM {TypedViewSql.Quote(derived.Schema)}.{TypedViewSql.Quote(name)}");
                    }
                    if (derivedTables.Count > 0) withDerived = [.. modules, derived];
                }
                // PhysioNet's BigQuery convention: a _metadata table says which release this is.
                Execute(db, "CREATE TABLE main._metadata (attribute VARCHAR, value VARCHAR)");
                Execute(db, $"INSERT INTO main._metadata VALUES ('mimic_release', {DuckDbSql.Literal(release.Id)}), " +
                            $"('modules', {DuckDbSql.Literal(string.Join(",", withDerived.Select(m => m.Name)))}), " +
                            $"('schemas', {DuckDbSql.Literal(string.Join(",", withDerived.Select(m => m.Schema).Distinct()))}), " +
                            $"('derived_tables', {DuckDbSql.Literal(string.Join(",", derivedTables))}), " +
                            $"('concepts_commit', {DuckDbSql.Literal(concepts?.Checkout?.Description ?? "")}), " +
                            $"('storage', {DuckDbSql.Literal(inPlace ? "views over the CSV files" : "tables")}), ('built_by', 'mimic-infra local')");
                Execute(db, "CHECKPOINT");
            }
            PrivateFiles.Restrict(temp);
            File.Move(temp, dbPath, overwrite: true);
        }
        catch (DuckDBException e)
        {
            throw new UserError($"building the local lab failed, nothing was written to {dbPath}: {e.Message}");
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is DuckDBException) is { } first)
        {
            throw new UserError($"building the local lab failed, nothing was written to {dbPath}: {first.Message}");
        }
        finally
        {
            if (Directory.Exists(building)) Directory.Delete(building, true);
        }
        return new LocalBuild(dbPath, built, missing, clock.Elapsed.TotalSeconds) { Concepts = conceptResults };
    }

    private static string DataLayout(IReadOnlyList<Module> modules) =>
        modules.All(m => m.Folder.Length == 0) ? "the table files at its top level" : string.Join(", ", modules.Select(m => m.Folder + "/").Distinct());

    /// <summary>The typed table's name in its mimic-code schema, e.g. "mimiciv_hosp"."admissions".</summary>
    public static string QualifiedName(Module m, Table t) => $"{TypedViewSql.Quote(m.Schema)}.{TypedViewSql.Quote(t.Name)}";

    public static string RawSchema(string schema) => schema + "_raw";

    /// <summary>The catalog modules a built lab holds, from its _metadata table.</summary>
    public static IReadOnlyList<Module> ModulesOf(DuckDBConnection db, SchemaCatalog catalog)
    {
        var meta = Query(db, "SELECT attribute, value FROM main._metadata").Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        var release = catalog.Find(meta.GetValueOrDefault("mimic_release") ?? "")
            ?? throw new UserError($"this lab was built from release '{meta.GetValueOrDefault("mimic_release")}', which the catalog does not know; rebuild it.");
        var names = meta.GetValueOrDefault("modules", "").Split(',');
        // A derived module holds only the concepts the build could make.
        var derivedTables = meta.GetValueOrDefault("derived_tables", "").Split(',');
        return release.Modules.Where(m => names.Contains(m.Name))
            .Select(m => m.IsDerived ? m with { Tables = m.Tables.Where(t => derivedTables.Contains(t.Name)).ToList() } : m).ToList();
    }

    /// <summary>Opens a built lab with its module schemas on the search path, so unqualified table names work.</summary>
    public static DuckDBConnection Open(string dbPath)
    {
        if (!File.Exists(dbPath)) throw new UserError($"no local lab at {dbPath}; build one with `local --stack <stack> --db {dbPath}` (add `--data <dir>` for files you have).");
        // DuckDB spills large queries to disk: beside the lab, 0700, not in a .tmp folder of the working directory.
        var spill = $"{Path.GetFullPath(dbPath)}.tmp";
        var created = !Directory.Exists(spill);
        var db = Attach(dbPath, readOnly: true, PrivateFiles.OwnFolder(spill));
        if (created) db.Disposed += (_, _) => RemoveIfEmpty(spill);
        // The schemas holding the typed tables (mimic-code's names), as the build recorded them; the short-name
        // schemas of views and the raw layers stay off the path.
        var schemas = Query(db, "SELECT value FROM main._metadata WHERE attribute = 'schemas'").Rows
            .SelectMany(r => ((string)r[0]!).Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Execute(db, $"SET search_path = {DuckDbSql.Literal(string.Join(",", schemas.Append("main").Select(x => $"{Catalog}.{x}")))}");
        return db;
    }

    private const string Catalog = "lab";

    /// <summary>
    /// Attaches the file under a fixed catalog name: DuckDB would otherwise name the catalog after the file,
    /// and a file called ed.duckdb would make "ed" both a catalog and a schema.
    /// </summary>
    private static DuckDBConnection Attach(string path, bool readOnly, string tempDirectory)
    {
        var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        Execute(db, $"SET temp_directory = {DuckDbSql.Literal(tempDirectory)}");
        Execute(db, $"ATTACH {DuckDbSql.Literal(path)} AS {Catalog}{(readOnly ? " (READ_ONLY)" : "")}");
        Execute(db, $"USE {Catalog}");
        return db;
    }

    private static void RemoveIfEmpty(string folder)
    {
        try { if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder); }
        catch (IOException) { }   // another reader of the same lab is using it
    }

    public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

    public static QueryResult Query(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new QueryResult(columns, rows);
    }

    public static void Execute(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static long Scalar(DuckDBConnection db, string sql) => Convert.ToInt64(Query(db, sql).Rows[0][0]);
}
