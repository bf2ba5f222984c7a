using MimicInfra.Lab;

namespace MimicInfra.Gcp.Datasets;

/// <summary>What `preview` says about the lab's BigQuery datasets: the views per module, scratch, who may use them, who may deploy them.</summary>
public static class LabDatasetsPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        var gcp = lab.Gcp!;
        var modules = LabDatasets.ModulesOf(lab.Modules, lab.Gcp?.Derived);
        foreach (var m in modules)
            yield return $"  dataset     {LabDatasets.DatasetId(lab.Names, m)}: {m.Tables.Count} views over {LabDatasets.SourceProject}.{m.BigQueryDataset}";
        if (lab.Derived is { } d && gcp.Derived is null)
            yield return $"  derived     no views: " + (d.BigQueryDataset is null
                ? $"{d.BigQueryNote ?? $"release {lab.Release.Id} has no derived dataset in {LabDatasets.SourceProject}"}. Build them locally (`local --concepts`) or use a release with a pinned derived dataset (mimic-iv-3.1)."
                : "switched off (gcpDerived false).");
        yield return $"  scratch     {LabDatasets.ScratchDatasetId(lab.Names)}: tables expire after {gcp.ScratchExpirationDays} days, " +
                     (gcp.KeepScratchOnDestroy ? "kept on destroy" : "deleted with the lab");
        yield return $"  access      {string.Join(", ", gcp.Members)}: read the lab datasets, write scratch, run BigQuery jobs";
        yield return $"  deployer    {LabDatasets.DeployerRequirement(modules)}";
    }
}
