using System.Reflection;
using System.Text.RegularExpressions;
using MimicInfra.Input;

namespace MimicInfra.Catalog;

/// <summary>One catalog problem, located as precisely as the problem allows.</summary>
public sealed record CatalogProblem(string File, string? Release, string? Table, string? Column, string Message)
{
    public override string ToString()
    {
        var where = new List<string> { File };
        if (Release is not null) where.Add($"release {Release}");
        if (Table is not null) where.Add($"table {Table}");
        if (Column is not null) where.Add($"column {Column}");
        return $"{string.Join(", ", where)}: {Message}";
    }
}

public sealed class CatalogException(IReadOnlyList<CatalogProblem> problems)
    : Exception("The schema catalog is invalid:\n" + string.Join("\n", problems.Select(p => "  " + p)))
{
    public IReadOnlyList<CatalogProblem> Problems { get; } = problems;
}

/// <summary>
/// Reads catalog YAML files into a <see cref="SchemaCatalog"/>. All problems are collected and reported
/// together; a catalog with any problem is never returned (nothing is half-loaded).
/// </summary>
public static partial class CatalogLoader
{
    /// <summary>The catalog shipped inside this program (the repository's schemas/ folder).</summary>
    public static SchemaCatalog LoadEmbedded() => Embedded.Value;

