using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimicInfra.Catalog;

namespace MimicInfra.Cli;

/// <summary>`catalog list | show | diff`: read-only views of the schema catalog.</summary>
internal static class CatalogCommands
{
    public static Command Build(Console io)
    {
        var catalog = new Command("catalog", "Browse the MIMIC schema catalog (releases, modules, tables, columns).");

        var listJson = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var list = new Command("list", "List releases with their modules and table counts.") { listJson };
        list.SetAction(r => io.Run(() => List(io, r.GetValue(listJson))));

        var release = new Argument<string>("release") { Description = "Release id, e.g. mimic-iv-3.1 (see `catalog list`)." };
        var module = new Option<string?>("--module") { Description = "Only this module (e.g. hosp)." };
        var table = new Option<string?>("--table") { Description = "Only this table (e.g. admissions)." };
        var showJson = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var show = new Command("show", "Show the tables and columns of a release.") { release, module, table, showJson };
        show.SetAction(r => io.Run(() => Show(io, r.GetValue(release)!, r.GetValue(module), r.GetValue(table), r.GetValue(showJson))));

        var a = new Argument<string>("releaseA") { Description = "The older release." };
        var b = new Argument<string>("releaseB") { Description = "The newer release." };
        var diff = new Command("diff", "Tables and columns added, removed or retyped between two releases.") { a, b };
        diff.SetAction(r => io.Run(() => Diff(io, r.GetValue(a)!, r.GetValue(b)!)));

        catalog.Subcommands.Add(list);
        catalog.Subcommands.Add(show);
        catalog.Subcommands.Add(diff);
        return catalog;
    }

    internal static Release FindRelease(SchemaCatalog catalog, string id, string what = "release") =>
        catalog.Find(id) ?? throw new UserError($"unknown {what} {Input.Shown.Quote(id)}. Known releases: {string.Join(", ", catalog.ReleaseIds)}.");

