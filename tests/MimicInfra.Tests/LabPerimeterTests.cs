using MimicInfra.Aws;
using MimicInfra.Aws.Network;
using MimicInfra.Aws.Perimeter;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The perimeter's statements built from their arguments alone: they name the lab's principals and resources only through
/// the lab's handles, so a principal or resource they name that the program never adds fails the build instead of a deploy.
/// </summary>
public class LabPerimeterTests
{
    private const string ResearcherArn = "arn:aws:iam::123456789012:user/researcher";

    private static (ProgramBuilder Program, AwsLabResources Shared) ProgramWithTheAlwaysPresentValues()
    {
        var program = new ProgramBuilder();
        var shared = AwsLabResources.Declare(program);
        foreach (var variable in new[] { shared.Account, shared.Partition, shared.Deployer }) program.Variable(variable, new YMap());
        return (program, shared);
    }

    private static NotebookSettings Notebook(LabVpcSettings? labVpc) =>
        new("ml.t3.medium", 5, 60, DirectInternetAccess: labVpc is null, SubnetId: null, SecurityGroupIds: []) { LabVpc = labVpc };

    [Fact]
    public void AClosedLabsBucketNamesTheResearcher_WhichTheProgramMustAdd()
    {
        var (program, shared) = ProgramWithTheAlwaysPresentValues();
        program.Add(shared.ResultsBucket, "aws:s3/bucket:Bucket", new YMap(), null);
        var statements = LabPerimeter.BucketStatements(new() { Settings = new(ResearcherArn, 30), Region = "us-east-1", Notebook = null, Resources = shared }, shared.ResultsBucket);

        Assert.Equal(["OnlyTheLabsPrincipalsReachItsObjects", "OnlyTheDeployerManagesTheBucket"], statements.Select(s => (string?)s["Sid"]));
        Assert.Contains("'awsResearcher' is referenced but was never added", Assert.Throws<InvalidOperationException>(() => program.Build("p", "d")).Message);
        program.Variable(shared.Researcher, new YMap());
        program.Build("p", "d");   // no notebook: its role is named nowhere
    }

    [Fact]
    public void ANotebookInTheLabVpcIsBoundToTheS3EndpointTheNetworkAdds()
    {
        var (program, shared) = ProgramWithTheAlwaysPresentValues();
        program.Add(shared.NotebookRole, "aws:iam/role:Role", new YMap(), null);
        var key = LabPerimeter.KeyStatements(new() { Settings = PerimeterSettings.Open, Region = "eu-west-1", Notebook = Notebook(new(null)), Resources = shared });

        var bound = key.Single(s => (string?)s["Sid"] == "TheNotebookRoleWorksOnlyInsideTheLab");
        Assert.Equal(shared.S3Endpoint.Id, ((YMap)((YMap)bound["Condition"]!)["StringNotEqualsIfExists"]!)["aws:SourceVpce"]);
        Assert.Contains("'s3Endpoint' is referenced but was never added", Assert.Throws<InvalidOperationException>(() => program.Build("p", "d")).Message);

        // With the stack's own subnet the lab has no endpoint of its own: nothing binds the role, nothing names the endpoint.
        var (own, ownShared) = ProgramWithTheAlwaysPresentValues();
        own.Add(ownShared.NotebookRole, "aws:iam/role:Role", new YMap(), null);
        Assert.DoesNotContain(LabPerimeter.KeyStatements(new() { Settings = PerimeterSettings.Open, Region = "eu-west-1", Notebook = Notebook(null), Resources = ownShared }),
            s => (string?)s["Sid"] == "TheNotebookRoleWorksOnlyInsideTheLab");
        own.Build("p", "d");
    }

    [Fact]
    public void ChecksAndTestsReadTheSameTextTheLabsHandlesRender()
    {
        var shared = AwsLabResources.Declare(new ProgramBuilder());
        Assert.Equal(LabPerimeter.DeployerOf(shared), LabPerimeter.Deployer);
        Assert.Equal(LabPerimeter.RootOf(shared), LabPerimeter.Root);
        Assert.Equal("arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root", LabPerimeter.Root);
        Assert.Equal("${awsDeployer.issuerArn}", LabPerimeter.Deployer);
    }
}
