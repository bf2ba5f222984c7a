using MimicInfra.Aws;
using MimicInfra.Fleet;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Expiry;

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
public sealed class AwsExpiryStop(LabSettings lab, ProgramBuilder program)
{
    private const string Arn = "arn:${awsPartition.partition}";

    /// <summary>The lab workgroup, made to come back enabled whenever `expires` moves.</summary>
    public static PulumiResource Resumable(LabSettings lab, PulumiResource workgroup)
    {
        var properties = new YMap();
        foreach (var (k, v) in workgroup.Properties)
            properties[k] = k == "description" ? $"{v} (lab expires {lab.Expires:yyyy-MM-dd})" : v;
        var options = (workgroup.Options ?? AwsLab.Options()) with { ReplaceOnChanges = ["description"], DeleteBeforeReplace = true };
        return workgroup with { Properties = properties, Options = options };
    }

    public void Build()
    {
        var aws = lab.Aws!;
        var names = lab.Names;
        var account = "${awsAccount.accountId}";
        var workgroups = aws.OwnsData ? new List<object> { "${workgroup.arn}", "${importWorkgroup.arn}" } : new List<object> { "${workgroup.arn}" };
        var statements = new List<object>
        {
            YMap.Of(("Sid", "DisableTheLabWorkgroups"), ("Effect", "Allow"), ("Action", "athena:UpdateWorkGroup"), ("Resource", workgroups)),
        };
        if (aws.Notebook is not null)
            statements.Add(YMap.Of(("Sid", "StopTheLabNotebook"), ("Effect", "Allow"), ("Action", "sagemaker:StopNotebookInstance"),
                ("Resource", $"{Arn}:sagemaker:{aws.Region}:{account}:notebook-instance/{names.Lab.ToLowerInvariant()}")));

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
        program.Add(new PulumiResource("expiryRole", "aws:iam/role:Role", YMap.Of(
            ("name", $"{names.Lab}-expiry"),
            ("description", $"EventBridge Scheduler: stops MIMIC lab {names.Lab} at 00:00 UTC on {lab.Expires:yyyy-MM-dd}"),
            ("assumeRolePolicy", YMap.Fn("toJSON", trust)),
            ("maxSessionDuration", 3600),
            ("tags", AwsLab.TagsOf(lab))), AwsLab.Options()));
        program.Add(new PulumiResource("expiryRolePolicy", "aws:iam/rolePolicy:RolePolicy", YMap.Of(
            ("name", "stop-the-lab-at-expiry"),
            ("role", "${expiryRole.id}"),
            ("policy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", statements))))), AwsLab.Options()));

        Schedule("expiryStopWorkgroup", $"{names.Lab}-stop-workgroup", "athena:updateWorkGroup",
            YMap.Of(("WorkGroup", "${workgroup.name}"), ("State", "DISABLED")), "workgroup");
        if (aws.OwnsData)
            Schedule("expiryStopImportWorkgroup", $"{names.Lab}-stop-import", "athena:updateWorkGroup",
                YMap.Of(("WorkGroup", "${importWorkgroup.name}"), ("State", "DISABLED")), "importWorkgroup");
        if (aws.Notebook is not null)
            Schedule("expiryStopNotebook", $"{names.Lab}-stop-notebook", "sagemaker:stopNotebookInstance",
                YMap.Of(("NotebookInstanceName", "${notebook.name}")), "notebook");
        program.Output("expiryStopsAt", $"{Fleet.ExpiryDates.StopAt(lab.Expires)}Z");
    }

    private void Schedule(string logical, string name, string action, YMap input, string target) =>
        program.Add(new PulumiResource(logical, "aws:scheduler/schedule:Schedule", YMap.Of(
            ("name", name),
            ("description", $"Stops MIMIC lab {lab.Names.Lab} when its study ends ({lab.Expires:yyyy-MM-dd}); extend expires and run pulumi up to move it"),
            ("scheduleExpression", $"at({Fleet.ExpiryDates.StopAt(lab.Expires)})"),
            ("scheduleExpressionTimezone", "UTC"),
            ("flexibleTimeWindow", YMap.Of(("mode", "OFF"))),
            // Kept after it runs, so Pulumi's state stays true and a new date is an in-place update.
            ("actionAfterCompletion", "NONE"),
            ("target", YMap.Of(
                ("arn", $"{Arn}:scheduler:::aws-sdk:{action}"),
                ("roleArn", "${expiryRole.arn}"),
                ("input", YMap.Fn("toJSON", input)),
                // Stopping what is already stopped fails; a few retries cover a busy API, not that.
                ("retryPolicy", YMap.Of(("maximumRetryAttempts", 3), ("maximumEventAgeInSeconds", 3600)))))),
            AwsLab.Options("expiryRolePolicy", target)));
}
