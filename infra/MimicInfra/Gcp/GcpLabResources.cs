using MimicInfra.Gcp.Boundary;
using MimicInfra.Gcp.Datasets;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The GCP lab's resources and values that its components reference across each other, declared by
/// <see cref="GcpLab"/> before any is added and then added by the component that owns it (see <see cref="Aws.AwsLabResources"/>).
/// </summary>
public sealed record GcpLabResources(Handle Deployer, Handle ProjectInfo, Handle BigQueryService, Handle ScratchDataset, Handle Workbench, Handle ComputeService, Handle ExpiryServiceAccount)
{
    public static GcpLabResources Declare(ProgramBuilder program) => new(
        Deployer: program.Declare(DatasetAccessList.DeployerVariable),
        ProjectInfo: program.Declare(GcpBoundary.ProjectInfoVariable),
        BigQueryService: program.Declare("service-bigquery"),
        ScratchDataset: program.Declare("dataset-scratch"),
        Workbench: program.Declare("workbench"),
        // The Workbench component switches Compute Engine on; the restricted-API route waits for it.
        ComputeService: program.Declare("service-compute"),
        // The expiry stop's service account: the perimeter admits it to Notebooks.
        ExpiryServiceAccount: program.Declare(GcpBoundary.ExpiryServiceAccount));
}
