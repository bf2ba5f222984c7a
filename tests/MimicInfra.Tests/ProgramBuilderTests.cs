using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The program builder (Program/ProgramBuilder.cs) and its handles: a reference goes through the handle of what it
/// names, so a resource renamed or left out fails the build, not a deploy; every resource records the component that
/// added it.
/// </summary>
public sealed class ProgramBuilderTests
{
    private static YMap Props(params (string, object?)[] items) => YMap.Of(items);

    [Fact]
    public void AHandleRendersItsOutputsUnderItsLogicalName()
    {
        var program = new ProgramBuilder();
        var role = program.Add("notebookRole", "aws:iam/role:Role", Props(("name", "r")), null);
        Assert.Equal("${notebookRole.arn}", role.Arn);
        Assert.Equal("${notebookRole.id}", role.Id);
        Assert.Equal("${notebookRole.uniqueId}", role.Out("uniqueId"));
        Assert.Equal("${notebookRole}", role.Value);
    }

    [Fact]
    public void AReferenceToAResourceNeverAddedFailsTheBuild()
    {
        var program = new ProgramBuilder();
        var role = program.Declare("notebookRole");
        program.Add("bucketPolicy", "aws:s3/bucketPolicy:BucketPolicy", Props(("policy", role.Arn)), null);
        var error = Assert.Throws<InvalidOperationException>(() => program.Build("p", "d"));
        Assert.Contains("'notebookRole' is referenced but was never added", error.Message);

        program.Add(role, "aws:iam/role:Role", Props(("name", "r")), null);
        Assert.Equal(["bucketPolicy", "notebookRole"], program.Build("p", "d").Resources.Select(r => r.Name));
    }

    [Fact]
    public void ADeclaredHandleNeverReferencedNeedNotBeAdded()
    {
        var program = new ProgramBuilder();
        program.Declare("notebookRole");   // a lab without a notebook
        Assert.Empty(program.Build("p", "d").Resources);
    }

    [Fact]
    public void ALogicalNameIsUsedOnce()
    {
        var program = new ProgramBuilder();
        program.Add("x", "t:a:A", new YMap(), null);
        Assert.Throws<InvalidOperationException>(() => program.Add("x", "t:a:A", new YMap(), null));
        Assert.Throws<InvalidOperationException>(() => program.Variable("x", "v"));
        var declared = program.Declare("y");
        program.Add(declared, "t:a:A", new YMap(), null);
        Assert.Throws<InvalidOperationException>(() => program.Add(declared, "t:a:A", new YMap(), null));
        Assert.Throws<InvalidOperationException>(() => new ProgramBuilder().Add(declared, "t:a:A", new YMap(), null));
    }

    [Fact]
    public void ADependencyOrProviderNotInTheProgramFailsTheBuild()
    {
        var program = new ProgramBuilder();
        program.Add("a", "t:a:A", new YMap(), new ResourceOptions(null, "1") { DependsOn = ["missing"] });
        Assert.Contains("depends on 'missing'", Assert.Throws<InvalidOperationException>(() => program.Build("p", "d")).Message);

        var other = new ProgramBuilder();
        other.Add("a", "t:a:A", new YMap(), new ResourceOptions("awsProvider", "1"));
        Assert.Contains("provider 'awsProvider'", Assert.Throws<InvalidOperationException>(() => other.Build("p", "d")).Message);
    }

    [Fact]
    public void AVariableSetTwiceKeepsItsPlaceAndHandle()
    {
        var program = new ProgramBuilder();
        var first = program.Variable("info", "one");
        program.Variable("other", "x");
        var second = program.Variable("info", "two");
        Assert.Same(first, second);
        Assert.Equal(["info", "other"], program.Build("p", "d").Variables.Select(kv => kv.Key));
    }

    /// <summary>
    /// Labs with every part a lab can have between them (plugin discovery switches on every optional part; a stack's own
    /// folder may hold half-written stacks, so the labs are the tests' own).
    /// </summary>
    public static TheoryData<string> Labs_() => ["demo", "full31", "csv31", "csv31-internet", "gcp31", "combined", "discovery"];

    private static StackConfig LabNamed(string name) => name switch
    {
        "demo" => Labs.Demo,
        "full31" => Labs.Full31(),
        "csv31" => Labs.Csv31(),
        "csv31-internet" => Labs.Csv31(("notebookNetwork", "internet"), ("resultsEncryption", "s3"), ("deployerDataAccess", "read")),
        "gcp31" => Gcp.Only31([.. Gcp.Workbench, ("gcpAccessPolicy", "123456789012")]),
        "combined" => Gcp.Combined(),
        _ => LabCompiler.DiscoveryConfig,
    };

    [Theory]
    [MemberData(nameof(Labs_))]
    public void EveryResourceOfALabNamesItsComponent(string name)
    {
        var program = LabCompiler.Compile(LabNamed(name), Labs.Catalog);
        Assert.NotEmpty(program.Resources);
        Assert.All(program.Resources, r => Assert.False(string.IsNullOrEmpty(r.Component), $"{name}: {r.Name} names no component"));
    }
}
