using MimicInfra.Aws;
using MimicInfra.Aws.Workspace;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The researcher's workspace (Aws/Workspace/ResearcherWorkspace.cs) built alone from its arguments: it reaches the rest
/// of the lab only through the handles it is given, so a resource of the lab renamed or left out fails the build.
/// </summary>
public sealed class ResearcherWorkspaceTests
{
    private static readonly NotebookSettings PrivateNotebook = new("ml.t3.medium", 5, 60, DirectInternetAccess: false, "subnet-0123abcd", ["sg-0123abcd"]);

    /// <summary>The lab around the workspace, its handles under names the lab never uses, each added unless left out.</summary>
    private static (ProgramBuilder Program, WorkspaceArgs Args) Lab(NotebookSettings? notebook, BudgetSettings? budget, params string[] leftOut)
    {
        var program = new ProgramBuilder();
        program.Add(AwsProvider.Name, "pulumi:providers:aws", new YMap(), null);
        var ready = new[] { "filesEncryption", "filesPolicy", "endpoint" }.Select(name => program.Add(name, "test:index:Ready", new YMap(), null)).ToList();
        Handle Declared(string name) => program.Declare(name);
        var args = new WorkspaceArgs
        {
            Notebook = notebook, Budget = budget, Region = "eu-west-1", Name = "lab-jdoe-sepsis",
            QueriedDatabases = ["mimic_lab"], Tags = YMap.Of(("lab", "lab-jdoe-sepsis")), ObjectTags = YMap.Of(("lab", "lab-jdoe-sepsis")),
            OwnsData = true, KmsEncryption = true, ExampleNotebook = "{}",
            FilesBucketReady = [ready[0], ready[1]], Subnet = notebook?.SubnetId, SecurityGroups = notebook?.SecurityGroupIds ?? [],
            NetworkReadyFirst = ["endpoint"], AfterExpiry = YMap.Of(("Sid", "AfterExpiry")),
            Account = Declared("theAccount"), Partition = Declared("thePartition"), LabKey = Declared("theKey"),
            ResultsBucket = Declared("theResults"), DataBucket = Declared("theData"), Workgroup = Declared("theWorkgroup"),
            NotebookRole = Declared("theRole"), NotebookInstance = Declared("theNotebook"),
        };
        foreach (var variable in new[] { args.Account, args.Partition }.Where(h => !leftOut.Contains(h.LogicalName)))
            program.Variable(variable, new YMap());
        foreach (var resource in new[] { args.LabKey, args.ResultsBucket, args.DataBucket, args.Workgroup }.Where(h => !leftOut.Contains(h.LogicalName)))
            program.Add(resource, "test:index:LabResource", new YMap(), null);
        return (program, args);
    }

    private static PulumiProgram Built(ProgramBuilder program, WorkspaceArgs args)
    {
        var workspace = new ResearcherWorkspace(program, args);
        using (program.Component(nameof(ResearcherWorkspace))) workspace.Build();
        workspace.Outputs();
        return program.Build("workspace", "the researcher's workspace alone");
    }

    [Fact]
    public void ItReferencesTheLabOnlyThroughTheHandlesItIsGiven()
    {
        var (program, args) = Lab(PrivateNotebook, null);
        var text = ProgramYaml.Write(Built(program, args));

        foreach (var given in new[] { "${theAccount.accountId}", "${thePartition.partition}", "${theKey.arn}", "${theResults.arn}", "${theData.arn}",
                                      "${theData.bucket}", "${theWorkgroup.arn}", "${theRole.arn}", "${theRole.id}", "${theNotebook.name}" })
            Assert.Contains(given, text);
        // The names the whole lab gives these resources appear nowhere: nothing is referenced by a name written by hand.
        foreach (var handWritten in new[] { "${awsAccount.", "${awsPartition.", "${labKey.", "${resultsBucket.", "${dataBucket.", "${workgroup.", "${notebookRole.", "${notebook." })
            Assert.DoesNotContain(handWritten, text);
    }

    [Fact]
    public void ItAddsTheNotebookWithItsRolePolicyScriptsAndExampleAndWaitsForTheNetwork()
    {
        var (program, args) = Lab(PrivateNotebook, null);
        var built = Built(program, args);

        Assert.Equal(["theRole", "notebookRolePolicy", "exampleNotebook", "notebookLifecycle", "theNotebook"],
            built.Resources.Where(r => r.Component == nameof(ResearcherWorkspace)).Select(r => r.Name));
        var notebook = built.Resources.Single(r => r.Name == "theNotebook");
        Assert.Equal("${theRole.arn}", notebook.Properties["roleArn"]);
        Assert.Equal("${notebookLifecycle.name}", notebook.Properties["lifecycleConfigName"]);
        Assert.Equal("subnet-0123abcd", notebook.Properties["subnetId"]);
        Assert.Equal(["notebookRolePolicy", "exampleNotebook", "endpoint"], notebook.Options!.DependsOn);
        Assert.Equal(["filesEncryption", "filesPolicy"], built.Resources.Single(r => r.Name == "exampleNotebook").Options!.DependsOn);
        Assert.Equal("${theNotebook.name}", built.Outputs["notebookName"]);
        Assert.False(built.Outputs.ContainsKey("budgetName"));
    }

    [Fact]
    public void ABudgetAloneAddsOnlyTheBudget()
    {
        var (program, args) = Lab(null, new BudgetSettings(200, ["pi@example.org"]));
        var built = Built(program, args);

        Assert.Equal(["labBudget"], built.Resources.Where(r => r.Component == nameof(ResearcherWorkspace)).Select(r => r.Name));
        Assert.Equal("${labBudget.name}", built.Outputs["budgetName"]);
        Assert.False(built.Outputs.ContainsKey("notebookName"));
    }

    [Theory]
    [InlineData("theWorkgroup")]
    [InlineData("theKey")]
    [InlineData("theAccount")]
    public void ALabResourceTheNotebookUsesLeftOutFailsTheBuild(string leftOut)
    {
        var (program, args) = Lab(PrivateNotebook, null, leftOut);
        var error = Assert.Throws<InvalidOperationException>(() => Built(program, args));
        Assert.Contains($"'{leftOut}' is referenced but was never added", error.Message);
    }
}
