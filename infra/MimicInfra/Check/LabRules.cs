using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Sources;
using YamlDotNet.Serialization;

namespace MimicInfra.Check;

/// <summary>
/// Rules of a lab's program that no provider schema knows, read back from the text Pulumi gets:
/// Glue views carry a SerDe (Athena refuses them otherwise), the tables researchers query are Parquet in
/// exactly the catalog's types, the notebook role reaches no source location and no import table, and a credentialed
/// lab's notebook has no direct internet unless the stack opts in.
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

        GcpDatasetsAdmitOnlyTheirList(resources, problems);
        Gcp.GcpLabRules.Check(resources, lab, problems);

        if (lab?.Aws is { } aws)
        {
            Aws.Data.GlueCatalogRules.QueriedTablesHaveCatalogTypes(lab, resources, problems);
            NotebookReachesOnlyTheLab(lab, aws, resources.FirstOrDefault(r => r.Name == "notebookRolePolicy").Props, problems);
            CredentialedNotebookHasNoDirectInternet(lab, aws, resources, problems);
            CredentialedLabHasAPerimeter(lab, resources, problems);
            Aws.Network.LabDnsFirewall.Check(lab, resources, problems);
            Aws.Perimeter.PerimeterControls.Check(lab, root, resources, problems);
        }
        return problems;
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

    /// <summary>
    /// Every BigQuery dataset carries its own access list with an OWNER and no project role group, domain or public
    /// member (without a list BigQuery grants project Viewers, Editors and Owners); and no dataset IAM or
    /// access resource exists beside it, since the two fight over the same list (provider docs).
    /// </summary>
    private static void GcpDatasetsAdmitOnlyTheirList(List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        foreach (var (name, _, props) in resources.Where(r => r.Type == "gcp:bigquery/dataset:Dataset"))
        {
            if (At(props, "accesses") is not List<object> list || list.Count == 0)
            {
                problems.Add(new(name, "a lab dataset needs its own access list (accesses); without one BigQuery admits the project's Viewers, Editors and Owners"));
                continue;
            }
            var entries = list.OfType<Dictionary<object, object>>().ToList();
            if (!entries.Any(e => e.GetValueOrDefault("role") as string == "OWNER"))
                problems.Add(new(name, "its access list has no OWNER: the deployer would lose the dataset"));
            foreach (var e in entries)
                foreach (var key in new[] { "specialGroup", "domain", "iamMember" }.Where(e.ContainsKey))
                    problems.Add(new(name, $"its access list admits {key} {e[key]}; a lab dataset admits only its members and the deployer"));
        }
        foreach (var (name, type, _) in resources.Where(r => r.Type.StartsWith("gcp:bigquery/datasetIam", StringComparison.Ordinal) || r.Type == "gcp:bigquery/datasetAccess:DatasetAccess"))
            problems.Add(new(name, $"{type} beside a dataset's own access list: the two overwrite each other on every update"));
        // CIS GCP 4.3, 4.4: no project-wide SSH keys on the Workbench VM, and SSH only through OS Login.
        foreach (var (name, _, props) in resources.Where(r => r.Type == "gcp:workbench/instance:Instance"))
            foreach (var key in new[] { "block-project-ssh-keys", "enable-oslogin" }.Where(k => At(props, "gceSetup", "metadata", k) as string != "true"))
                problems.Add(new(name, $"gceSetup.metadata.{key} must be \"true\" (CIS GCP {(key == "enable-oslogin" ? "4.4" : "4.3")})"));
    }

    /// <summary>
    /// A credentialed lab keeps its data to its own principals (the data perimeter): its data and results buckets deny
    /// every object action to any other principal, and its key lets nobody use it unconditionally (no kms:*, and no
    /// use action without a condition), so no IAM grant elsewhere in the account reaches the data.
    /// </summary>
    private static void CredentialedLabHasAPerimeter(LabSettings lab, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        if (lab.Release.Access != Access.Credentialed) return;
        foreach (var policy in new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy" })
        {
            var found = resources.FirstOrDefault(r => r.Name == policy);
            if (found.Name is null) continue;   // a lab reading in place has no data bucket
            var statements = (At(found.Props, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>();
            if (!statements.Any(s => s.GetValueOrDefault("Effect") as string == "Deny" && s.GetValueOrDefault("Principal") as string == "*"
                                     && At(s, "Condition", "ArnNotEquals", "aws:PrincipalArn") is List<object> { Count: > 0 }
                                     && (s.GetValueOrDefault("Action") as List<object> ?? []).Contains("s3:GetObject*")))
                problems.Add(new(policy, "a credentialed lab's bucket must deny every object action to all but the lab's principals (set researcherPrincipalArn)"));
        }
        foreach (var (name, _, props) in resources.Where(r => r.Type == "aws:kms/key:Key"))
            foreach (var s in (At(props, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>())
            {
                var actions = s.GetValueOrDefault("Action") is List<object> list ? list.Cast<string>().ToList() : [s.GetValueOrDefault("Action") as string ?? ""];
                if (s.GetValueOrDefault("Effect") as string != "Allow") continue;
                if (actions.Contains("kms:*"))
                    problems.Add(new(name, $"statement {s.GetValueOrDefault("Sid")} allows kms:*: a credentialed lab's key separates administration from use"));
                else if (!s.ContainsKey("Condition") && actions.Any(a => a is "kms:Decrypt" or "kms:Encrypt" || a.StartsWith("kms:GenerateDataKey", StringComparison.Ordinal) || a.StartsWith("kms:ReEncrypt", StringComparison.Ordinal)))
                    problems.Add(new(name, $"statement {s.GetValueOrDefault("Sid")} lets its principals use the key without a condition; use goes only through S3 and Athena"));
            }
    }

    /// <summary>Resource types that give a VPC a way to the internet.</summary>
    private static readonly string[] InternetPaths =
        ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/natGateway:NatGateway",
         "aws:ec2/eip:Eip", "aws:ec2/route:Route", "aws:ec2/vpnGateway:VpnGateway", "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"];

    /// <summary>
    /// A credentialed lab's notebook has no direct internet unless the stack opts in (notebookNetwork internet); in the
    /// lab's own VPC nothing adds a way out: no gateway, NAT or route, and no public address on the subnet.
    /// </summary>
    private static void CredentialedNotebookHasNoDirectInternet(LabSettings lab, AwsSettings aws, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
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

    /// <summary>The value at a path of nested mappings of the program text; null where any step is missing.</summary>
    internal static object? At(Dictionary<object, object> map, params string[] path)
    {
        object? o = map;
        foreach (var p in path) o = (o as Dictionary<object, object>)?.GetValueOrDefault(p);
        return o;
    }
}
