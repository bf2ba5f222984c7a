using MimicInfra.Lab;
using YamlDotNet.Serialization;

namespace MimicInfra.Check;

/// <summary>
/// Rules of a lab's program that no provider schema knows, read back from the text Pulumi gets:
/// Glue views carry a SerDe (Athena refuses them otherwise), the tables researchers query are Parquet in
/// exactly the catalog's types; and each concern's rules, kept beside it (Aws/*/…Rules.cs, Gcp/*/…Rules.cs): this runs them in order.
/// </summary>
public static class LabRules
{
    /// <summary>Rules that need only the program text.</summary>
    public static IReadOnlyList<CheckProblem> Check(string programText) => Check(programText, null);

    /// <summary>All rules; those about catalog types and sources need the lab's settings.</summary>
    public static IReadOnlyList<CheckProblem> Check(string programText, LabSettings? lab)
    {
        var problems = new List<CheckProblem>();
        Dictionary<object, object> root;
        try { root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(programText) ?? []; }
        catch (YamlDotNet.Core.YamlException) { return problems; }   // the schema check reports unreadable YAML
        var resources = (root.GetValueOrDefault("resources") as Dictionary<object, object> ?? [])
            .Select(kv => (Name: (string)kv.Key, Body: kv.Value as Dictionary<object, object> ?? []))
            .Select(r => (r.Name, Type: r.Body.GetValueOrDefault("type") as string ?? "", Props: r.Body.GetValueOrDefault("properties") as Dictionary<object, object> ?? []))
            .ToList();

        Aws.Data.GlueCatalogRules.ViewsHaveASerDe(resources, problems);

        Gcp.Datasets.LabDatasetsRules.DatasetsAdmitOnlyTheirList(resources, problems);
        Gcp.GcpLabRules.Check(resources, lab, problems);

        if (lab?.Aws is { } aws)
        {
            Aws.Data.GlueCatalogRules.QueriedTablesHaveCatalogTypes(lab, resources, problems);
            Aws.Workspace.WorkspaceRules.Check(lab, resources, problems);
            Aws.Perimeter.PerimeterRules.CredentialedLabHasAPerimeter(lab, resources, problems);
            Aws.Network.LabDnsFirewall.Check(lab, resources, problems);
            Aws.Perimeter.PerimeterControls.Check(lab, root, resources, problems);
            Aws.Audit.AuditRules.Check(lab, resources, problems);
        }
        return problems;
    }

    /// <summary>The value at a path of nested mappings of the program text; null where any step is missing.</summary>
    internal static object? At(Dictionary<object, object> map, params string[] path)
    {
        object? o = map;
        foreach (var p in path) o = (o as Dictionary<object, object>)?.GetValueOrDefault(p);
        return o;
    }
}
