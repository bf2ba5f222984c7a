using MimicInfra.Gcp.Hardening;
using MimicInfra.Program;

namespace MimicInfra.Gcp.Workbench;

/// <summary>What the Workbench instance needs: its settings and hardening, the lab's project, name and labels, and the handles it adds.</summary>
public sealed record GcpWorkbenchArgs
{
    public required WorkbenchSettings Workbench { get; init; }
    public required GcpHardening Hardening { get; init; }
    public required string Project { get; init; }
    /// <summary>The lab's name, which the instance takes.</summary>
    public required string LabName { get; init; }
    public required YMap Labels { get; init; }
    /// <summary>The instance (the expiry stop stops it).</summary>
    public required Handle Instance { get; init; }
    /// <summary>Compute Engine's API (the restricted-API route waits for it).</summary>
    public required Handle ComputeService { get; init; }
}

/// <summary>
/// The researcher's Vertex AI Workbench instance: no public IP, shielded VM, the owner's own credentials (which
/// PhysioNet granted) for queries, JupyterLab restricted by <see cref="WorkbenchHardening"/>, and the owner's view of it
/// in the console.
/// </summary>
public sealed class GcpWorkbench(ProgramBuilder program, GcpWorkbenchArgs args)
{
    public void Build()
    {
        var wb = args.Workbench;
        var notebooks = GcpProvider.Service(program, "service-notebooks", "notebooks.googleapis.com");
        var compute = GcpProvider.Service(program, args.ComputeService, "compute.googleapis.com");
        // Queries run with the owner's own credentials (managed end-user credentials), which PhysioNet granted.
        // With them on, the VM runs as Google's Workbench service agent and a service account of our own is
        // refused ("Users can't specify a different service account"), so none is set.
        var instance = program.Add(args.Instance, "gcp:workbench/instance:Instance", YMap.Of(
            ("name", args.LabName),
            ("location", wb.Zone),
            ("instanceOwners", new object[] { wb.Owner }),
            ("enableManagedEuc", true),
            ("desiredState", "ACTIVE"),
            ("gceSetup", YMap.Of(
                ("machineType", wb.MachineType),
                ("disablePublicIp", true),
                ("shieldedInstanceConfig", YMap.Of(("enableSecureBoot", true), ("enableVtpm", true), ("enableIntegrityMonitoring", true))),
                // No public IP: the subnet must have Private Google Access (BigQuery, the Workbench proxy); pip from
                // the internet needs Cloud NAT on its network, which the lab leaves to the project's network admin.
                ("networkInterfaces", new object[] { YMap.Of(("network", wb.Network), ("subnet", wb.Subnet)) }),
                ("bootDisk", WorkbenchHardening.BootDisk(args.Hardening)),
                ("dataDisks", WorkbenchHardening.DataDisks(args.Hardening)),
                ("metadata", WorkbenchHardening.Metadata(wb, args.Hardening)))),
            ("labels", args.Labels)), GcpProvider.OptionsAfter(notebooks, compute));
        // The owner may see the instance and its state in the console and open it from there; JupyterLab itself
        // admits only the instance owner (single-user access mode).
        program.Add("workbench-viewer", "gcp:projects/iAMMember:IAMMember", YMap.Of(
            ("project", args.Project),
            ("role", "roles/notebooks.viewer"),
            ("member", $"user:{wb.Owner}")), GcpProvider.OptionsAfter(notebooks));
        program.Output("workbenchUrl", $"https://{instance.Out("proxyUri")}");
    }
}
