using MimicInfra.Catalog;
using MimicInfra.Gcp.Boundary;
using MimicInfra.Gcp.Datasets;
using MimicInfra.Gcp.Hardening;
using MimicInfra.Gcp.Workbench;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The GCP side of a lab in the researcher's project, wired from its components: the lab's provider and BigQuery API,
/// the datasets of views, scratch and access (<see cref="LabDatasets"/>), an optional Workbench instance
/// (<see cref="GcpWorkbench"/>), the customer keys' grants (<see cref="CustomerKeys"/>) and the boundary
/// (<see cref="GcpBoundary"/>). The handles they share are declared first (<see cref="GcpLabResources"/>).
/// </summary>
public sealed class GcpLab(LabSettings lab, ProgramBuilder program)
{
    public const string SourceProject = LabDatasets.SourceProject;

    private readonly GcpSettings _gcp = lab.Gcp!;

    /// <summary>The handles the GCP components (and the per-cloud concerns wired after this) reference across each other.</summary>
    public GcpLabResources Resources { get; } = GcpLabResources.Declare(program);

    /// <summary>The modules the GCP side offers: the lab's, then the derived concepts when their views are on.</summary>
    public static IReadOnlyList<Module> ModulesOf(LabSettings lab) => LabDatasets.ModulesOf(lab.Modules, lab.Gcp?.Derived);

    /// <summary>Dataset id of a module's views: the lab's name, then the module.</summary>
    public static string DatasetOf(LabSettings lab, Module m) => LabDatasets.DatasetId(lab.Names, m);

    public static string ScratchDataset(LabSettings lab) => LabDatasets.ScratchDatasetId(lab.Names);

    /// <summary>Who can deploy the views (see <see cref="LabDatasets.DeployerRequirement"/>).</summary>
    public static string DeployerRequirement(LabSettings lab) => LabDatasets.DeployerRequirement(ModulesOf(lab));

    public void Build()
    {
        var labels = LabelsOf(lab);
        using (program.Component(nameof(GcpLab)))
        {
            GcpProvider.Add(program, lab.Providers, _gcp.Project, _gcp.Workbench?.Region);
            GcpProvider.Service(program, Resources.BigQueryService, "bigquery.googleapis.com");
        }
        using (program.Component(nameof(LabDatasets)))
            new LabDatasets(program, new()
            {
                Gcp = _gcp, Modules = ModulesOf(lab), Names = lab.Names, ReleaseTitle = lab.Release.Title,
                Researcher = lab.ResearcherInCloud, Study = lab.Study, Labels = labels,
                Deployer = Resources.Deployer, BigQueryService = Resources.BigQueryService, ScratchDataset = Resources.ScratchDataset,
            }).Build();
        if (_gcp.Workbench is { } wb)
            using (program.Component(nameof(GcpWorkbench)))
                new GcpWorkbench(program, new()
                {
                    Workbench = wb, Hardening = _gcp.Hardening, Project = _gcp.Project, LabName = lab.Names.Lab, Labels = labels,
                    Instance = Resources.Workbench, ComputeService = Resources.ComputeService,
                }).Build();
        using (program.Component(nameof(CustomerKeys)))
            new CustomerKeys(program, new() { Project = _gcp.Project, Hardening = _gcp.Hardening, ProjectInfo = Resources.ProjectInfo }).Build();
        using (program.Component(nameof(GcpBoundary)))
            new GcpBoundary(program, new()
            {
                Boundary = _gcp.Boundary, Project = _gcp.Project, Members = _gcp.Members, Workbench = _gcp.Workbench,
                LabName = lab.Names.Lab, Study = lab.Study, Labels = labels,
                ProjectInfo = Resources.ProjectInfo, ComputeService = Resources.ComputeService, ExpiryServiceAccount = Resources.ExpiryServiceAccount,
            }).Build();
    }

    /// <summary>GCP labels of the lab's tags (see <see cref="GcpProvider.LabelsOf"/>).</summary>
    internal static YMap LabelsOf(LabSettings lab) => GcpProvider.LabelsOf(lab.Tags);
}
