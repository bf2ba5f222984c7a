using MimicInfra.Check;
using MimicInfra.Gcp.Boundary;
using MimicInfra.Gcp.Hardening;
using MimicInfra.Lab;

namespace MimicInfra.Gcp;

/// <summary>The GCP side's security rules, read back from the program text: the boundary's, then the hardening's.</summary>
public static class GcpLabRules
{
    public static void Check(List<(string Name, string Type, Dictionary<object, object> Props)> resources, LabSettings? lab, List<CheckProblem> problems)
    {
        GcpBoundaryRules.Check(resources, lab, problems);
        GcpHardeningRules.Check(resources, lab, problems);
    }

    /// <summary>The value at a path of nested maps of the program text; null where any step is missing.</summary>
    internal static object? At(Dictionary<object, object> map, params string[] path)
    {
        object? o = map;
        foreach (var p in path) o = (o as Dictionary<object, object>)?.GetValueOrDefault(p);
        return o;
    }
}
