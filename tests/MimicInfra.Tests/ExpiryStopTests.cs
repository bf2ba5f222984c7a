using System.Text.Json;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The lab stops itself at 00:00 UTC on `expires`, and comes back when `expires` moves (issue: Fleet).</summary>
public class ExpiryStopTests
{
    private static ParsedProgram Program(string expires = "2027-06-30", params (string, string)[] extra) =>
        new(Labs.Compile(Labs.Config("exp", [("researcher", "jdoe"), ("study", "sepsis"), ("expires", expires), ("release", "mimic-iv-demo-2.2"), .. extra])));

    private static JsonElement Json(object? fnToJson) => JsonSerializer.SerializeToElement(fnToJson.Map()["fn::toJSON"]);

    [Fact]
    public void TwoOneTimeSchedulesStopTheWorkgroupAndTheNotebookAtMidnightUtc()
    {
        var p = Program();
        var schedules = p.OfType("aws:scheduler/schedule:Schedule").ToDictionary(s => s.Name, s => s.Props);
        Assert.Equal(["expiryStopWorkgroup", "expiryStopImportWorkgroup", "expiryStopNotebook"], schedules.Keys);
        foreach (var s in schedules.Values)
        {
            Assert.Equal("at(2027-06-30T00:00:00)", s["scheduleExpression"]);
            Assert.Equal("UTC", s["scheduleExpressionTimezone"]);
            Assert.Equal("OFF", s["flexibleTimeWindow"].At("mode"));
            Assert.Equal("NONE", s["actionAfterCompletion"]);
            Assert.Equal("${expiryRole.arn}", s["target"].At("roleArn"));
        }
        var wg = schedules["expiryStopWorkgroup"]["target"].Map();
        Assert.Equal("arn:${awsPartition.partition}:scheduler:::aws-sdk:athena:updateWorkGroup", wg["arn"]);
        var input = Json(wg["input"]);
        Assert.Equal("${workgroup.name}", input.GetProperty("WorkGroup").GetString());
        Assert.Equal("DISABLED", input.GetProperty("State").GetString());
        var nb = schedules["expiryStopNotebook"]["target"].Map();
        Assert.Equal("arn:${awsPartition.partition}:scheduler:::aws-sdk:sagemaker:stopNotebookInstance", nb["arn"]);
        Assert.Equal("${notebook.name}", Json(nb["input"]).GetProperty("NotebookInstanceName").GetString());
        Assert.Equal("2027-06-30T00:00:00Z", p.Outputs["expiryStopsAt"]);
    }

