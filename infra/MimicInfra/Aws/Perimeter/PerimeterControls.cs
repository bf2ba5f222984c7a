using MimicInfra.Check;
using MimicInfra.Lab;
using static MimicInfra.Check.LabRules;

namespace MimicInfra.Aws.Perimeter;

/// <summary>
/// `check` rules for the perimeter's controls a stack could lose by mistake: each control the lab's settings ask for must
/// be in the program Pulumi gets (the notebook's role bound to the lab, a deployer that reads nothing, bucket management
/// kept to the deployer, expiry that revokes; the audit record's own controls are checked beside it, in Aws/Audit/AuditRules.cs).
/// </summary>
internal static class PerimeterControls
{

    public static void Check(LabSettings lab, Dictionary<object, object> root, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        var aws = lab.Aws!;
        var byName = resources.ToDictionary(r => r.Name, r => r.Props);
        var dataPolicies = new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy" }.Where(byName.ContainsKey).ToList();
        var keyPolicy = byName.ContainsKey("labKey") ? Statements(byName["labKey"]) : null;

        var notebookRole = LabPerimeter.AsWritten.NotebookRole.Arn;
        if (aws.Notebook?.LabVpc is not null)
            foreach (var (name, statements) in dataPolicies.Select(p => (p, Statements(byName[p]))).Append(("labKey", keyPolicy ?? [])).Where(x => x.Item1 != "labKey" || keyPolicy is not null))
                if (!statements.Any(s => Deny(s) && At(s, "Condition", "ArnEquals", "aws:PrincipalArn") as string == notebookRole
                                         && At(s, "Condition", "StringNotEqualsIfExists", "aws:SourceVpce") is not null
                                         && At(s, "Condition", "BoolIfExists", "aws:ViaAWSService") as string == "false"))
                    problems.Add(new(name, $"the notebook's role must work only inside the lab: a Deny for {notebookRole} unless aws:SourceVpce is the lab's S3 endpoint or aws:ViaAWSService (notebookNetwork lab-vpc)"));

        if (!aws.Perimeter.DeployerReads)
        {
            foreach (var name in dataPolicies)
                if (!Statements(byName[name]).Any(s => Deny(s) && At(s, "Condition", "ArnEquals", "aws:PrincipalArn") as string == LabPerimeter.Deployer && Actions(s).Contains("s3:GetObject")))
                    problems.Add(new(name, "deployerDataAccess none: the bucket must deny the deployer s3:GetObject on everything but the lab's own files"));
            if (keyPolicy is not null && !keyPolicy.Any(s => Deny(s) && At(s, "Condition", "ArnEquals", "aws:PrincipalArn") as string == LabPerimeter.Deployer && Actions(s).Contains("kms:Decrypt")))
                problems.Add(new("labKey", "deployerDataAccess none: the key must deny the deployer kms:Decrypt"));
        }

        if (aws.Perimeter.Closed)
            foreach (var name in dataPolicies)
                if (!ManagedOnlyByTheDeployer(Statements(byName[name])))
                    problems.Add(new(name, "a closed lab's bucket must deny its management (lifecycle, versioning, policy) to all but the deployer and the account's root user"));

        var expiry = $"{Fleet.ExpiryDates.StopAt(lab.Expires)}Z";
        var outputs = root.GetValueOrDefault("outputs") as Dictionary<object, object> ?? [];
        var identities = new List<(string Name, List<Dictionary<object, object>> Statements)>();
        if (byName.TryGetValue("notebookRolePolicy", out var rolePolicy)) identities.Add(("notebookRolePolicy", Statements(rolePolicy)));
        foreach (var output in new[] { "researcherPolicy", "researcherImportPolicy" })
            if (outputs.GetValueOrDefault(output) is Dictionary<object, object> doc)
                identities.Add(($"outputs.{output}", (At(doc, "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>().ToList()));
        foreach (var (name, statements) in identities)
            if (!statements.Any(s => Deny(s) && At(s, "Condition", "DateGreaterThanEquals", "aws:CurrentTime") as string == expiry))
                problems.Add(new(name, $"expiry must revoke, not only stop: a Deny of the lab's data and queries from aws:CurrentTime {expiry}"));
    }

    internal static bool ManagedOnlyByTheDeployer(List<Dictionary<object, object>> statements) =>
        statements.Any(s => Deny(s) && LabPerimeter.ManagementActions.All(Actions(s).Contains)
                            && At(s, "Condition", "ArnNotEquals", "aws:PrincipalArn") is List<object> admitted && admitted.Contains(LabPerimeter.Deployer));

    internal static List<Dictionary<object, object>> Statements(Dictionary<object, object> props) =>
        (At(props, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>().ToList();

    internal static bool Deny(Dictionary<object, object> s) => s.GetValueOrDefault("Effect") as string == "Deny";

    internal static List<string> Actions(Dictionary<object, object> s) => s.GetValueOrDefault("Action") switch
    {
        List<object> list => list.OfType<string>().ToList(),
        string one => [one],
        _ => [],
    };
}
