using System.Text.Json;

namespace MimicInfra.Tests;

/// <summary>The lab stops itself at 00:00 UTC on `expires`, and comes back when `expires` moves.</summary>
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
        Assert.Equal("${expiryNotebookStop.arn}", nb["arn"]);   // the state machine that tolerates a stopped notebook
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
        Assert.Equal(["athena:UpdateWorkGroup", "states:StartExecution"], statements.Select(s => s.GetProperty("Action").GetString()));
        Assert.Equal(["${workgroup.arn}", "${importWorkgroup.arn}"], statements[0].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("${expiryNotebookStop.arn}", statements[1].GetProperty("Resource").GetString());
        // The state machine's own role: describe and stop the lab's notebook, nothing else.
        var machine = Json(p.Resources.Single(r => r.Name == "expiryNotebookStopRolePolicy").Props["policy"]).GetProperty("Statement")[0];
        Assert.Equal(["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"], machine.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Matches(@"^arn:\$\{awsPartition\.partition\}:sagemaker:us-east-1:\$\{awsAccount\.accountId\}:notebook-instance/mimic-jdoe-sepsis-[0-9a-f]{8}$", machine.GetProperty("Resource").GetString());
        Assert.Equal("states.amazonaws.com", Json(p.Resources.Single(r => r.Name == "expiryNotebookStopRole").Props["assumeRolePolicy"]).GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());
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
        Assert.Equal(1, report.ResourcesByType["aws:sfn/stateMachine:StateMachine"]);
    }

    [Fact]
    public void BuiltFromItsArgumentsAloneItStopsOnlyWhatItIsGivenAndAWorkgroupNeverAddedFailsTheBuild()
    {
        static (MimicInfra.Program.ProgramBuilder, MimicInfra.Aws.Expiry.AwsExpiryStopArgs) Arrange()
        {
            var program = new MimicInfra.Program.ProgramBuilder();
            program.Add(MimicInfra.Aws.AwsProvider.Name, "pulumi:providers:aws", new MimicInfra.Program.YMap(), null);
            var args = new MimicInfra.Aws.Expiry.AwsExpiryStopArgs
            {
                Names = MimicInfra.Lab.LabNames.For("exp", "jdoe", "sepsis"), Expires = new DateOnly(2027, 6, 30), Region = "us-east-1",
                Tags = new MimicInfra.Program.YMap(), Account = program.Variable("awsAccount", "a"), Partition = program.Variable("awsPartition", "p"),
                Workgroup = program.Declare("workgroup"),
            };
            return (program, args);
        }

        // No import workgroup and no notebook: one schedule, and a policy naming the lab workgroup alone.
        var (program, args) = Arrange();
        program.Add(args.Workgroup, "aws:athena/workgroup:Workgroup", new MimicInfra.Program.YMap(), null);
        new MimicInfra.Aws.Expiry.AwsExpiryStop(program, args).Build();
        var built = new ParsedProgram(MimicInfra.Program.ProgramYaml.Write(program.Build("p", "d")));
        Assert.Equal(["awsProvider", "workgroup", "expiryRole", "expiryRolePolicy", "expiryStopWorkgroup"], built.Resources.Select(r => r.Name));
        var statement = Json(built.Named("expiryRolePolicy")["policy"]).GetProperty("Statement").EnumerateArray().Single();
        Assert.Equal(["${workgroup.arn}"], statement.GetProperty("Resource").EnumerateArray().Select(e => e.GetString()));

        // The stop references the workgroup through its handle: a lab that never adds it does not build.
        (program, args) = Arrange();
        new MimicInfra.Aws.Expiry.AwsExpiryStop(program, args).Build();
        Assert.Contains("'workgroup' is referenced but was never added", Assert.Throws<InvalidOperationException>(() => program.Build("p", "d")).Message);
    }
}
