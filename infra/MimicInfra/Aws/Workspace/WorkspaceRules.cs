using MimicInfra.Catalog;
using MimicInfra.Check;
using MimicInfra.Lab;
using static MimicInfra.Check.LabRules;

namespace MimicInfra.Aws.Workspace;

/// <summary>
/// The workspace's rules of a lab's program, read back from the text Pulumi gets (called by <see cref="LabRules"/>): the
/// notebook role reaches no source location and no import table, and a credentialed lab's notebook has no direct
/// internet unless the stack opts in.
/// </summary>
public static class WorkspaceRules
{
    public static void Check(LabSettings lab, IReadOnlyList<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        var aws = lab.Aws!;
        NotebookReachesOnlyTheLab(lab, aws, resources.FirstOrDefault(r => r.Name == "notebookRolePolicy").Props, problems);
        CredentialedNotebookHasNoDirectInternet(lab, aws, resources, problems);
    }

    private static void NotebookReachesOnlyTheLab(LabSettings lab, AwsSettings aws, Dictionary<object, object>? policy, List<CheckProblem> problems)
    {
        if (policy is null) return;
        // What the role is allowed: a Deny naming a lab resource (the expiry's) reaches nothing.
        var resources = (At(policy, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>()
            .Where(s => s.GetValueOrDefault("Effect") as string == "Allow")
            .SelectMany(s => s.GetValueOrDefault("Resource") switch { List<object> l => l.Select(x => (Sid: s.GetValueOrDefault("Sid") as string ?? "", Resource: x as string ?? "")), string one => [(s.GetValueOrDefault("Sid") as string ?? "", one)], _ => [] })
            .ToList();
        var forbidden = new List<(string Text, string Why)>
        {
            (lab.Names.ImportDatabase, "the import database, whose tables read the staged source"),
            ("/staging/", "the import's staged source files"),
        };
        if (aws.OwnsData)
            foreach (var source in aws.Sources.ModuleSources.Values)
                forbidden.Add((source.Bucket is { } b ? $":s3:::{b}" : source.AccessPointArn!, $"the source {source.Uri} (PhysioNet authorizes IAM users, never a role; the notebook reads the lab's copy)"));
        foreach (var (sid, resource) in resources)
            foreach (var (text, why) in forbidden.Where(f => resource.Contains(f.Text, StringComparison.Ordinal)))
                problems.Add(new($"notebookRolePolicy.{sid}", $"reaches {why}: {resource}"));
    }

    /// <summary>Resource types that give a VPC a way to the internet.</summary>
    private static readonly string[] InternetPaths =
        ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/natGateway:NatGateway",
         "aws:ec2/eip:Eip", "aws:ec2/route:Route", "aws:ec2/vpnGateway:VpnGateway", "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"];

    /// <summary>
    /// A credentialed lab's notebook has no direct internet unless the stack opts in (notebookNetwork internet); in the
    /// lab's own VPC nothing adds a way out: no gateway, NAT or route, and no public address on the subnet.
    /// </summary>
    private static void CredentialedNotebookHasNoDirectInternet(LabSettings lab, AwsSettings aws, IReadOnlyList<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        if (lab.Release.Access != Access.Credentialed || aws.Notebook is not { DirectInternetAccess: false } notebook) return;
        foreach (var (name, _, props) in resources.Where(r => r.Type == "aws:sagemaker/notebookInstance:NotebookInstance"))
        {
            if (At(props, "directInternetAccess") as string != "Disabled")
                problems.Add(new(name, $"a credentialed lab's notebook must have directInternetAccess Disabled unless the stack opts in with notebookNetwork internet; it is '{At(props, "directInternetAccess") ?? "Enabled (the default)"}'"));
            if (At(props, "subnetId") is null)
                problems.Add(new(name, "a notebook without direct internet needs a subnet (notebookNetwork lab-vpc or vpc)"));
        }
        if (notebook.LabVpc is null) return;   // the stack's own subnet: its routes are the stack's
        foreach (var (name, type, props) in resources)
        {
            if (InternetPaths.Contains(type))
                problems.Add(new(name, $"{type} gives the lab's VPC a way to the internet; a credentialed lab's notebook has none unless the stack opts in"));
            else if (type == "aws:ec2/routeTable:RouteTable" && At(props, "routes") is List<object> { Count: > 0 })
                problems.Add(new(name, "the lab's route table has routes of its own; it must have only the local route and the S3 gateway endpoint's"));
            else if (type == "aws:ec2/subnet:Subnet" && At(props, "mapPublicIpOnLaunch") is not (false or "false"))
                problems.Add(new(name, "the lab's subnet must not give public addresses (mapPublicIpOnLaunch false)"));
        }
    }
}
