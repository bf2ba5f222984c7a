using MimicInfra.Aws;
using MimicInfra.Fleet;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Expiry;

/// <summary>
/// The AWS lab stops itself at 00:00 UTC on `expires`: two EventBridge Scheduler one-time schedules with
/// universal targets disable the Athena workgroups (the lab's and the import's: athena:UpdateWorkGroup, State DISABLED) and stop the
/// notebook (sagemaker:StopNotebookInstance), run by a role that Scheduler alone may assume (for this
/// account only) and that may do exactly those two actions on exactly those two resources.
///
/// Coming back: the schedule changes the workgroup outside Pulumi, and `pulumi up` without a refresh
/// diffs against the state it last saw (ENABLED), so it would leave the workgroup disabled; the provider
/// sends State only when its own diff says State changed. So the workgroup's description carries the
/// expiry date and the workgroup is replaced when it changes (replaceOnChanges, delete first: the name is
/// fixed): extending `expires` and running `pulumi up` recreates it enabled, results bucket untouched.
/// The notebook needs no such step: a stopped notebook is its normal idle state; the researcher starts it.
/// </summary>
public sealed class AwsExpiryStop(ProgramBuilder program, AwsExpiryStopArgs args)
{
    private readonly string _arn = $"arn:{args.Partition.Out("partition")}";

    /// <summary>The lab workgroup, made to come back enabled whenever `expires` moves.</summary>
    public static PulumiResource Resumable(DateOnly expires, PulumiResource workgroup)
    {
        var properties = new YMap();
        foreach (var (k, v) in workgroup.Properties)
            properties[k] = k == "description" ? $"{v} (lab expires {expires:yyyy-MM-dd})" : v;
        var options = (workgroup.Options ?? AwsProvider.Options()) with { ReplaceOnChanges = ["description"], DeleteBeforeReplace = true };
        return workgroup with { Properties = properties, Options = options };
    }

