using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Gcp.Workbench;

/// <summary>Reads the Workbench instance's settings (gcpWorkbench*); every problem names its key and the fix.</summary>
public static partial class WorkbenchSettingsReader
{
    /// <summary>The instance of a lab with gcpWorkbench on; its owner must be one of the lab's members.</summary>
    public static WorkbenchSettings Read(ConfigValues c, IReadOnlyList<string> members)
    {
        var owner = c.Required("gcpWorkbenchOwner", "jdoe@example.org");
        if (owner.Length > 0 && !members.Contains($"user:{owner}"))
            c.Problem("gcpWorkbenchOwner", $"{ConfigValues.Q(owner)} must also be in gcpMembers as {ConfigValues.Q("user:" + owner)}.");
        var machine = c.Str("gcpWorkbenchMachineType") ?? "e2-standard-4";
        if (!MachineType().IsMatch(machine)) c.Problem("gcpWorkbenchMachineType", $"{ConfigValues.Q(machine)} is not a machine type such as e2-standard-4.");
        var zone = c.Str("gcpWorkbenchZone") ?? "us-central1-a";
        if (!GcpZone().IsMatch(zone)) c.Problem("gcpWorkbenchZone", $"{ConfigValues.Q(zone)} is not a zone such as us-central1-a.");
        else if (!zone.StartsWith("us-", StringComparison.Ordinal)) c.Problem("gcpWorkbenchZone", $"{ConfigValues.Q(zone)} is outside the US, where the lab's data is; pick a us- zone.");
        // No public IP, so the instance reaches Google APIs only through a subnet with Private Google Access;
        // the default network's subnets have it off, so the subnet (and its network) must be named.
        var subnet = c.Required("gcpWorkbenchSubnet", "projects/my-research-project/regions/us-central1/subnetworks/lab");
        if (subnet.Length > 0 && !Subnetwork().IsMatch(subnet)) c.Problem("gcpWorkbenchSubnet", $"{ConfigValues.Q(subnet)} must be projects/PROJECT/regions/REGION/subnetworks/NAME.");
        else if (subnet.Length > 0 && GcpZone().IsMatch(zone) && subnet.Split('/')[3] != zone[..zone.LastIndexOf('-')])
            c.Problem("gcpWorkbenchSubnet", $"{ConfigValues.Q(subnet)} is not in the region of gcpWorkbenchZone {zone}; name a subnet of region {zone[..zone.LastIndexOf('-')]} or another zone.");
        var network = c.Required("gcpWorkbenchNetwork", "projects/my-research-project/global/networks/lab");
        if (network.Length > 0 && !Network().IsMatch(network)) c.Problem("gcpWorkbenchNetwork", $"{ConfigValues.Q(network)} must be projects/PROJECT/global/networks/NAME.");
        else if (network.Length > 0 && Subnetwork().IsMatch(subnet) && network.Split('/')[1] != subnet.Split('/')[1])
            c.Problem("gcpWorkbenchNetwork", $"{ConfigValues.Q(network)} is in another project than gcpWorkbenchSubnet; a subnet belongs to a network of its own project.");
        var idle = (int)c.Integer("gcpWorkbenchIdleMinutes", 10, 1440);
        return new WorkbenchSettings(owner, machine, zone, subnet, network, idle);
    }

    [GeneratedRegex("^[a-z][a-z0-9]*-(standard|highmem|highcpu|custom|medium|small|micro|ultramem|megamem)(-[0-9]+)?$|^[a-z][a-z0-9]*-[a-z0-9-]+$")]
    private static partial Regex MachineType();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]-[a-z]$")]
    private static partial Regex GcpZone();

    [GeneratedRegex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/regions/[a-z]+-[a-z]+[0-9]/subnetworks/[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Subnetwork();

    [GeneratedRegex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/global/networks/[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Network();
}
