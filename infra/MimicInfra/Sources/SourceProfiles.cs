using MimicInfra.Catalog;
using MimicInfra.Cli;
using MimicInfra.Input;

namespace MimicInfra.Sources;

/// <summary>How a lab's source files are laid out, and so how the import reads them.</summary>
public enum SourceLayout
{
    /// <summary>PhysioNet's files as published: `module/table.csv.gz`, side by side, all text.</summary>
    PhysionetCsv,
    /// <summary>PhysioNet's own Parquet copies, with their physical types (<see cref="ParquetCopy"/>).</summary>
    PhysionetParquet,
    /// <summary>The lab's own Parquet copy: `module/table/` folders in exact catalog types (what `local --parquet` writes).</summary>
    TableParquet,
}

/// <summary>
/// One of PhysioNet's Parquet copies of a release: where it is, how its folders are named, and the physical
/// type of every column whose type differs from the catalog's.
/// </summary>
public sealed record ParquetCopy(
    string Release,
    string Title,
    string Source,
    S3Source Location,
    IReadOnlyList<string> Modules,
    string ModuleFolder,
    string TableFolder,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Types)
{
    /// <summary>Tables of its modules the copy does not have, as module.table (derived concepts it never published).</summary>
    public IReadOnlyList<string> Lacks { get; init; } = [];

    /// <summary>Whether the copy has this table.</summary>
    public bool Has(Module m, Table t) => Modules.Contains(m.Name) && !Lacks.Contains($"{m.Name}.{t.Name}");

    public string ModuleFolderOf(Module m) => ModuleFolder.Replace("{module}", m.Name);

    public string TableFolderOf(Table t) => TableFolder.Replace("{table}", t.Name).Replace("{TABLE}", t.Name.ToUpperInvariant());

    /// <summary>The physical (Glue) type of a column in this copy.</summary>
    public string TypeOf(Module m, Table t, Column c) =>
        Types.TryGetValue($"{m.Name}.{t.Name}", out var cols) && cols.TryGetValue(c.Name, out var type)
            ? type
            : Dialects.TypeName(c.Type, Dialect.Glue);
}

/// <summary>The source profiles that travel with the program (schemas/sources/), checked against the catalog.</summary>
public static class SourceProfiles
{
    private static readonly string[] GlueTypes = ["smallint", "int", "bigint", "float", "double", "string", "date", "timestamp", "boolean"];

    public static IReadOnlyList<ParquetCopy> ParquetCopies { get; } = Load(CatalogLoader.LoadEmbedded());

    public static ParquetCopy? ParquetCopyOf(Release release) => ParquetCopies.FirstOrDefault(p => p.Release == release.Id);

    private static List<ParquetCopy> Load(SchemaCatalog catalog)
    {
        var asm = typeof(SourceProfiles).Assembly;
        using var stream = asm.GetManifestResourceStream("sources/physionet-parquet.yaml")!;
        var doc = ProfilesDoc.From(BoundedYaml.Parse(new StreamReader(stream).ReadToEnd(), YamlLimits.Catalog)!);
        var copies = new List<ParquetCopy>();
        var problems = new List<string>();
        foreach (var p in doc.Profiles ?? [])
        {
            var release = catalog.Find(p.Release ?? "");
            var location = S3Source.TryParse(p.Location ?? "", out var why);
            if (release is null) { problems.Add($"release '{p.Release}' is not in the catalog"); continue; }
            if (location is null) { problems.Add($"{p.Release}: location {why}"); continue; }
            var types = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            foreach (var (key, cols) in p.Types ?? [])
            {
                var parts = key.Split('.');
                var table = parts.Length == 2 ? release.FindModule(parts[0])?.FindTable(parts[1]) : null;
                if (table is null) { problems.Add($"{p.Release}: types name table '{key}', which the release does not have"); continue; }
                foreach (var (col, type) in cols)
                    if (table.FindColumn(col) is null || !GlueTypes.Contains(type))
                        problems.Add($"{p.Release}: {key}.{col}: unknown column, or type '{type}' is not one of {string.Join(", ", GlueTypes)}");
                types[key] = cols;
            }
            foreach (var m in (p.Modules ?? []).Where(m => release.FindModule(m) is null))
                problems.Add($"{p.Release}: module '{m}' is not in the release");
            foreach (var key in (p.Lacks ?? []).Where(k => k.Split('.') is not [var m, var t] || !(p.Modules ?? []).Contains(m) || release.FindModule(m)?.FindTable(t) is null))
                problems.Add($"{p.Release}: lacks names '{key}', which is not module.table of a module of this copy");
            copies.Add(new ParquetCopy(release.Id, p.Title ?? release.Title, p.Source ?? "", location, p.Modules ?? [], p.ModuleFolder ?? "", p.TableFolder ?? "{table}/", types)
            {
                Lacks = p.Lacks ?? [],
            });
        }
        // The file ships inside the program; a broken one is a build defect, found by the tests.
        if (problems.Count > 0) throw new InvalidOperationException("schemas/sources/physionet-parquet.yaml: " + string.Join("; ", problems));
        return copies;
    }

    // The YAML shape of schemas/sources/physionet-parquet.yaml, bound by hand (Input/YamlFields.cs).
    private sealed record ProfilesDoc(List<ProfileDoc>? Profiles)
    {
        public static ProfilesDoc From(YamlValue value) =>
            new(new YamlFields(value, "the profiles file", "profiles").List("profiles", ProfileDoc.From));
    }

    private sealed record ProfileDoc(string? Profile, string? Release, string? Title, string? Source, string? Location, List<string>? Modules,
        List<string>? Lacks, string? ModuleFolder, string? TableFolder, List<KeyValuePair<string, Dictionary<string, string>>>? Types)
    {
        public static ProfileDoc From(YamlValue value)
        {
            var f = new YamlFields(value, "a profile", "profile", "release", "title", "source", "location", "modules", "lacks", "moduleFolder", "tableFolder", "types");
            return new(f.Text("profile"), f.Text("release"), f.Text("title"), f.Text("source"), f.Text("location"), f.Texts("modules"), f.Texts("lacks"),
                f.Text("moduleFolder"), f.Text("tableFolder"),
                f.Entries("types", ColumnTypes));
        }

        /// <summary>One table's entry under `types`: column name to the Glue type of the copy.</summary>
        private static Dictionary<string, string> ColumnTypes(YamlValue table) => table is YamlMap m
            ? m.Entries.ToDictionary(e => e.Key.Value, e => YamlFields.TextOf(e.Value, "a column type"), StringComparer.Ordinal)
            : throw new YamlInputException(table.At, "each table under 'types' must map column names to types.");
    }
}
