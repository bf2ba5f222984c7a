using MimicInfra.Catalog;
using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Aws.Perimeter;

/// <summary>The `check` rule that a credentialed lab has a data perimeter at all, read back from the program text (its controls: <see cref="PerimeterControls"/>).</summary>
public static class PerimeterRules
{
    /// <summary>
    /// A credentialed lab keeps its data to its own principals (the data perimeter): its data and results buckets deny
    /// every object action to any other principal, and its key lets nobody use it unconditionally (no kms:*, and no
    /// use action without a condition), so no IAM grant elsewhere in the account reaches the data.
    /// </summary>
    public static void CredentialedLabHasAPerimeter(LabSettings lab, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        if (lab.Release.Access != Access.Credentialed) return;
        foreach (var policy in new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy" })
        {
            var found = resources.FirstOrDefault(r => r.Name == policy);
            if (found.Name is null) continue;   // a lab reading in place has no data bucket
            var statements = (LabRules.At(found.Props, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>();
            if (!statements.Any(s => s.GetValueOrDefault("Effect") as string == "Deny" && s.GetValueOrDefault("Principal") as string == "*"
                                     && LabRules.At(s, "Condition", "ArnNotEquals", "aws:PrincipalArn") is List<object> { Count: > 0 }
                                     && (s.GetValueOrDefault("Action") as List<object> ?? []).Contains("s3:GetObject*")))
                problems.Add(new(policy, "a credentialed lab's bucket must deny every object action to all but the lab's principals (set researcherPrincipalArn)"));
        }
        foreach (var (name, _, props) in resources.Where(r => r.Type == "aws:kms/key:Key"))
            foreach (var s in (LabRules.At(props, "policy", "fn::toJSON", "Statement") as List<object> ?? []).OfType<Dictionary<object, object>>())
            {
                var actions = s.GetValueOrDefault("Action") is List<object> list ? list.Cast<string>().ToList() : [s.GetValueOrDefault("Action") as string ?? ""];
                if (s.GetValueOrDefault("Effect") as string != "Allow") continue;
                if (actions.Contains("kms:*"))
                    problems.Add(new(name, $"statement {s.GetValueOrDefault("Sid")} allows kms:*: a credentialed lab's key separates administration from use"));
                else if (!s.ContainsKey("Condition") && actions.Any(a => a is "kms:Decrypt" or "kms:Encrypt" || a.StartsWith("kms:GenerateDataKey", StringComparison.Ordinal) || a.StartsWith("kms:ReEncrypt", StringComparison.Ordinal)))
                    problems.Add(new(name, $"statement {s.GetValueOrDefault("Sid")} lets its principals use the key without a condition; use goes only through S3 and Athena"));
            }
    }
}
