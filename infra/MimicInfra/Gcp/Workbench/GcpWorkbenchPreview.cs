using MimicInfra.Lab;

namespace MimicInfra.Gcp.Workbench;

/// <summary>What `preview` says about the Workbench instance (nothing without one).</summary>
public static class GcpWorkbenchPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        if (lab.Gcp?.Workbench is not { } wb) yield break;
        yield return $"  workbench   {lab.Names.Lab}: {wb.MachineType} in {wb.Zone}, owner {wb.Owner} (own credentials), no public IP, shielded VM, idle shutdown after {wb.IdleMinutes} min";
        yield return $"  network     {wb.Subnet}: needs Private Google Access on; pip from the internet needs Cloud NAT on {wb.Network}";
    }
}