    private static readonly Lazy<SchemaCatalog> Embedded = new(() =>
    {
        var asm = typeof(CatalogLoader).Assembly;
        var files = asm.GetManifestResourceNames()
            .Where(n => n.StartsWith("schemas/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n, ReadResource(asm, n)))
            .ToList();
        return Load(files);
    });

    public static SchemaCatalog LoadDirectory(string directory) =>
        Load(Directory.GetFiles(directory, "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(f => ($"schemas/{Path.GetFileName(f)}", File.ReadAllText(f))));

    private static string ReadResource(Assembly asm, string name)
    {
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads and validates catalog files given as (file name, YAML text) pairs.</summary>
    public static SchemaCatalog Load(IEnumerable<(string File, string Text)> files)
    {
        var problems = new List<CatalogProblem>();
        var parsed = new List<(string File, ReleaseDoc Doc)>();
        foreach (var (file, text) in files)
        {
            try
            {
                var root = BoundedYaml.Parse(text, YamlLimits.Catalog);
                if (root is null) { problems.Add(new(file, null, null, null, "the file is empty; it must describe one release")); continue; }
                parsed.Add((file, ReleaseDoc.From(root)));
            }
            catch (YamlInputException e)
            {
                problems.Add(new(file, null, null, null, $"{(e.At is { } at ? $"{at}: " : "")}{e.Message} (keys allowed: see schemas/README.md)"));
            }
        }

        var byId = new Dictionary<string, (string File, ReleaseDoc Doc)>(StringComparer.Ordinal);
        foreach (var (file, doc) in parsed)
        {
            if (string.IsNullOrWhiteSpace(doc.Release))
                problems.Add(new(file, null, null, null, "missing 'release:' (the release id, e.g. mimic-iv-3.1)"));
            else if (!ReleaseId().IsMatch(doc.Release))
                problems.Add(new(file, doc.Release, null, null, "the release id must be lower-case letters, digits, '.' and '-', starting with a letter"));
            else if (byId.TryGetValue(doc.Release, out var first))
                problems.Add(new(file, doc.Release, null, null, $"duplicate release; it is already defined in {first.File}"));
            else
                byId[doc.Release] = (file, doc);
        }

        var resolver = new Resolver(byId, problems);
        var releases = byId.Keys.Order(StringComparer.Ordinal).Select(resolver.Resolve).OfType<Release>().ToList();
        if (problems.Count > 0)
            throw new CatalogException(problems);
        return new SchemaCatalog(releases);
    }

    internal static bool IsIdentifier(string? name) => name is not null && Identifier().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[a-z][a-z0-9.-]{0,62}$")]
    private static partial Regex ReleaseId();

    /// <summary>Resolves base releases and borrowed modules, memoised, with cycle detection.</summary>
    private sealed class Resolver(Dictionary<string, (string File, ReleaseDoc Doc)> docs, List<CatalogProblem> problems)
    {
        private readonly Dictionary<string, Release?> _done = new(StringComparer.Ordinal);
        private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

        public Release? Resolve(string id)
        {
            if (_done.TryGetValue(id, out var known)) return known;
            var (file, doc) = docs[id];
            if (!_inProgress.Add(id))
            {
                problems.Add(new(file, id, null, null, "release refers back to itself through 'base' or 'from'; break the cycle"));
                return null;
            }
            var release = Build(file, doc);
            _inProgress.Remove(id);
            _done[id] = release;
            return release;
        }

        private Release? Other(string file, string id, string key, string? target)
        {
            if (target is not null && docs.ContainsKey(target)) return Resolve(target);
            problems.Add(new(file, id, null, null,
                $"'{key}: {target}' names no release; known releases: {string.Join(", ", docs.Keys.Order(StringComparer.Ordinal))}"));
            return null;
        }

        private Release? Build(string file, ReleaseDoc doc)
        {
            var id = doc.Release!;
            var before = problems.Count;
            void Problem(string message, string? table = null, string? column = null) =>
                problems.Add(new(file, id, table, column, message));

            if (string.IsNullOrWhiteSpace(doc.Title)) Problem("missing 'title:' (the human name, e.g. MIMIC-IV 3.1)");
            var access = doc.Access switch
            {
                "open" => Access.Open,
                "credentialed" => Access.Credentialed,
                _ => (Access?)null,
            };
            if (access is null) Problem($"'access: {doc.Access}' must be 'open' or 'credentialed'");

            Release? baseRelease = null;
            if (doc.Base is not null)
            {
                baseRelease = Other(file, id, "base", doc.Base);
                if (baseRelease is null) return null;
            }
            var filePattern = doc.Files ?? (baseRelease is null ? null : InheritedPattern(baseRelease));
            if (filePattern is null || !(filePattern.Contains("{table}") || filePattern.Contains("{TABLE}")))
                Problem("'files:' must give the file name pattern with {table} or {TABLE}, e.g. \"{table}.csv.gz\"");

            S3Location? s3 = null;
            if (doc.S3 is not null)
            {
                if (doc.S3.Uri is null || !doc.S3.Uri.StartsWith("s3://", StringComparison.Ordinal) || !doc.S3.Uri.EndsWith('/'))
                    Problem($"'s3.uri: {doc.S3.Uri}' must be an s3:// folder ending in '/'");
                if (string.IsNullOrWhiteSpace(doc.S3.Region)) Problem("'s3.region:' is required (e.g. us-east-1)");
                s3 = new S3Location(doc.S3.Uri ?? "", doc.S3.Region ?? "");
            }
            if (access == Access.Open && s3 is null) Problem("an open release must say where it is published: 's3: {uri: ..., region: ...}'");

            // Optional in a catalog of one's own; every shipped release states it (CatalogLoaderTests checks).
            PhysioNetProject? project = null;
            if (doc.PhysioNet is { } pn)
            {
                if (pn.Slug is null || !ProjectSlug().IsMatch(pn.Slug) || pn.Version is null || !ProjectVersion().IsMatch(pn.Version))
                    Problem($"'physionet: {{slug: {pn.Slug}, version: {pn.Version}}}' must be a project slug (lower-case letters, digits, '-') and a version such as \"3.1\"");
                else project = new PhysioNetProject(pn.Slug, pn.Version);
            }
            foreach (var f in doc.Download?.Files ?? [])
                if (!RelativeFile().IsMatch(f) || f.Split('/').Any(part => part is "." or ".."))
                    Problem($"'download.files: {f}' must be a file path inside the release (letters, digits, '_', '.', '-', '/')");

            if (doc.Modules is null || doc.Modules.Count == 0) { Problem("'modules:' is empty; list at least one module"); return null; }

            var modules = new List<Module>();
            foreach (var m in doc.Modules)
            {
                if (!IsIdentifier(m.Name)) { Problem($"module name '{m.Name}' must be a lower-case identifier (letters, digits, '_')"); continue; }
                if (modules.Any(x => x.Name == m.Name)) { Problem($"duplicate module '{m.Name}'"); continue; }
                var module = BuildModule(file, id, m, baseRelease, filePattern ?? "{table}", s3, Problem);
                // A module's own files (not borrowed with from:) come from this release's project.
                if (module is not null && module.DefinedIn == id) module = module with { Project = project };
                if (module is not null) modules.Add(module);
            }

            foreach (var change in doc.Changes ?? [])
                modules = ApplyChange(modules, change, Problem);
            modules = WithSizes(id, modules, doc.Sizes, Problem);

            // A derived module lives in its own schema (dataset, database), so its names may repeat a source
            // table's (derived.vitalsign and ed.vitalsign); the source modules share one lab database.
            var seenTables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var m in modules.Where(m => !m.IsDerived))
                foreach (var t in m.Tables)
                    if (!seenTables.TryAdd(t.Name, m.Name))
                        Problem($"table name is used by modules {seenTables[t.Name]} and {m.Name}; a lab database holds one table per name", $"{m.Name}.{t.Name}");

            foreach (var m in modules.Where(m => m.IsDerived))
                CheckConceptInputs(m, modules, Problem);

            if (problems.Count > before || access is null) return null;
            return new Release(id, doc.Title!, access.Value, doc.Base, s3, modules) { Project = project, Download = DownloadOf(project, doc.Download) };
        }

        /// <summary>
        /// Where PhysioNet serves the release's files over HTTPS: its project's files folder, with the files `local` fetches
        /// besides the tables' own (the licence). Null without a project.
        /// </summary>
        private static PhysioNetFiles? DownloadOf(PhysioNetProject? project, DownloadDoc? doc) =>
            project is null ? null : new PhysioNetFiles(PhysioNetFiles.FilesRoot + project.Prefix, doc?.Files ?? []);

        /// <summary>
        /// The sizes of the tables this release ships (modules defined here, never borrowed ones, which keep their own
        /// release's), replacing any a base release gave: another release's files have other sizes.
        /// </summary>
        private static List<Module> WithSizes(string id, List<Module> modules, SizesDoc? doc, Action<string, string?, string?> problem)
        {
            var sizes = new Dictionary<string, TableSize>(StringComparer.Ordinal);
            if (doc is not null)
            {
                if (string.IsNullOrWhiteSpace(doc.Rows) || string.IsNullOrWhiteSpace(doc.Bytes))
                    problem("'sizes:' must say where its figures come from: 'rows:' and 'bytes:' (a source, or how they were estimated)", null, null);
                var own = modules.Where(m => m.DefinedIn == id && !m.IsDerived).SelectMany(m => m.Tables).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var (table, size) in doc.Tables ?? [])
                {
                    long? Number(string key, string? text)
                    {
                        if (text is null) return null;
                        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
                        problem($"sizes of {table}: '{key}: {text}' must be a whole number", null, null);
                        return null;
                    }
                    if (!own.Contains(table)) { problem($"'sizes:' names table {table}, which no module this release ships has", null, null); continue; }
                    var rows = Number("rows", size.Rows);
                    if (rows is null) { problem($"sizes of {table}: 'rows:' is required", null, null); continue; }
                    sizes[table] = new TableSize(rows.Value, Number("gzipBytes", size.GzipBytes), Number("textBytes", size.TextBytes), doc.Rows ?? "", doc.Bytes ?? "");
                }
            }
            return modules.Select(m => m.DefinedIn != id || m.IsDerived ? m
                : m with { Tables = m.Tables.Select(t => t with { Size = sizes.GetValueOrDefault(t.Name) }).ToList() }).ToList();
        }

        /// <summary>Every source table a concept reads is a table of a source module of this release, named by its schema.</summary>
        private static void CheckConceptInputs(Module derived, List<Module> modules, Action<string, string?, string?> problem)
        {
            foreach (var t in derived.Tables.Where(t => t.Concept is not null))
                foreach (var read in t.Concept!.Reads)
                {
                    var dot = read.IndexOf('.');
                    var source = modules.FirstOrDefault(m => !m.IsDerived && m.Schema == read[..dot] && m.FindTable(read[(dot + 1)..]) is not null);
                    if (source is null)
                        problem($"concept reads '{read}', which no module of this release has (schemas: {string.Join(", ", modules.Where(m => !m.IsDerived).Select(m => m.Schema).Distinct())}); " +
                                "name it as schema.table, or add the module", $"{derived.Name}.{t.Name}", null);
                }
        }

        private static string? InheritedPattern(Release r) => r.Modules.FirstOrDefault(m => m.DefinedIn == r.Id)?.FilePattern
            ?? r.Modules.FirstOrDefault()?.FilePattern;

        private Module? BuildModule(string file, string id, ModuleDoc m, Release? baseRelease, string filePattern, S3Location? s3,
            Action<string, string?, string?> problem)
        {
            var name = m.Name!;
            if (m.BigQuery is not null && !BigQueryDataset().IsMatch(m.BigQuery))
                problem($"module {name}: 'bigquery: {m.BigQuery}' is not a BigQuery dataset name (letters, digits, '_')", null, null);

            if (m.From is not null)
            {
                if (m.Tables is not null || m.Folder is not null || m.Schema is not null || m.Concepts is not null)
                    problem($"module {name} is borrowed with 'from:'; it cannot also give tables, a folder, a schema or concepts", null, null);
                var origin = Other(file, id, "from", m.From);
                var borrowed = origin?.FindModule(name);
                if (origin is not null && borrowed is null)
                    problem($"module {name}: release {m.From} has no module '{name}'", null, null);
                return borrowed is null ? null : borrowed with { BigQueryDataset = m.BigQuery ?? borrowed.BigQueryDataset };
            }

            if (m.Schema is not null && !IsIdentifier(m.Schema))
                problem($"module {name}: 'schema: {m.Schema}' must be a lower-case identifier (letters, digits, '_')", null, null);
            var concepts = m.Concepts is null ? null : ConceptSourceOf(name, m.Concepts, problem);
            if (m.Tables is null)
            {
                var inherited = baseRelease?.FindModule(name);
                if (inherited is null)
                {
                    problem(baseRelease is null
                        ? $"module {name} has no tables; list them under 'tables:'"
                        : $"module {name} is neither in base release {baseRelease.Id} nor given tables here", null, null);
                    return null;
                }
                // Locations are never inherited: a demo must not point at the credentialed datasets of its base.
                return inherited with
                {
                    DefinedIn = inherited.DefinedIn == baseRelease!.Id ? id : inherited.DefinedIn,
                    Folder = m.Folder ?? inherited.Folder,
                    Schema = m.Schema ?? inherited.Schema,
                    FilePattern = inherited.DefinedIn == baseRelease.Id ? filePattern : inherited.FilePattern,
                    BigQueryDataset = m.BigQuery,
                    OpenS3 = inherited.DefinedIn == baseRelease.Id ? s3 : inherited.OpenS3,
                    Concepts = concepts ?? inherited.Concepts,
                    BigQueryNote = m.BigQueryNote,
                };
            }

            if (m.Tables.Count == 0) { problem($"module {name} is empty; list at least one table", null, null); return null; }
            var tables = new List<Table>();
            foreach (var t in m.Tables)
            {
                var tableName = $"{name}.{t.Name}";
                if (!IsIdentifier(t.Name)) { problem($"table name '{t.Name}' must be a lower-case identifier (letters, digits, '_')", tableName, null); continue; }
                if (tables.Any(x => x.Name == t.Name)) { problem("duplicate table; each table is listed once per module", tableName, null); continue; }
                if (t.Columns is null || t.Columns.Count == 0) { problem("table has no columns; list them under 'columns:'", tableName, null); continue; }
                Concept? concept = null;
                if (t.Concept is not null && concepts is null)
                    problem($"table has 'concept:' but module {name} has no 'concepts:' saying where the concept SQL is", tableName, null);
                else if (concepts is not null && t.Concept is null)
                    problem($"every table of derived module {name} needs 'concept: {{file: <group>/{t.Name}.sql, needs: [...], reads: [...]}}'", tableName, null);
                else if (t.Concept is not null)
                {
                    concept = ConceptOf(t.Name!, t.Concept, tables, msg => problem(msg, tableName, null));
                    if (concept is null) continue;
                }
                var columns = new List<Column>();
                foreach (var c in t.Columns)
                {
                    if (!IsIdentifier(c.Name)) { problem($"column name '{c.Name}' must be a lower-case identifier (letters, digits, '_')", tableName, c.Name); continue; }
                    if (columns.Any(x => x.Name == c.Name)) { problem("duplicate column; each column is listed once", tableName, c.Name); continue; }
                    if (!ColumnType.TryParse(c.Type, out var type, out var why)) { problem(why, tableName, c.Name); continue; }
                    columns.Add(new Column(c.Name!, type, !c.Required, c.Description));
                }
                tables.Add(new Table(t.Name!, t.Description, columns, t.Multiline) { Concept = concept });
            }
            return new Module(name, id, m.Folder ?? name, filePattern, m.BigQuery, s3, tables)
            {
                Schema = m.Schema ?? name, Concepts = concepts, BigQueryNote = m.BigQueryNote,
            };
        }

        private static ConceptSource? ConceptSourceOf(string module, ConceptsDoc doc, Action<string, string?, string?> problem)
        {
            var ok = true;
            if (doc.Repository is null || !RepositoryName().IsMatch(doc.Repository))
            { problem($"module {module}: 'concepts.repository: {doc.Repository}' must be a GitHub owner/name, e.g. MIT-LCP/mimic-code", null, null); ok = false; }
            foreach (var (key, value) in new[] { ("sql", doc.Sql), ("duckdb", doc.DuckDb) })
                if (value is null || !RelativeFolder().IsMatch(value))
                { problem($"module {module}: 'concepts.{key}: {value}' must be a folder inside the repository, e.g. mimic-iv/concepts", null, null); ok = false; }
            return ok ? new ConceptSource(doc.Repository!, doc.Sql!, doc.DuckDb!) : null;
        }

        /// <summary>A concept's file is named after its table; what it needs is listed before it, which makes catalog order a build order.</summary>
        private static Concept? ConceptOf(string table, ConceptDoc doc, List<Table> earlier, Action<string> problem)
        {
            var ok = true;
            void Bad(string message) { problem(message); ok = false; }
            if (doc.File is null || !ConceptFile().IsMatch(doc.File) || Path.GetFileNameWithoutExtension(doc.File) != table)
                Bad($"'concept.file: {doc.File}' must be <group>/{table}.sql (mimic-code names each concept file after its table), e.g. score/{table}.sql");
            foreach (var need in doc.Needs ?? [])
                if (earlier.All(x => x.Name != need))
                    Bad($"concept needs '{need}', which is not listed before it in this module; list every concept after the concepts it needs");
            foreach (var read in doc.Reads ?? [])
                if (!SchemaTable().IsMatch(read ?? ""))
                    Bad($"concept reads '{read}'; write a source table as schema.table, e.g. mimiciv_icu.icustays");
            return ok ? new Concept(doc.File!, doc.Needs ?? [], doc.Reads ?? [], doc.Inferred) : null;
        }

        private static List<Module> ApplyChange(List<Module> modules, ChangeDoc change, Action<string, string?, string?> problem)
        {
            var parts = (change.Table ?? "").Split('.');
            var module = parts.Length == 2 ? modules.FirstOrDefault(m => m.Name == parts[0]) : null;
            var table = module?.FindTable(parts[1]);
            if (table is null) { problem($"change names table '{change.Table}', which this release does not have; write it as module.table", change.Table, null); return modules; }
            var column = table.FindColumn(change.Column ?? "");
            if (column is null) { problem($"change names column '{change.Column}', which the table does not have", change.Table, change.Column); return modules; }
            if (!ColumnType.TryParse(change.Type, out var type, out var why)) { problem(why, change.Table, change.Column); return modules; }

            var newTable = table with { Columns = table.Columns.Select(c => c == column ? c with { Type = type } : c).ToList() };
            var newModule = module! with { Tables = module.Tables.Select(t => t == table ? newTable : t).ToList() };
            return modules.Select(m => m == module ? newModule : m).ToList();
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,1024}$")]
    private static partial Regex BigQueryDataset();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ProjectSlug();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)*$")]
    private static partial Regex ProjectVersion();

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")]
    private static partial Regex RelativeFolder();

    [GeneratedRegex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")]
    private static partial Regex RelativeFile();

    [GeneratedRegex(@"^[a-z0-9_]+/[a-z0-9_]+\.sql$")]
    private static partial Regex ConceptFile();

    [GeneratedRegex("^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$")]
    private static partial Regex SchemaTable();

    // The YAML shape of one catalog file (schemas/README.md documents it), bound by hand (Input/YamlFields.cs).
    private sealed record ReleaseDoc(string? Release, string? Title, string? Base, string? Access, string? Files, S3Doc? S3,
        List<ModuleDoc>? Modules, List<ChangeDoc>? Changes)
    {
        public SizesDoc? Sizes { get; init; }

        public ProjectDoc? PhysioNet { get; init; }

        public DownloadDoc? Download { get; init; }

        public static ReleaseDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a release", "release", "title", "base", "access", "files", "s3", "modules", "changes", "physionet", "download", "sizes");
            var s3 = f.Map("s3", "'s3:'", "uri", "region");
            var project = f.Map("physionet", "'physionet:'", "slug", "version");
            var download = f.Map("download", "'download:'", "files");
            var sizes = f.Map("sizes", "'sizes:'", "rows", "bytes", "tables");
            return new(f.Text("release"), f.Text("title"), f.Text("base"), f.Text("access"), f.Text("files"),
                s3 is null ? null : new S3Doc(s3.Text("uri"), s3.Text("region")),
                f.List("modules", ModuleDoc.FromYaml), f.List("changes", ChangeDoc.From))
            {
                PhysioNet = project is null ? null : new ProjectDoc(project.Text("slug"), project.Text("version")),
                Download = download is null ? null : new DownloadDoc(download.Texts("files")),
                Sizes = sizes is null ? null : new SizesDoc(sizes.Text("rows"), sizes.Text("bytes"), sizes.Entries("tables", SizeDoc.From)),
            };
        }
    }

    /// <summary>A release's table sizes: where the rows and the bytes come from, then one entry per table of the modules it ships.</summary>
    private sealed record SizesDoc(string? Rows, string? Bytes, List<KeyValuePair<string, SizeDoc>>? Tables);

    private sealed record SizeDoc(string? Rows, string? GzipBytes, string? TextBytes)
    {
        public static SizeDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a table's size", "rows", "gzipBytes", "textBytes");
            return new(f.Text("rows"), f.Text("gzipBytes"), f.Text("textBytes"));
        }
    }

    private sealed record DownloadDoc(List<string>? Files);

    private sealed record S3Doc(string? Uri, string? Region);

    private sealed record ProjectDoc(string? Slug, string? Version);

    private sealed record ModuleDoc(string? Name, string? Folder, string? Schema, string? BigQuery, string? From, ConceptsDoc? Concepts,
        string? BigQueryNote, List<TableDoc>? Tables)
    {
        public static ModuleDoc FromYaml(YamlValue value)
        {
            var f = new YamlFields(value, "a module", "name", "folder", "schema", "bigquery", "from", "concepts", "bigqueryNote", "tables");
            var c = f.Map("concepts", "'concepts:'", "repository", "sql", "duckdb");
            return new(f.Text("name"), f.Text("folder"), f.Text("schema"), f.Text("bigquery"), f.Text("from"),
                c is null ? null : new ConceptsDoc(c.Text("repository"), c.Text("sql"), c.Text("duckdb")),
                f.Text("bigqueryNote"), f.List("tables", TableDoc.From));
        }
    }

    private sealed record ConceptsDoc(string? Repository, string? Sql, string? DuckDb);

    private sealed record ConceptDoc(string? File, List<string>? Needs, List<string>? Reads, bool Inferred);

    private sealed record TableDoc(string? Name, string? Description, bool Multiline, ConceptDoc? Concept, List<ColumnDoc>? Columns)
    {
        public static TableDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a table", "name", "description", "multiline", "concept", "columns");
            var c = f.Map("concept", "'concept:'", "file", "needs", "reads", "inferred");
            return new(f.Text("name"), f.Text("description"), f.Flag("multiline"),
                c is null ? null : new ConceptDoc(c.Text("file"), c.Texts("needs"), c.Texts("reads"), c.Flag("inferred")),
                f.List("columns", ColumnDoc.From));
        }
    }

    private sealed record ColumnDoc(string? Name, string? Type, bool Required, string? Description)
    {
        public static ColumnDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a column", "name", "type", "required", "description");
            return new(f.Text("name"), f.Text("type"), f.Flag("required"), f.Text("description"));
        }
    }

    private sealed record ChangeDoc(string? Table, string? Column, string? Type)
    {
        public static ChangeDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a change", "table", "column", "type");
            return new(f.Text("table"), f.Text("column"), f.Text("type"));
        }
    }
}
