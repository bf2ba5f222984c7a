using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The GCP lab's resources and values that its components reference across each other, declared by
/// <see cref="GcpLab"/> before any is added and then added by the component that owns it (see <see cref="Aws.AwsLabResources"/>).
/// </summary>
public sealed record GcpLabResources(Handle Deployer, Handle ProjectInfo, Handle BigQueryService, Handle ScratchDataset, Handle Workbench)
{
    public static GcpLabResources Declare(ProgramBuilder program) => new(
        Deployer: program.Declare(DatasetAccessList.DeployerVariable),
        ProjectInfo: program.Declare(GcpBoundary.ProjectInfoVariable),
        BigQueryService: program.Declare("service-bigquery"),
        ScratchDataset: program.Declare("dataset-scratch"),
        Workbench: program.Declare("workbench"));
}
