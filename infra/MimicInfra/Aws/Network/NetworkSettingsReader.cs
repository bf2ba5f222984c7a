using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using static MimicInfra.Lab.ConfigValues;

namespace MimicInfra.Aws.Network;

/// <summary>The notebook's network: the lab's own private VPC, the stack's subnet, or direct internet.</summary>
public static partial class NetworkSettingsReader
{
    public const string LabVpcNetwork = "lab-vpc", OwnVpcNetwork = "vpc", InternetNetwork = "internet";

    /// <summary>
    /// A credentialed release's notebook gets no direct internet unless the stack says `internet` (the setting is the
    /// opt-in); an open (demo) release keeps direct internet by default, so `pip install` works there.
    /// </summary>
    public static string DefaultNotebookNetwork(Release? release) =>
        release?.Access == Access.Credentialed ? LabVpcNetwork : InternetNetwork;

    /// <summary>notebookNetwork, notebookSubnetId, notebookSecurityGroupIds and notebookAvailabilityZone, for the lab's release and region.</summary>
    public static (bool DirectInternet, string? Subnet, IReadOnlyList<string> Groups, LabVpcSettings? LabVpc) Read(
        ConfigValues c, Release? release, string region)
    {
        var network = c.Str("notebookNetwork") ?? DefaultNotebookNetwork(release);
        if (network is not (LabVpcNetwork or OwnVpcNetwork or InternetNetwork))
            c.Problem("notebookNetwork", $"{Q(network)} must be lab-vpc (a private subnet the lab creates, no internet), vpc (your own notebookSubnetId) " +
                                         "or internet (direct internet access; egress is open).");
        var subnet = c.Str("notebookSubnetId");
        var groups = c.List("notebookSecurityGroupIds");
        if (subnet is not null && !SubnetId().IsMatch(subnet)) c.Problem("notebookSubnetId", $"{Q(subnet)} is not a subnet id (subnet-0123abcd...).");
        foreach (var g in groups.Where(g => !SecurityGroupId().IsMatch(g))) c.Problem("notebookSecurityGroupIds", $"{Q(g)} is not a security group id (sg-0123abcd...).");
        if (network == OwnVpcNetwork && (subnet is null || groups.Count == 0))
            c.Problem("notebookNetwork", "vpc needs notebookSubnetId and notebookSecurityGroupIds (a subnet that reaches S3, Athena, Glue, the SageMaker API and " +
                                         "CloudWatch Logs, by endpoints or NAT); or use lab-vpc, where the lab creates them.");
        if (network != OwnVpcNetwork && (subnet is not null || groups.Count > 0))
            c.Problem("notebookNetwork", "notebookSubnetId and notebookSecurityGroupIds apply only with notebookNetwork vpc" +
                                         (c.Has("notebookNetwork") ? "; remove them, or set notebookNetwork to vpc." : $" (this lab's default is {network}); set notebookNetwork to vpc, or remove them."));

        var zone = c.Str("notebookAvailabilityZone");
        if (zone is not null)
        {
            if (network != LabVpcNetwork)
                c.Problem("notebookAvailabilityZone", $"applies only with notebookNetwork lab-vpc (this lab's is {network}); remove it" +
                                                      (network == OwnVpcNetwork ? ": the zone is your subnet's." : "."));
            else if (!AvailabilityZone().IsMatch(zone) || !zone.StartsWith(region, StringComparison.Ordinal) || zone.Length != region.Length + 1)
                c.Problem("notebookAvailabilityZone", $"{Q(zone)} is not an Availability Zone of the lab's region {region}; name one such as {region}b " +
                                                      $"(`aws ec2 describe-availability-zones --region {region}`).");
        }
        return (network == InternetNetwork, subnet, groups, network == LabVpcNetwork ? new LabVpcSettings(zone) : null);
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$")]
    private static partial Regex AvailabilityZone();

    [GeneratedRegex("^subnet-[0-9a-f]{8,17}$")]
    private static partial Regex SubnetId();

    [GeneratedRegex("^sg-[0-9a-f]{8,17}$")]
    private static partial Regex SecurityGroupId();
}
