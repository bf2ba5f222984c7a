using MimicInfra.Program;

namespace MimicInfra.Aws;

/// <summary>
/// The AWS lab's resources and values that its components reference across each other. <see cref="AwsLab"/> declares
/// them all before any component adds anything, because the program's order is fixed and some references run forward
/// (the results bucket's policy names the notebook role, created after it); each is then added by the component that
/// owns it, and a component receives in its arguments the ones it uses. One that is referenced and never added (the
/// lab has no notebook, yet something names its role) fails the build.
/// </summary>
public sealed record AwsLabResources(
    Handle Account, Handle Partition, Handle Deployer, Handle Researcher,
    Handle LabKey, Handle ResultsBucket, Handle DataBucket,
    Handle LabDatabase, Handle DerivedDatabase, Handle Workgroup, Handle ImportWorkgroup, Handle ImportDatabase,
    Handle NotebookRole, Handle Notebook, Handle S3Endpoint,
    Handle LabSubnet, Handle NotebookSecurityGroup)
{
    public static AwsLabResources Declare(ProgramBuilder program) => new(
        Account: program.Declare("awsAccount"),
        Partition: program.Declare("awsPartition"),
        Deployer: program.Declare("awsDeployer"),
        Researcher: program.Declare("awsResearcher"),
        LabKey: program.Declare("labKey"),
        ResultsBucket: program.Declare("resultsBucket"),
        DataBucket: program.Declare("dataBucket"),
        LabDatabase: program.Declare("labDatabase"),
        DerivedDatabase: program.Declare("derivedDatabase"),
        Workgroup: program.Declare("workgroup"),
        ImportWorkgroup: program.Declare("importWorkgroup"),
        ImportDatabase: program.Declare("importDatabase"),
        NotebookRole: program.Declare("notebookRole"),
        Notebook: program.Declare("notebook"),
        S3Endpoint: program.Declare("s3Endpoint"),
        LabSubnet: program.Declare("labSubnet"),
        NotebookSecurityGroup: program.Declare("notebookSecurityGroup"));
}