    [Fact]
    public void TheScheduleRoleIsForSchedulerOnlyAndMayDoExactlyTheTwoStops()
    {
        var p = Program();
        var trust = Json(p.Resources.Single(r => r.Name == "expiryRole").Props["assumeRolePolicy"]).GetProperty("Statement")[0];
        Assert.Equal("scheduler.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("${awsAccount.accountId}", trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
        var statements = Json(p.Resources.Single(r => r.Name == "expiryRolePolicy").Props["policy"]).GetProperty("Statement").EnumerateArray().ToList();
        Assert.Equal(["athena:UpdateWorkGroup", "sagemaker:StopNotebookInstance"], statements.Select(s => s.GetProperty("Action").GetString()));
        Assert.Equal(["${workgroup.arn}", "${importWorkgroup.arn}"], statements[0].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Matches(@"^arn:\$\{awsPartition\.partition\}:sagemaker:us-east-1:\$\{awsAccount\.accountId\}:notebook-instance/mimic-jdoe-sepsis-[0-9a-f]{8}$", statements[1].GetProperty("Resource").GetString());
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
    }

    [Fact]
    public void WithoutANotebookOnlyTheWorkgroupIsStopped()
    {
        var p = Program(extra: ("notebook", "false"));
        Assert.Equal(["expiryStopWorkgroup", "expiryStopImportWorkgroup"], p.OfType("aws:scheduler/schedule:Schedule").Select(s => s.Name));
        var statements = Json(p.Resources.Single(r => r.Name == "expiryRolePolicy").Props["policy"]).GetProperty("Statement").EnumerateArray();
        Assert.Equal(["athena:UpdateWorkGroup"], statements.Select(s => s.GetProperty("Action").GetString()));
    }

    /// <summary>
    /// Pulumi diffs the program against its last saved inputs (no refresh), so the stop made by the schedule
    /// is invisible to it. Extending `expires` changes the workgroup's description, which is marked
    /// replaceOnChanges: Pulumi replaces the workgroup (deleting first, as its name is fixed) and the new one
    /// is created ENABLED. The schedules move to the new date in place.
    /// </summary>
    [Fact]
    public void ExtendingExpiresReplacesTheWorkgroupSoItComesBackEnabledWithoutARefresh()
    {
        var before = Program("2027-06-30").Resources.ToDictionary(r => r.Name);
        var after = Program("2027-12-31").Resources.ToDictionary(r => r.Name);
        var (old, now) = (before["workgroup"], after["workgroup"]);
        Assert.Equal("ENABLED", now.Props["state"]);
        Assert.NotEqual(old.Props["description"], now.Props["description"]);
        Assert.EndsWith("(lab expires 2027-12-31)", (string)now.Props["description"]);
        Assert.Equal(["description"], now.Options!["replaceOnChanges"].List());
        Assert.Equal(["description"], after["importWorkgroup"].Options!["replaceOnChanges"].List());
        Assert.Equal("true", now.Options["deleteBeforeReplace"]);
        Assert.Equal(old.Props["name"], now.Props["name"]);   // same name: results and links keep working
        Assert.Equal("at(2027-12-31T00:00:00)", after["expiryStopWorkgroup"].Props["scheduleExpression"]);
        Assert.Equal(before["expiryStopWorkgroup"].Props["name"], after["expiryStopWorkgroup"].Props["name"]);   // moved in place
        // Nothing else the researcher keeps changes with the date: the buckets and the data stay.
        foreach (var name in before.Keys.Where(k => k.Contains("Bucket") && !k.Contains("Policy")))
            Assert.Equal(before[name].Props.GetValueOrDefault("bucketPrefix"), after[name].Props.GetValueOrDefault("bucketPrefix"));
    }

    [Fact]
    public void SchedulesConformToTheProviderSchema()
    {
        var report = new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Labs.Config("exp", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2")])));
        Assert.Empty(report.Problems);
        Assert.Equal(3, report.ResourcesByType["aws:scheduler/schedule:Schedule"]);
    }
}

public class FleetPreviewTests
{
    [Fact]
    public void PreviewShowsTheAccountBindingProviderKeysExpiryStopAndCostGuards()
    {
        var lab = LabSettingsReader.Read(Labs.Config("pv", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\"]"),
            ("sourceUri", "s3://my-mimic-copy/mimiciv/3.1/"), ("awsAccountId", "012345678901"), ("aws:profile", "lab-jdoe"), .. Gcp.Settings]), Labs.Catalog);
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("  account     012345678901 only: the provider refuses other credentials before any change", text);
        Assert.Contains("  provider    from the stack, by reference: aws:profile", text);
        Assert.Contains("  expiry      stops itself at 2027-06-30T00:00:00Z (EventBridge Scheduler): workgroup disabled, notebook stopped", text);
        Assert.Contains("  cost guard  BigQuery quota 1024 GiB processed per user per day; the example notebook caps a query at 10240 MiB billed", text);
    }
}

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
        Assert.Equal("https://notebooks.googleapis.com/v2/projects/mimic-research-1/locations/us-central1-a/instances/${workbench.name}:stop", job["httpTarget"].At("uri"));
        Assert.Equal("${expiryServiceAccount.email}", job["httpTarget"].At("oauthToken", "serviceAccountEmail"));
        Assert.Equal(["notebooks.instances.stop"], p.Single("gcp:projects/iAMCustomRole:IAMCustomRole")["permissions"].List());
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
