using System.Globalization;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp.Expiry;

/// <summary>
/// The GCP lab's Workbench instance stops at 00:00 UTC on `expires`. Cloud Scheduler has no one-time job and its
/// unix-cron has no year field (minute, hour, day of month, month, day of week: "Cron job format and time zone"), so a job
/// `0 0 D M *` fires on that day every year, the first time up to a year before `expires`. The job therefore does not call
/// the Notebooks API itself: it starts a Workflows workflow that (1) does nothing outside the day of `expires` (a day of
/// slack on either side, so a firing a few seconds early or a retry still counts, and those a year early or late never
/// do: the stop happens once), (2) reads the instance and stops it only
/// when it is ACTIVE, waits out a starting one, and ends in success when it is already stopped (the idle shutdown's usual
/// state), so the job never fails on a stopped instance.
///
/// The workflow runs as a service account of its own, which holds one custom role on the lab's instance alone
/// (notebooks.instances.get and .stop) and may start workflow executions in the project (the job calls the Workflow
/// Executions API as it). A lab past `expires` is refused by the compiler, so it is destroyed or extended (which moves
/// the job and the workflow's date) before the date comes round again.
/// </summary>
public sealed class GcpExpiryStop(ProgramBuilder program, GcpExpiryStopArgs args)
{
    /// <summary>Seconds before 00:00 UTC on `expires` from which a firing stops the instance (one day).</summary>
    public const long SlackSeconds = 86_400;

    /// <summary>The unix-cron the job fires on: 00:00 on the day and month of `expires` (every year: cron has no year).</summary>
    public static string Cron(DateOnly expires) => string.Create(CultureInfo.InvariantCulture, $"0 0 {expires.Day} {expires.Month} *");

    /// <summary>The first second (Unix time, UTC) at which the workflow stops the instance.</summary>
    public static long NotBefore(DateOnly expires) => StopAt(expires) - SlackSeconds;

    /// <summary>The first second (Unix time, UTC) from which it no longer does (the job's firings of later years).</summary>
    public static long NotAfter(DateOnly expires) => StopAt(expires) + SlackSeconds;

