using MimicInfra.Catalog;
using MimicInfra.Check;
using MimicInfra.Lab;
using static MimicInfra.Check.LabRules;

namespace MimicInfra.Gcp.Hardening;

/// <summary>
/// The hardening the stack asked for, read back from the program text, each of which one edited line could switch off:
/// the Workbench terminal and the audit log bucket's lock.
/// </summary>
public static class GcpHardeningRules
{
    public static void Check(List<(string Name, string Type, Dictionary<object, object> Props)> resources, LabSettings? lab, List<CheckProblem> problems)
    {
        if (lab?.Gcp is not { } gcp) return;
        var h = gcp.Hardening;
        if (gcp.Workbench is not null)
        {
            var metadata = resources.Where(r => r.Type == "gcp:workbench/instance:Instance").Select(r => (r.Name, Value: At(r.Props, "gceSetup", "metadata", "notebook-disable-terminal") as string));
            foreach (var (name, value) in metadata.Where(m => h.WorkbenchDisableTerminal && m.Value != "true"))
                problems.Add(new(name, $"gceSetup.metadata.notebook-disable-terminal must be \"true\": the terminal is off for {(lab.Release.Access == Access.Credentialed ? "a credentialed release unless gcpWorkbenchDisableTerminal is false" : "this lab (gcpWorkbenchDisableTerminal)")}"));
        }
        foreach (var (name, _, props) in resources.Where(r => r.Type == "gcp:logging/projectBucketConfig:ProjectBucketConfig"))
            if (h.AuditLogLocked && At(props, "locked") is not (true or "true"))
                problems.Add(new(name, $"the audit log bucket must be locked (locked: true){(lab.Release.Access == Access.Credentialed ? " for a credentialed release unless gcpAuditLogLocked is false" : "")}"));
    }
}
