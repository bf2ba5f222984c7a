using MimicInfra.Check;

namespace MimicInfra.Gcp.Datasets;

/// <summary>`check` rules of the lab's BigQuery datasets (and the Workbench VM's SSH settings, checked with them), read back from the program text.</summary>
public static class LabDatasetsRules
{
    /// <summary>
    /// Every BigQuery dataset carries its own access list with an OWNER and no project role group, domain or public
    /// member (without a list BigQuery grants project Viewers, Editors and Owners); and no dataset IAM or
    /// access resource exists beside it, since the two fight over the same list (provider docs).
    /// </summary>
    public static void DatasetsAdmitOnlyTheirList(List<(string Name, string Type, Dictionary<object, object> Props)> resources, List<CheckProblem> problems)
    {
        foreach (var (name, _, props) in resources.Where(r => r.Type == "gcp:bigquery/dataset:Dataset"))
        {
            if (LabRules.At(props, "accesses") is not List<object> list || list.Count == 0)
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
            foreach (var key in new[] { "block-project-ssh-keys", "enable-oslogin" }.Where(k => LabRules.At(props, "gceSetup", "metadata", k) as string != "true"))
                problems.Add(new(name, $"gceSetup.metadata.{key} must be \"true\" (CIS GCP {(key == "enable-oslogin" ? "4.4" : "4.3")})"));
    }
}
