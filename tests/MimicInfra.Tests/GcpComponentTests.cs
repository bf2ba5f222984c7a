using MimicInfra.Gcp;
using MimicInfra.Gcp.Boundary;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The GCP side's components as GcpLab wires them: what each adds follows from its inputs, and a reference one component
/// takes to another's resource fails the build when that resource is not in the program.
/// </summary>
public class GcpComponentTests
{
    private static readonly (string, string)[] Boundary = [("gcpAccessPolicy", "123456789012")];

    private static LabSettings Lab(params (string, string)[] extra) => LabSettingsReader.Read(Gcp.Only31([.. Gcp.Workbench, .. extra]), Labs.Catalog);

    [Fact]
    public void EachComponentAddsWhatItsInputsSay()
    {
        var lab = Lab(Boundary);
        var counts = LabCompiler.Compile(lab).Resources.GroupBy(r => r.Component!).ToDictionary(g => g.Key, g => g.Count());
        var gcp = lab.Gcp!;
        var modules = GcpLab.ModulesOf(lab);
        Assert.Equal(2, counts[nameof(GcpLab)]);   // the provider and the BigQuery API
        // A dataset and a view per table of each module, the scratch dataset, a job-user grant per member.
        Assert.Equal(modules.Sum(m => 1 + m.Tables.Count) + 1 + gcp.Members.Count, counts[nameof(MimicInfra.Gcp.Datasets.LabDatasets)]);
        Assert.Equal(4, counts[nameof(MimicInfra.Gcp.Workbench.GcpWorkbench)]);   // two APIs, the instance, the owner's viewer grant
        // The perimeter, the DNS API, a zone per restricted domain with its records (googleapis has two), the route.
        Assert.Equal(1 + 1 + GcpBoundary.RestrictedZones.Length + (GcpBoundary.RestrictedZones.Length + 1) + 1, counts[nameof(GcpBoundary)]);
        Assert.Equal(2, counts[nameof(MimicInfra.Gcp.CostGuards.GcpQueryQuota)]);   // the Service Usage API and the quota
        Assert.False(counts.ContainsKey(nameof(MimicInfra.Gcp.Hardening.CustomerKeys)));   // an output only: the lab grants nothing on a key
    }

    [Fact]
    public void WithoutAWorkbenchTheBoundaryAndTheWorkbenchAddNothingForIt()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31(), Labs.Catalog);
        var components = LabCompiler.Compile(lab).Resources.Select(r => r.Component).ToHashSet();
        Assert.DoesNotContain(nameof(MimicInfra.Gcp.Workbench.GcpWorkbench), components);
        Assert.DoesNotContain(nameof(GcpBoundary), components);
    }

    [Fact]
    public void ThePerimeterAdmitsTheExpiryStopOnlyWhenTheStopsAccountIsInTheProgram()
    {
        var lab = Lab(Boundary);
        var gcp = lab.Gcp!;
        var program = new ProgramBuilder();
        var resources = GcpLabResources.Declare(program);
        program.Add("gcpProvider", "pulumi:providers:gcp", new YMap(), null);
        program.Add("service-compute", "gcp:projects/service:Service", new YMap(), null);
        new GcpBoundary(program, new()
        {
            Boundary = gcp.Boundary, Project = gcp.Project, Members = gcp.Members, Workbench = gcp.Workbench,
            LabName = lab.Names.Lab, Study = lab.Study, Labels = new YMap(),
            ProjectInfo = resources.ProjectInfo, ComputeService = resources.ComputeService, ExpiryServiceAccount = resources.ExpiryServiceAccount,
        }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => program.Build("p", "d"));
        Assert.Contains("'expiryServiceAccount' is referenced but was never added", e.Message);

        program.Add(resources.ExpiryServiceAccount, "gcp:serviceaccount/account:Account", new YMap(), null);
        Assert.Contains(program.Build("p", "d").Resources, r => r.Name == GcpBoundary.PerimeterResource);
    }
}
