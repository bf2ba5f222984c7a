namespace MimicInfra.Tests;

public class GcpExpiryStopTests
{
    [Fact]
    public void ACloudSchedulerJobStopsTheWorkbenchAtMidnightUtcWithOnePermission()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, ("expires", "2027-06-30")])));
        var job = p.Single("gcp:cloudscheduler/job:Job");
        Assert.Equal("0 0 30 6 *", job["schedule"]);
        Assert.Equal("Etc/UTC", job["timeZone"]);
        Assert.Equal("us-central1", job["region"]);
        Assert.Equal("POST", job["httpTarget"].At("httpMethod"));
        var workflow = p.Single("gcp:workflows/workflow:Workflow");
        Assert.Equal($"https://workflowexecutions.googleapis.com/v1/projects/mimic-research-1/locations/us-central1/workflows/{workflow["name"]}/executions", job["httpTarget"].At("uri"));
        Assert.Equal("${expiryServiceAccount.email}", job["httpTarget"].At("oauthToken", "serviceAccountEmail"));
        Assert.Equal("${expiryServiceAccount.email}", workflow["serviceAccount"]);
        Assert.Contains("https://notebooks.googleapis.com/v2/projects/mimic-research-1/locations/us-central1-a/instances/mimic-jdoe-sepsis-", (string)workflow["sourceContents"]);
        Assert.Equal(["notebooks.instances.get", "notebooks.instances.stop"], p.Single("gcp:projects/iAMCustomRole:IAMCustomRole")["permissions"].List());
        Assert.Equal("roles/workflows.invoker", p.Named("expiryWorkflowInvoker")["role"]);
        var grant = p.Single("gcp:workbench/instanceIamMember:InstanceIamMember");
        Assert.Equal("${workbench.name}", grant["name"]);
        Assert.Equal("${expiryStopRole.name}", grant["role"]);
        Assert.Equal("serviceAccount:${expiryServiceAccount.email}", grant["member"]);
        Assert.Empty(new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Gcp.Only31([.. Gcp.Workbench]))).Problems);
    }

    [Fact]
    public void WithoutAWorkbenchThereIsNothingToStop()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        Assert.Empty(p.OfType("gcp:cloudscheduler/job:Job"));
        Assert.Empty(p.OfType("gcp:projects/iAMCustomRole:IAMCustomRole"));
    }
}
