namespace MimicInfra.Catalog;

/// <summary>The whole schema catalog: every MIMIC release MimicInfra knows, resolved and validated.</summary>
public sealed record SchemaCatalog(IReadOnlyList<Release> Releases)
{
    public Release? Find(string id) => Releases.FirstOrDefault(r => r.Id == id);

    public IEnumerable<string> ReleaseIds => Releases.Select(r => r.Id);
}

public enum Access { Open, Credentialed }

/// <summary>Where an open release is published on S3 (PhysioNet's open bucket).</summary>
public sealed record S3Location(string Uri, string Region);

/// <summary>
/// A PhysioNet project version (physionet.org/content/SLUG/VERSION/): the unit PhysioNet grants access to, with
/// its own per-user access point whose files sit under SLUG/VERSION/.
/// </summary>
public sealed record PhysioNetProject(string Slug, string Version)
{
    /// <summary>The folder PhysioNet's buckets and access points keep the project's files under.</summary>
    public string Prefix => $"{Slug}/{Version}/";

    public override string ToString() => $"{Slug} {Version}";
}

/// <summary>A MIMIC release with its modules fully resolved (base releases and borrowed modules applied).</summary>
public sealed record Release(
    string Id,
    string Title,
    Access Access,
    string? Base,
    S3Location? OpenS3,
    IReadOnlyList<Module> Modules)
{
    /// <summary>The PhysioNet project of this release's own modules (borrowed modules keep their own).</summary>
    public PhysioNetProject? Project { get; init; }

    public Module? FindModule(string name) => Modules.FirstOrDefault(m => m.Name == name);

    public IEnumerable<(Module Module, Table Table)> AllTables =>
        Modules.SelectMany(m => m.Tables.Select(t => (m, t)));

    public int TableCount => Modules.Sum(m => m.Tables.Count);

    /// <summary>Where PhysioNet serves the release's files over HTTPS (required for open releases, so `local` can fetch them).</summary>
    public PhysioNetFiles? Download { get; init; }
}

/// <summary>
/// A release's files folder on PhysioNet (https://physionet.org/files/&lt;project&gt;/&lt;version&gt;/, with its
/// SHA256SUMS.txt), from its project, and the files fetched besides the tables' own (the licence).
/// </summary>
public sealed record PhysioNetFiles(string Url, IReadOnlyList<string> Files)
{
    public const string FilesRoot = "https://physionet.org/files/";

    /// <summary>The project/version part of the URL (mimic-iv-demo/2.2/), which a mirror or test server serves under its own base.</summary>
    public string ProjectPath => Url[FilesRoot.Length..];
}

/// <summary>
/// A module (hosp, icu, ed, note, ...). <see cref="DefinedIn"/> is the release whose files it comes from:
/// a borrowed module (MIMIC-IV 3.1 uses ED 2.2) keeps its own origin, file layout and open location.
/// </summary>
public sealed record Module(
    string Name,
    string DefinedIn,
    string Folder,
    string FilePattern,
    string? BigQueryDataset,
    S3Location? OpenS3,
    IReadOnlyList<Table> Tables)
{
    /// <summary>
    /// The SQL schema the module's tables live in, in mimic-code's naming (mimiciv_hosp, mimiciv_icu, mimiciii),
    /// so mimic-code's own scripts run unchanged on a lab. Two modules may share one (MIMIC-III).
    /// </summary>
    public string Schema { get; init; } = Name;

    /// <summary>The PhysioNet project the module's files come from (that of <see cref="DefinedIn"/>), e.g. mimic-iv-ed 2.2 for MIMIC-IV 3.1's ed.</summary>
    public PhysioNetProject? Project { get; init; }

    /// <summary>Set when the module is computed by mimic-code's concept SQL from the other modules, not shipped as files.</summary>
    public ConceptSource? Concepts { get; init; }

    /// <summary>Why the module has no pinned BigQuery dataset although physionet-data has one by its name (a location note: never inherited).</summary>
    public string? BigQueryNote { get; init; }

    /// <summary>A derived module: its tables are built (concept SQL), so it has no files of its own.</summary>
    public bool IsDerived => Concepts is not null;

    public Table? FindTable(string name) => Tables.FirstOrDefault(t => t.Name == name);

    /// <summary>The table's file path relative to the release root, as PhysioNet ships it.</summary>
    public string FileOf(Table table)
    {
        var file = FilePattern.Replace("{table}", table.Name).Replace("{TABLE}", table.Name.ToUpperInvariant());
        return Folder.Length == 0 ? file : $"{Folder}/{file}";
    }
}

/// <summary>A table; <see cref="MultilineText"/> marks free text with line breaks inside quoted fields.</summary>
public sealed record Table(string Name, string? Description, IReadOnlyList<Column> Columns, bool MultilineText = false)
{
    /// <summary>How a derived table is made; null for tables shipped as files.</summary>
    public Concept? Concept { get; init; }

    /// <summary>How big the table's source file is in the release that ships it (the import's time and cost model); null when unknown.</summary>
    public TableSize? Size { get; init; }

    public Column? FindColumn(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

public sealed record Column(string Name, ColumnType Type, bool Nullable, string? Description);

/// <summary>
/// A table's size in its release: rows, and the bytes of its gzip CSV file and of the CSV text where known, with
/// where each figure comes from (the release's `sizes:` block says whether a figure is published or estimated).
/// </summary>
public sealed record TableSize(long Rows, long? GzipBytes, long? TextBytes, string RowsSource, string BytesSource);

/// <summary>The concept SQL that computes a derived module: folders of <see cref="Repository"/> holding one file per table.</summary>
/// <param name="SqlFolder">The source dialect (BigQuery) every other dialect is generated from, e.g. mimic-iv/concepts.</param>
/// <param name="DuckDbFolder">mimic-code's DuckDB translation of it, which a local lab runs unchanged.</param>
public sealed record ConceptSource(string Repository, string SqlFolder, string DuckDbFolder);

/// <summary>
/// How one derived table is made: its concept file (relative to the concept folders, e.g. score/sofa.sql), the
/// derived tables it needs (always listed earlier in its module, so catalog order is a build order) and the
/// source tables it reads as schema.table (mimiciv_icu.chartevents). <see cref="InferredTypes"/> marks column
/// types inferred from the SQL rather than taken from a published schema.
/// </summary>
public sealed record Concept(string File, IReadOnlyList<string> Needs, IReadOnlyList<string> Reads, bool InferredTypes);