    private static int List(Console io, bool json)
    {
        var catalog = CatalogLoader.LoadEmbedded();
        if (json)
        {
            var arr = new JsonArray(catalog.Releases.Select(r => (JsonNode)new JsonObject
            {
                ["release"] = r.Id,
                ["title"] = r.Title,
                ["access"] = r.Access.ToString().ToLowerInvariant(),
                ["base"] = r.Base,
                ["modules"] = new JsonArray(r.Modules.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name, ["tables"] = m.Tables.Count, ["bigquery"] = m.BigQueryDataset,
                }).ToArray()),
                ["tables"] = r.TableCount,
            }).ToArray());
            io.Out.WriteLine(arr.ToJsonString(Json.Indented));
            return 0;
        }
        var rows = catalog.Releases.Select(r => new[]
        {
            r.Id, r.Title, r.Access.ToString().ToLowerInvariant(),
            string.Join(" ", r.Modules.Select(m => $"{m.Name}({m.Tables.Count})")), r.TableCount.ToString(),
        });
        io.Table(["release", "title", "access", "modules (tables)", "tables"], rows);
        return 0;
    }

    private static int Show(Console io, string releaseId, string? moduleName, string? tableName, bool json)
    {
        var release = FindRelease(CatalogLoader.LoadEmbedded(), releaseId);
        var modules = release.Modules.Where(m => moduleName is null || m.Name == moduleName).ToList();
        if (modules.Count == 0)
            throw new UserError($"release {release.Id} has no module {Input.Shown.Quote(moduleName)}. Its modules: {string.Join(", ", release.Modules.Select(m => m.Name))}.");
        var selected = modules.Select(m => (Module: m, Tables: m.Tables.Where(t => tableName is null || t.Name == tableName).ToList()))
            .Where(x => tableName is null || x.Tables.Count > 0).ToList();
        if (selected.Count == 0)
            throw new UserError($"release {release.Id} has no table {Input.Shown.Quote(tableName)}" + (moduleName is null ? "" : $" in module {moduleName}") + ". See `catalog show " + release.Id + "`.");

        if (json)
        {
            var root = new JsonObject
            {
                ["release"] = release.Id,
                ["modules"] = new JsonArray(selected.Select(x => (JsonNode)ModuleJson(x.Module, x.Tables)).ToArray()),
            };
            io.Out.WriteLine(root.ToJsonString(Json.Indented));
            return 0;
        }
        io.Out.WriteLine($"{release.Title} ({release.Id}), {release.Access.ToString().ToLowerInvariant()} access");
        foreach (var (m, tables) in selected)
        {
            io.Out.WriteLine();
            io.Out.WriteLine($"module {m.Name}: {m.Tables.Count} tables, " +
                (m.Concepts is { } cs ? $"schema {m.Schema}, built by {cs.Repository} concept SQL ({cs.SqlFolder}; DuckDB {cs.DuckDbFolder})" : $"files {m.Folder}/{m.FilePattern}") +
                (m.BigQueryDataset is null ? "" : $", BigQuery physionet-data.{m.BigQueryDataset}"));
            if (m.BigQueryDataset is null && m.BigQueryNote is not null) io.Out.WriteLine($"  no BigQuery dataset: {m.BigQueryNote}");
            if (!m.IsDerived && m.Project is { } project) io.Out.WriteLine($"  files from PhysioNet project {project} (physionet.org/content/{project.Slug}/{project.Version}/)");
            foreach (var t in tables)
            {
                io.Out.WriteLine($"  {t.Name} ({t.Columns.Count} columns)" + (t.Concept is { } concept
                    ? $" from {concept.File}" + (concept.Needs.Count == 0 ? "" : $", needs {string.Join(" ", concept.Needs)}") +
                      (concept.Reads.Count == 0 ? "" : $", reads {string.Join(" ", concept.Reads)}") + (concept.InferredTypes ? ", types inferred from the SQL" : "")
                    : ""));
                var width = t.Columns.Max(c => c.Name.Length);
                foreach (var c in t.Columns)
                    io.Out.WriteLine($"    {c.Name.PadRight(width)}  {c.Type}{(c.Nullable ? "" : " not null")}");
            }
        }
        return 0;
    }

    private static JsonNode ModuleJson(Module m, IReadOnlyList<Table> tables) => WithoutNulls(new JsonObject
    {
        ["name"] = m.Name,
        ["schema"] = m.Schema,
        ["physionet"] = m.Project is not { } p ? null : new JsonObject { ["slug"] = p.Slug, ["version"] = p.Version },
        ["bigquery"] = m.BigQueryDataset,
        ["bigqueryNote"] = m.BigQueryNote,
        ["concepts"] = m.Concepts is not { } cs ? null : new JsonObject
        {
            ["repository"] = cs.Repository, ["sql"] = cs.SqlFolder, ["duckdb"] = cs.DuckDbFolder,
        },
        ["tables"] = new JsonArray(tables.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["concept"] = t.Concept is not { } c ? null : new JsonObject
            {
                ["file"] = c.File,
                ["needs"] = new JsonArray(c.Needs.Select(n => (JsonNode)n).ToArray()),
                ["reads"] = new JsonArray(c.Reads.Select(n => (JsonNode)n).ToArray()),
                ["inferredTypes"] = c.InferredTypes,
            },
            ["columns"] = new JsonArray(t.Columns.Select(col => (JsonNode)new JsonObject
            {
                ["name"] = col.Name, ["type"] = col.Type.ToString(), ["nullable"] = col.Nullable,
            }).ToArray()),
        }).Select(t => WithoutNulls((JsonObject)t)).ToArray()),
    });

    /// <summary>Keys that do not apply (a source module's concepts) are left out rather than written as null.</summary>
    private static JsonNode WithoutNulls(JsonObject o)
    {
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList()) o.Remove(key);
        return o;
    }

    private static int Diff(Console io, string a, string b)
    {
        var catalog = CatalogLoader.LoadEmbedded();
        var changes = CatalogDiff.Between(FindRelease(catalog, a), FindRelease(catalog, b));
        io.Out.WriteLine($"{a} -> {b}: {changes.Count} change(s)");
        foreach (var c in changes) io.Out.WriteLine(c.ToString());
        return 0;
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
