using MimicInfra.Check;
using MimicInfra.Lab;
using static MimicInfra.Check.LabRules;

namespace MimicInfra.Gcp.Boundary;

/// <summary>
/// The GCP boundary's controls, read back from the program text, each of which one edited line could switch off: a
/// perimeter egress rule never lets anything be written outside; the restricted API zone resolves to
/// restricted.googleapis.com and nothing else; and, against the lab's settings, the perimeter and the restricted APIs are
/// what the stack asked for.
/// </summary>
public static class GcpBoundaryRules
{
    private const string Perimeter = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter";

    public static void Check(List<(string Name, string Type, Dictionary<object, object> Props)> resources, LabSettings? lab, List<CheckProblem> problems)
    {
        foreach (var (name, _, props) in resources.Where(r => r.Type == Perimeter))
            foreach (var part in new[] { "status", "spec" })
                foreach (var egress in (At(props, part, "egressPolicies") as List<object> ?? []).OfType<Dictionary<object, object>>())
                    PerimeterEgressOnlyReads(name, egress, problems);

        foreach (var (name, _, props) in resources.Where(r => r.Type == "gcp:dns/recordSet:RecordSet" && r.Name.StartsWith("restrictedApis-", StringComparison.Ordinal)))
        {
            var data = (At(props, "rrdatas") as List<object> ?? []).Select(x => x as string ?? "").ToList();
            var ok = (At(props, "type") as string) switch
            {
                "A" => data.Count > 0 && data.All(GcpBoundary.RestrictedVips.Contains),
                "CNAME" => data.SequenceEqual(["restricted.googleapis.com."]),
                _ => false,
            };
            if (!ok)
                problems.Add(new(name, $"a restricted-API record must resolve to restricted.googleapis.com ({GcpBoundary.RestrictedVipRange}); it resolves to {string.Join(", ", data)}"));
        }

        if (lab?.Gcp is not { } gcp) return;
        var boundary = gcp.Boundary;
        var perimeter = resources.FirstOrDefault(r => r.Type == Perimeter);
        if (boundary.Perimeter)
        {
            var rules = At(perimeter.Props ?? [], boundary.DryRun ? "spec" : "status") as Dictionary<object, object>;
            if (perimeter.Name is null || rules is null)
                problems.Add(new(GcpBoundary.PerimeterResource, "the stack sets gcpAccessPolicy, but the program has no perimeter (or not in the mode gcpPerimeterDryRun asks for)"));
            else
            {
                var services = (At(rules, "restrictedServices") as List<object> ?? []).Cast<object>().Select(x => x as string).ToList();
                foreach (var s in GcpBoundary.RestrictedServices.Where(s => !services.Contains(s)))
                    problems.Add(new(perimeter.Name, $"the perimeter must restrict {s}"));
                if (!(At(rules, "resources") as List<object> ?? []).Contains($"projects/${{{GcpBoundary.ProjectInfoVariable}.number}}"))
                    problems.Add(new(perimeter.Name, $"the perimeter must hold the lab's project {gcp.Project}"));
            }
        }
        if (gcp.Workbench is not null && boundary.RestrictedGoogleApis)
            foreach (var (_, dnsName) in GcpBoundary.RestrictedZones.Where(z => !resources.Any(r => r.Type == "gcp:dns/managedZone:ManagedZone" && At(r.Props, "dnsName") as string == z.DnsName)))
                problems.Add(new("restrictedApis", $"gcpRestrictedGoogleApis is on, but no private zone resolves {dnsName} on the Workbench network"));
    }

    /// <summary>An egress rule may only read BigQuery: any other service, a wildcard method or a write permission is a way out.</summary>
    private static void PerimeterEgressOnlyReads(string name, Dictionary<object, object> egress, List<CheckProblem> problems)
    {
        foreach (var op in (At(egress, "egressTo", "operations") as List<object> ?? []).OfType<Dictionary<object, object>>())
        {
            var service = At(op, "serviceName") as string;
            if (service != "bigquery.googleapis.com")
            {
                problems.Add(new(name, $"a perimeter egress rule lets {service ?? "every service"} reach outside; the lab's egress only reads BigQuery"));
                continue;
            }
            foreach (var selector in (At(op, "methodSelectors") as List<object> ?? [new object()]).Select(x => x as Dictionary<object, object>))
            {
                var permission = selector is null ? null : At(selector, "permission") as string;
                if (permission is null || !GcpBoundary.OutsideReadPermissions.Contains(permission))
                    problems.Add(new(name, $"a perimeter egress rule allows {(permission ?? (selector is null ? "every method" : $"method {At(selector, "method")}"))} outside; only {string.Join(", ", GcpBoundary.OutsideReadPermissions)} (reads) may cross"));
            }
        }
        if (At(egress, "egressTo", "roles") is List<object> { Count: > 0 })
            problems.Add(new(name, "a perimeter egress rule grants by IAM role; the lab's egress names read permissions only"));
    }
}