    private static long StopAt(DateOnly expires) => new DateTimeOffset(expires.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();

    public void Build()
    {
        var wb = args.Workbench;
        var names = args.Names;
        var project = args.Project;
        var options = GcpProvider.Options();
        var hash = names.Lab[^8..];
        var services = new[] { "cloudscheduler", "workflows" }.ToDictionary(service => service, service =>
            program.Add($"service-{service}", "gcp:projects/service:Service", YMap.Of(
                ("service", $"{service}.googleapis.com"),
                ("disableOnDestroy", false)), options));
        var account = program.Add("expiryServiceAccount", "gcp:serviceaccount/account:Account", YMap.Of(
            ("accountId", $"mimic-stop-{hash}"),
            ("displayName", $"Stops MIMIC lab {names.Lab} at expiry"),
            ("description", "Runs the lab's expiry workflow, which reads and stops the lab's Workbench instance; nothing else.")), options);
        var member = $"serviceAccount:{account.Out("email")}";
        var role = program.Add("expiryStopRole", "gcp:projects/iAMCustomRole:IAMCustomRole", YMap.Of(
            ("project", project),
            ("roleId", $"mimicLabStop_{hash}"),
            ("title", $"Stop MIMIC lab {names.Lab}"),
            ("description", "Only reads and stops a Workbench instance (granted on the lab's instance alone)."),
            ("permissions", new object[] { "notebooks.instances.get", "notebooks.instances.stop" })), options);
        var grant = program.Add("expiryStopGrant", "gcp:workbench/instanceIamMember:InstanceIamMember", YMap.Of(
            ("project", project),
            ("location", wb.Zone),
            ("name", args.Instance.Out("name")),
            ("role", role.Out("name")),
            ("member", member)), options);
        // The job starts the workflow as the same account (roles/workflows.invoker: workflows.executions.create).
        var invoker = program.Add("expiryWorkflowInvoker", "gcp:projects/iAMMember:IAMMember", YMap.Of(
            ("project", project),
            ("role", "roles/workflows.invoker"),
            ("member", member)), options);
        var e = args.Expires;
        var workflowName = $"{names.Lab}-expiry";
        var workflow = program.Add("expiryWorkflow", "gcp:workflows/workflow:Workflow", YMap.Of(
            ("name", workflowName),
            ("project", project),
            ("region", wb.Region),
            ("description", $"Stops the Workbench instance of MIMIC lab {names.Lab} on or after {e:yyyy-MM-dd} (00:00 UTC) if it is running"),
            ("serviceAccount", account.Out("email")),
            ("deletionProtection", false),
            ("sourceContents", PulumiText.Literal(WorkflowSource(names.Lab, e, $"https://notebooks.googleapis.com/v2/projects/{project}/locations/{wb.Zone}/instances/{names.Lab}"))),
            ("labels", args.Labels)),
            GcpProvider.OptionsAfter(services["workflows"], grant));
        program.Add("expiryStopWorkbench", "gcp:cloudscheduler/job:Job", YMap.Of(
            ("name", $"{names.Lab}-stop-workbench"),
            ("project", project),
            ("region", wb.Region),
            ("description", $"Stops the Workbench instance of MIMIC lab {names.Lab} when its study ends ({e:yyyy-MM-dd}); fires every year on that day, the workflow acts only in that year"),
            ("schedule", Cron(e)),
            ("timeZone", "Etc/UTC"),
            ("attemptDeadline", "60s"),
            ("retryConfig", YMap.Of(("retryCount", 3))),
            ("httpTarget", YMap.Of(
                ("httpMethod", "POST"),
                ("uri", $"https://workflowexecutions.googleapis.com/v1/projects/{project}/locations/{wb.Region}/workflows/{workflowName}/executions"),
                ("body", Convert.ToBase64String("{}"u8)),
                ("headers", YMap.Of(("Content-Type", "application/json"))),
                ("oauthToken", YMap.Of(
                    ("serviceAccountEmail", account.Out("email")),
                    ("scope", "https://www.googleapis.com/auth/cloud-platform")))))),
            GcpProvider.OptionsAfter(services["cloudscheduler"], workflow, invoker));
    }

    /// <summary>
    /// The workflow (Workflows syntax, whose own expressions are written `${...}`: the program takes it through
    /// <see cref="PulumiText.Literal"/> so Pulumi never reads them as references). Instance states: Notebooks API v2, Instance.State.
    /// </summary>
    public static string WorkflowSource(string lab, DateOnly expires, string instanceUrl) => string.Create(CultureInfo.InvariantCulture, $$"""
        # Stops the Workbench instance of MIMIC lab {{lab}} at its expiry, {{expires:yyyy-MM-dd}} 00:00 UTC.
        # Cloud Scheduler's cron has no year: the job calls this every year on that day, so it acts only on the day itself.
        main:
          steps:
            - notTheDay:
                switch:
                  - condition: ${sys.now() < {{NotBefore(expires)}} or sys.now() >= {{NotAfter(expires)}}}
                    return: "nothing to do: the lab expires on {{expires:yyyy-MM-dd}}"
            - init:
                assign:
                  - rounds: 0
            - read:
                call: http.get
                args:
                  url: {{instanceUrl}}
                  auth:
                    type: OAuth2
                result: instance
            - byState:
                switch:
                  - condition: ${instance.body.state == "ACTIVE"}
                    next: stop
                  - condition: ${(instance.body.state == "STARTING" or instance.body.state == "PROVISIONING" or instance.body.state == "INITIALIZING") and rounds < 12}
                    next: wait
                  - condition: true
                    return: ${"nothing to stop, the instance is " + instance.body.state}
            - wait:
                assign:
                  - rounds: ${rounds + 1}
            - pause:
                call: sys.sleep
                args:
                  seconds: 300
                next: read
            - stop:
                call: http.post
                args:
                  url: {{instanceUrl}}:stop
                  auth:
                    type: OAuth2
            - done:
                return: "stopped"
        """);
}

/// <summary>What the GCP expiry stop needs: the lab's names, date, project and labels, its Workbench settings and instance.</summary>
public sealed record GcpExpiryStopArgs
{
    public required LabNames Names { get; init; }

    /// <summary>The date the instance stops, at 00:00 UTC.</summary>
    public required DateOnly Expires { get; init; }

    public required string Project { get; init; }

    /// <summary>The lab's labels, as the GCP resources carry them.</summary>
    public required YMap Labels { get; init; }

    /// <summary>Where the instance is (its zone and region).</summary>
    public required WorkbenchSettings Workbench { get; init; }

    /// <summary>The Workbench instance it stops.</summary>
    public required Handle Instance { get; init; }
}
