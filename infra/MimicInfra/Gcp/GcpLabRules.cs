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
}
