using System.Globalization;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Expiry;

/// <summary>
/// The GCP lab's Workbench instance stops at 00:00 UTC on `expires`: a Cloud Scheduler job calls the
/// Notebooks API's instances.stop as a service account of its own, which holds one custom role with one
/// permission (notebooks.instances.stop) on that one instance. Cloud Scheduler has no one-time schedule, so
/// the job's cron names the day and month; a lab past `expires` is refused by the compiler, so it is
/// destroyed or extended (which moves the job) before the date comes round again. Views and datasets cost
/// nothing while nobody queries, so nothing else needs stopping; a stopped instance is started by its owner.
/// </summary>
public sealed class GcpExpiryStop(LabSettings lab, ProgramBuilder program)
{
    public void Build()
    {
        var gcp = lab.Gcp!;
        if (gcp.Workbench is not { } wb) return;
        var options = new ResourceOptions(Gcp.GcpLab.ProviderName, Gcp.GcpLab.Version);
        var hash = lab.Names.Lab[^8..];
        program.Add(new PulumiResource("service-cloudscheduler", "gcp:projects/service:Service", YMap.Of(
            ("service", "cloudscheduler.googleapis.com"),
            ("disableOnDestroy", false)), options));
        program.Add(new PulumiResource("expiryServiceAccount", "gcp:serviceaccount/account:Account", YMap.Of(
            ("accountId", $"mimic-stop-{hash}"),
            ("displayName", $"Stops MIMIC lab {lab.Names.Lab} at expiry"),
            ("description", "Calls instances.stop on the lab's Workbench instance when the study ends; nothing else.")), options));
        program.Add(new PulumiResource("expiryStopRole", "gcp:projects/iAMCustomRole:IAMCustomRole", YMap.Of(
            ("project", gcp.Project),
            ("roleId", $"mimicLabStop_{hash}"),
            ("title", $"Stop MIMIC lab {lab.Names.Lab}"),
            ("description", "Only stops a Workbench instance (granted on the lab's instance alone)."),
            ("permissions", new object[] { "notebooks.instances.stop" })), options));
        program.Add(new PulumiResource("expiryStopGrant", "gcp:workbench/instanceIamMember:InstanceIamMember", YMap.Of(
            ("project", gcp.Project),
            ("location", wb.Zone),
            ("name", "${workbench.name}"),
            ("role", "${expiryStopRole.name}"),
            ("member", "serviceAccount:${expiryServiceAccount.email}")), options));
        var e = lab.Expires;
        program.Add(new PulumiResource("expiryStopWorkbench", "gcp:cloudscheduler/job:Job", YMap.Of(
            ("name", $"{lab.Names.Lab}-stop-workbench"),
            ("project", gcp.Project),
            ("region", wb.Region),
            ("description", $"Stops the Workbench instance of MIMIC lab {lab.Names.Lab} when its study ends ({e:yyyy-MM-dd})"),
            ("schedule", string.Create(CultureInfo.InvariantCulture, $"0 0 {e.Day} {e.Month} *")),
            ("timeZone", "Etc/UTC"),
            ("attemptDeadline", "60s"),
            ("retryConfig", YMap.Of(("retryCount", 3))),
            ("httpTarget", YMap.Of(
                ("httpMethod", "POST"),
                ("uri", $"https://notebooks.googleapis.com/v2/projects/{gcp.Project}/locations/{wb.Zone}/instances/${{workbench.name}}:stop"),
                ("oauthToken", YMap.Of(
                    ("serviceAccountEmail", "${expiryServiceAccount.email}"),
                    ("scope", "https://www.googleapis.com/auth/cloud-platform")))))),
            options with { DependsOn = ["service-cloudscheduler", "expiryStopGrant"] }));
    }
}
