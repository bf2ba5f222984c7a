using MimicInfra.Aws.Perimeter;
using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Aws.Audit;

/// <summary>
/// `check` rules for the audit record a stack could lose by mistake: with a trail of the lab's own, its bucket is
/// versioned and under Object Lock for auditRetentionDays, denies erasing and managing it to all but CloudTrail and the
/// deployer, and the trail logs its own bucket's data events.
/// </summary>
internal static class AuditRules
{
    private const string BucketPolicies = "TlsOnlyPolicy";

    public static void Check(LabSettings lab, List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        var aws = lab.Aws!;
        var byName = resources.ToDictionary(r => r.Name, r => r.Props);
        if (aws.AuditTrail.CreatesTrail)
        {
            const string bucket = LabAuditTrail.BucketPrefix;
            if (LabRules.At(byName.GetValueOrDefault($"{bucket}Versioning") ?? [], "versioningConfiguration", "status") as string != "Enabled")
                problems.Add(new($"{bucket}Bucket", "the trail bucket must be versioned (a deleted or overwritten record stays as a version)"));
            var lockRule = LabRules.At(byName.GetValueOrDefault($"{bucket}ObjectLock") ?? [], "rule", "defaultRetention") as Dictionary<object, object>;
            if (lockRule?.GetValueOrDefault("mode") as string != "GOVERNANCE" || Convert.ToString(lockRule.GetValueOrDefault("days"), System.Globalization.CultureInfo.InvariantCulture) != aws.AuditTrail.RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture))
                problems.Add(new($"{bucket}Bucket", $"the trail bucket must keep every record under Object Lock, governance mode, for auditRetentionDays ({aws.AuditTrail.RetentionDays})"));
            var auditStatements = byName.TryGetValue($"{bucket}{BucketPolicies}", out var auditPolicy) ? PerimeterControls.Statements(auditPolicy) : [];
            if (!auditStatements.Any(s => PerimeterControls.Deny(s) && LabAuditTrail.EraseActions.All(PerimeterControls.Actions(s).Contains)))
                problems.Add(new($"{bucket}{BucketPolicies}", $"the trail bucket must deny {string.Join(", ", LabAuditTrail.EraseActions)} to all but CloudTrail"));
            if (!PerimeterControls.ManagedOnlyByTheDeployer(auditStatements))
                problems.Add(new($"{bucket}{BucketPolicies}", "the trail bucket must deny its management (lifecycle, versioning, Object Lock, policy) to all but the deployer and the account's root user"));
            var selectors = LabRules.At(byName.GetValueOrDefault(LabAuditTrail.Trail) ?? [], "advancedEventSelectors") as List<object> ?? [];
            if (!selectors.OfType<Dictionary<object, object>>().Any(sel => (sel.GetValueOrDefault("fieldSelectors") as List<object> ?? []).OfType<Dictionary<object, object>>()
                    .Any(f => (f.GetValueOrDefault("startsWiths") as List<object> ?? []).Contains($"{LabPerimeter.AsWritten.AuditBucket.Arn}/"))))
                problems.Add(new(LabAuditTrail.Trail, "the trail must log the data events of its own bucket (reads and deletes of the record)"));
        }
    }
}
