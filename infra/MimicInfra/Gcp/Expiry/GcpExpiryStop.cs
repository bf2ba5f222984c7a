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
public sealed class GcpExpiryStop(LabSettings lab, ProgramBuilder program)
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
        var gcp = lab.Gcp!;
        if (gcp.Workbench is not { } wb) return;
        var options = new ResourceOptions(Gcp.GcpProvider.Name, Gcp.GcpProvider.Version);
        var hash = lab.Names.Lab[^8..];
        foreach (var service in new[] { "cloudscheduler", "workflows" })
            program.Add(new PulumiResource($"service-{service}", "gcp:projects/service:Service", YMap.Of(
                ("service", $"{service}.googleapis.com"),
                ("disableOnDestroy", false)), options));
        program.Add(new PulumiResource("expiryServiceAccount", "gcp:serviceaccount/account:Account", YMap.Of(
            ("accountId", $"mimic-stop-{hash}"),
            ("displayName", $"Stops MIMIC lab {lab.Names.Lab} at expiry"),
            ("description", "Runs the lab's expiry workflow, which reads and stops the lab's Workbench instance; nothing else.")), options));
        program.Add(new PulumiResource("expiryStopRole", "gcp:projects/iAMCustomRole:IAMCustomRole", YMap.Of(
            ("project", gcp.Project),
            ("roleId", $"mimicLabStop_{hash}"),
            ("title", $"Stop MIMIC lab {lab.Names.Lab}"),
            ("description", "Only reads and stops a Workbench instance (granted on the lab's instance alone)."),
            ("permissions", new object[] { "notebooks.instances.get", "notebooks.instances.stop" })), options));
        program.Add(new PulumiResource("expiryStopGrant", "gcp:workbench/instanceIamMember:InstanceIamMember", YMap.Of(
            ("project", gcp.Project),
            ("location", wb.Zone),
            ("name", "${workbench.name}"),
            ("role", "${expiryStopRole.name}"),
            ("member", "serviceAccount:${expiryServiceAccount.email}")), options));
        // The job starts the workflow as the same account (roles/workflows.invoker: workflows.executions.create).
        program.Add(new PulumiResource("expiryWorkflowInvoker", "gcp:projects/iAMMember:IAMMember", YMap.Of(
            ("project", gcp.Project),
            ("role", "roles/workflows.invoker"),
            ("member", "serviceAccount:${expiryServiceAccount.email}")), options));
        var e = lab.Expires;
        var workflowName = $"{lab.Names.Lab}-expiry";
        program.Add(new PulumiResource("expiryWorkflow", "gcp:workflows/workflow:Workflow", YMap.Of(
            ("name", workflowName),
            ("project", gcp.Project),
            ("region", wb.Region),
            ("description", $"Stops the Workbench instance of MIMIC lab {lab.Names.Lab} on or after {e:yyyy-MM-dd} (00:00 UTC) if it is running"),
            ("serviceAccount", "${expiryServiceAccount.email}"),
            ("deletionProtection", false),
            ("sourceContents", WorkflowSource(lab, $"https://notebooks.googleapis.com/v2/projects/{gcp.Project}/locations/{wb.Zone}/instances/{lab.Names.Lab}")),
            ("labels", lab.Tags.Aggregate(new YMap(), (map, t) => { map[Gcp.GcpLab.Label(t.Key, true)] = Gcp.GcpLab.Label(t.Value, false); return map; }))),
            options with { DependsOn = ["service-workflows", "expiryStopGrant"] }));
        program.Add(new PulumiResource("expiryStopWorkbench", "gcp:cloudscheduler/job:Job", YMap.Of(
            ("name", $"{lab.Names.Lab}-stop-workbench"),
            ("project", gcp.Project),
            ("region", wb.Region),
            ("description", $"Stops the Workbench instance of MIMIC lab {lab.Names.Lab} when its study ends ({e:yyyy-MM-dd}); fires every year on that day, the workflow acts only in that year"),
            ("schedule", Cron(e)),
            ("timeZone", "Etc/UTC"),
            ("attemptDeadline", "60s"),
            ("retryConfig", YMap.Of(("retryCount", 3))),
            ("httpTarget", YMap.Of(
                ("httpMethod", "POST"),
                ("uri", $"https://workflowexecutions.googleapis.com/v1/projects/{gcp.Project}/locations/{wb.Region}/workflows/{workflowName}/executions"),
                ("body", Convert.ToBase64String("{}"u8)),
                ("headers", YMap.Of(("Content-Type", "application/json"))),
                ("oauthToken", YMap.Of(
                    ("serviceAccountEmail", "${expiryServiceAccount.email}"),
                    ("scope", "https://www.googleapis.com/auth/cloud-platform")))))),
            options with { DependsOn = ["service-cloudscheduler", "expiryWorkflow", "expiryWorkflowInvoker"] }));
    }

    /// <summary>
    /// The workflow (Workflows syntax; `$$` is Pulumi YAML's escape for a literal `$`, as Workflows' own expressions are
    /// written `${...}`). Instance states: Notebooks API v2, Instance.State.
    /// </summary>
    public static string WorkflowSource(LabSettings lab, string instanceUrl) => string.Create(CultureInfo.InvariantCulture, $$"""
        # Stops the Workbench instance of MIMIC lab {{lab.Names.Lab}} at its expiry, {{lab.Expires:yyyy-MM-dd}} 00:00 UTC.
        # Cloud Scheduler's cron has no year: the job calls this every year on that day, so it acts only on the day itself.
        main:
          steps:
            - notTheDay:
                switch:
                  - condition: $${sys.now() < {{NotBefore(lab.Expires)}} or sys.now() >= {{NotAfter(lab.Expires)}}}
                    return: "nothing to do: the lab expires on {{lab.Expires:yyyy-MM-dd}}"
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
                  - condition: $${instance.body.state == "ACTIVE"}
                    next: stop
                  - condition: $${(instance.body.state == "STARTING" or instance.body.state == "PROVISIONING" or instance.body.state == "INITIALIZING") and rounds < 12}
                    next: wait
                  - condition: true
                    return: $${"nothing to stop, the instance is " + instance.body.state}
            - wait:
                assign:
                  - rounds: $${rounds + 1}
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
