using MimicInfra.Catalog;
using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>
/// The `check` rules of the lab's Glue catalog, read back from the program's text: a Glue view carries a SerDe (Athena
/// refuses it otherwise), and the tables researchers query are Parquet in exactly the catalog's types.
/// </summary>
public static class GlueCatalogRules
{
    private const string GlueTable = "aws:glue/catalogTable:CatalogTable";

    /// <summary>How a table of the lab database names its database in a lab program's text: the lab's handle, declared on a program of its own.</summary>
    private static readonly string InTheLabDatabase = AwsLabResources.Declare(new ProgramBuilder()).LabDatabase.Out("name");

    public static void ViewsHaveASerDe(List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        foreach (var (name, _, props) in resources.Where(r => r.Type == GlueTable))
            if (LabRules.At(props, "tableType") as string == "VIRTUAL_VIEW" && LabRules.At(props, "storageDescriptor", "serDeInfo") is null)
                problems.Add(new(name, "a Glue view without storageDescriptor.serDeInfo fails in Athena (HIVE_METASTORE_ERROR: Table storage descriptor is missing SerDe info)"));
    }

    public static void QueriedTablesHaveCatalogTypes(LabSettings lab, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        var queried = resources.Where(r => r.Type == GlueTable && LabRules.At(r.Props, "databaseName") as string == InTheLabDatabase).Select(r => (r.Name, r.Props)).ToList();
        foreach (var (m, t) in lab.Tables)
        {
            var found = queried.Where(q => LabRules.At(q.Props, "name") as string == t.Name).ToList();
            if (found.Count != 1) { problems.Add(new($"labDatabase.{t.Name}", $"the lab database must hold one table {t.Name} ({m.Name}); it holds {found.Count}")); continue; }
            var (name, props) = found[0];
            if (LabRules.At(props, "tableType") as string != "EXTERNAL_TABLE" ||
                LabRules.At(props, "storageDescriptor", "serDeInfo", "serializationLibrary") as string != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
                problems.Add(new(name, "a table researchers query must be a Parquet table (ParquetHiveSerDe), not a view or a CSV reader"));
            var columns = (LabRules.At(props, "storageDescriptor", "columns") as List<object> ?? []).OfType<Dictionary<object, object>>()
                .Select(c => $"{c.GetValueOrDefault("name")} {c.GetValueOrDefault("type")}").ToList();
            var expected = t.Columns.Select(c => $"{c.Name} {Dialects.TypeName(c.Type, Dialect.Glue)}").ToList();
            if (!columns.SequenceEqual(expected))
            {
                var first = columns.Zip(expected).Select((p, i) => (p, i)).FirstOrDefault(x => x.p.First != x.p.Second);
                problems.Add(new(name, first.p == default
                    ? $"has {columns.Count} columns; the catalog's {m.Name}.{t.Name} has {expected.Count}"
                    : $"column {first.i + 1} is '{first.p.First}'; the catalog says '{first.p.Second}'"));
            }
        }
    }
}