    public void Build()
    {
        var names = args.Names;
        var account = args.Account.Out("accountId");
        // Declared first: the schedule role's policy names the state machine, which is added after it.
        var notebookStop = args.Notebook is null ? null : program.Declare("expiryNotebookStop");
        var workgroups = args.ImportWorkgroup is { } import ? new List<object> { args.Workgroup.Arn, import.Arn } : new List<object> { args.Workgroup.Arn };
        var statements = new List<object>
        {
            YMap.Of(("Sid", "DisableTheLabWorkgroups"), ("Effect", "Allow"), ("Action", "athena:UpdateWorkGroup"), ("Resource", workgroups)),
        };
        if (notebookStop is not null)
            statements.Add(YMap.Of(("Sid", "StartTheNotebookStop"), ("Effect", "Allow"), ("Action", "states:StartExecution"),
                ("Resource", notebookStop.Arn)));

        var trust = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", new object[]
            {
                YMap.Of(
                    ("Effect", "Allow"),
                    ("Principal", YMap.Of(("Service", "scheduler.amazonaws.com"))),
                    ("Action", "sts:AssumeRole"),
                    ("Condition", YMap.Of(("StringEquals", YMap.Of(("aws:SourceAccount", account)))))),
            }));
        var role = program.Add("expiryRole", "aws:iam/role:Role", YMap.Of(
            ("name", $"{names.Lab}-expiry"),
            ("description", $"EventBridge Scheduler: stops MIMIC lab {names.Lab} at 00:00 UTC on {args.Expires:yyyy-MM-dd}"),
            ("assumeRolePolicy", YMap.Fn("toJSON", trust)),
            ("maxSessionDuration", 3600),
            ("tags", args.Tags)), AwsProvider.Options());
        var rolePolicy = program.Add("expiryRolePolicy", "aws:iam/rolePolicy:RolePolicy", YMap.Of(
            ("name", "stop-the-lab-at-expiry"),
            ("role", role.Id),
            ("policy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", statements))))), AwsProvider.Options());

        Schedule("expiryStopWorkgroup", $"{names.Lab}-stop-workgroup", "athena:updateWorkGroup",
            YMap.Of(("WorkGroup", args.Workgroup.Out("name")), ("State", "DISABLED")), role, rolePolicy, args.Workgroup);
        if (args.ImportWorkgroup is { } importWorkgroup)
            Schedule("expiryStopImportWorkgroup", $"{names.Lab}-stop-import", "athena:updateWorkGroup",
                YMap.Of(("WorkGroup", importWorkgroup.Out("name")), ("State", "DISABLED")), role, rolePolicy, importWorkgroup);
        if (notebookStop is not null)
        {
            NotebookStopMachine(notebookStop);
            program.Add("expiryStopNotebook", "aws:scheduler/schedule:Schedule", ScheduleProperties($"{names.Lab}-stop-notebook", YMap.Of(
                ("arn", notebookStop.Arn),
                ("roleArn", role.Arn),
                ("input", YMap.Fn("toJSON", YMap.Of(("NotebookInstanceName", args.Notebook!.Out("name"))))),
                // The state machine itself tolerates every notebook status; retries cover a failed StartExecution call.
                ("retryPolicy", YMap.Of(("maximumRetryAttempts", 3), ("maximumEventAgeInSeconds", 3600))))),
                AwsProvider.OptionsAfter(rolePolicy, notebookStop));
        }
        program.Output("expiryStopsAt", $"{Fleet.ExpiryDates.StopAt(args.Expires)}Z");
    }

    private void Schedule(string logical, string name, string action, YMap input, Handle role, Handle rolePolicy, Handle target) =>
        program.Add(logical, "aws:scheduler/schedule:Schedule", ScheduleProperties(name, YMap.Of(
                ("arn", $"{_arn}:scheduler:::aws-sdk:{action}"),
                ("roleArn", role.Arn),
                ("input", YMap.Fn("toJSON", input)),
                // Disabling a disabled workgroup succeeds, so a retry is only ever for a busy API.
                ("retryPolicy", YMap.Of(("maximumRetryAttempts", 3), ("maximumEventAgeInSeconds", 3600))))),
            AwsProvider.OptionsAfter(rolePolicy, target));

    /// <summary>A one-time schedule at 00:00 UTC on `expires`: `at()` runs once (EventBridge Scheduler, "Schedule types").</summary>
    private YMap ScheduleProperties(string name, YMap target) => YMap.Of(
        ("name", name),
        ("description", $"Stops MIMIC lab {args.Names.Lab} when its study ends ({args.Expires:yyyy-MM-dd}); extend expires and run pulumi up to move it"),
        ("scheduleExpression", $"at({Fleet.ExpiryDates.StopAt(args.Expires)})"),
        ("scheduleExpressionTimezone", "UTC"),
        ("flexibleTimeWindow", YMap.Of(("mode", "OFF"))),
        // Kept after it runs, so Pulumi's state stays true and a new date is an in-place update.
        ("actionAfterCompletion", "NONE"),
        ("target", target));

    /// <summary>The notebook statuses StopNotebookInstance accepts, and those it is worth waiting out (SageMaker API, NotebookInstanceStatus).</summary>
    public const string Stoppable = "InService";
    public static readonly IReadOnlyList<string> Transient = ["Pending", "Updating"];
    public const int WaitSeconds = 300, TimeoutSeconds = 4200;

    /// <summary>
    /// Describe, then stop only an InService notebook; wait out a starting or updating one; succeed on any other status. Its
    /// own role may describe and stop the lab's notebook and nothing else.
    /// </summary>
    private void NotebookStopMachine(Handle machine)
    {
        var names = args.Names;
        var notebookArn = $"{_arn}:sagemaker:{args.Region}:{args.Account.Out("accountId")}:notebook-instance/{names.Lab.ToLowerInvariant()}";
        var role = program.Add("expiryNotebookStopRole", "aws:iam/role:Role", YMap.Of(
            ("name", $"{names.Lab}-expiry-nb"),
            ("description", $"Step Functions: stops the notebook of MIMIC lab {names.Lab} at expiry if it is running"),
            ("assumeRolePolicy", YMap.Fn("toJSON", YMap.Of(
                ("Version", "2012-10-17"),
                ("Statement", new object[]
                {
                    YMap.Of(
                        ("Effect", "Allow"),
                        ("Principal", YMap.Of(("Service", "states.amazonaws.com"))),
                        ("Action", "sts:AssumeRole"),
                        ("Condition", YMap.Of(("StringEquals", YMap.Of(("aws:SourceAccount", args.Account.Out("accountId"))))))),
                })))),
            ("maxSessionDuration", 3600),
            ("tags", args.Tags)), AwsProvider.Options());
        var rolePolicy = program.Add("expiryNotebookStopRolePolicy", "aws:iam/rolePolicy:RolePolicy", YMap.Of(
            ("name", "stop-the-lab-notebook"),
            ("role", role.Id),
            ("policy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", new object[]
            {
                YMap.Of(("Sid", "ReadAndStopTheLabNotebook"), ("Effect", "Allow"),
                    ("Action", new object[] { "sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance" }), ("Resource", notebookArn)),
            }))))), AwsProvider.Options());
        program.Add(machine, "aws:sfn/stateMachine:StateMachine", YMap.Of(
            ("name", $"{names.Lab}-stop-notebook"),
            ("type", "STANDARD"),
            ("roleArn", role.Arn),
            ("definition", YMap.Fn("toJSON", StopDefinition())),
            ("tags", args.Tags)), AwsProvider.OptionsAfter(rolePolicy));
    }

    /// <summary>The state machine (Amazon States Language); the notebook's name comes in the execution input.</summary>
    public static YMap StopDefinition() => YMap.Of(
        ("Comment", "Stops the lab's notebook at expiry if it is running; a stopped notebook is success, not an error."),
        ("StartAt", "Describe"),
        ("TimeoutSeconds", TimeoutSeconds),
        ("States", YMap.Of(
            ("Describe", YMap.Of(
                ("Type", "Task"),
                ("Resource", "arn:aws:states:::aws-sdk:sagemaker:describeNotebookInstance"),
                ("Parameters", YMap.Of(("NotebookInstanceName.$", "$.NotebookInstanceName"))),
                ("ResultSelector", YMap.Of(("Status.$", "$.NotebookInstanceStatus"))),
                ("ResultPath", "$.Notebook"),
                ("Retry", new object[] { YMap.Of(("ErrorEquals", new object[] { "States.TaskFailed" }), ("IntervalSeconds", 30), ("MaxAttempts", 3), ("BackoffRate", 2)) }),
                ("Next", "ByStatus"))),
            ("ByStatus", YMap.Of(
                ("Type", "Choice"),
                ("Choices", new object[]
                {
                    YMap.Of(("Variable", "$.Notebook.Status"), ("StringEquals", Stoppable), ("Next", "Stop")),
                    YMap.Of(("Or", Transient.Select(t => (object)YMap.Of(("Variable", "$.Notebook.Status"), ("StringEquals", t))).ToArray()), ("Next", "Wait")),
                }),
                ("Default", "NotRunning"))),
            ("Wait", YMap.Of(("Type", "Wait"), ("Seconds", WaitSeconds), ("Next", "Describe"))),
            ("Stop", YMap.Of(
                ("Type", "Task"),
                ("Resource", "arn:aws:states:::aws-sdk:sagemaker:stopNotebookInstance"),
                ("Parameters", YMap.Of(("NotebookInstanceName.$", "$.NotebookInstanceName"))),
                ("ResultPath", null),
                ("Retry", new object[] { YMap.Of(("ErrorEquals", new object[] { "States.TaskFailed" }), ("IntervalSeconds", 30), ("MaxAttempts", 3), ("BackoffRate", 2)) }),
                // The status changed between Describe and Stop (it stopped itself, or started updating): look again.
                ("Catch", new object[] { YMap.Of(("ErrorEquals", new object[] { "States.TaskFailed" }), ("ResultPath", null), ("Next", "Describe")) }),
                ("End", true))),
            ("NotRunning", YMap.Of(("Type", "Succeed"))))));
}

/// <summary>What the AWS expiry stop needs: the lab's names, date and tags, and the handles of what it stops.</summary>
public sealed record AwsExpiryStopArgs
{
    public required LabNames Names { get; init; }

    /// <summary>The date the lab stops, at 00:00 UTC.</summary>
    public required DateOnly Expires { get; init; }

    public required string Region { get; init; }

    /// <summary>The lab's tags, as <see cref="AwsProvider.TagsOf"/> gives them.</summary>
    public required YMap Tags { get; init; }

    /// <summary>The account and partition values, for the trust conditions and the ARNs built from names.</summary>
    public required Handle Account { get; init; }
    public required Handle Partition { get; init; }

    /// <summary>The lab's workgroup, and the import's when the lab owns its data (else null).</summary>
    public required Handle Workgroup { get; init; }
    public Handle? ImportWorkgroup { get; init; }

    /// <summary>The lab's notebook, when it has one.</summary>
    public Handle? Notebook { get; init; }
}
