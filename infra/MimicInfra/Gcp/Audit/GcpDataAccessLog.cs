using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp.Audit;

/// <summary>
/// The GCP lab's audit trail: BigQuery writes its Data Access audit logs by default, but only to the project's
/// _Default log bucket, which keeps them 30 days. A log sink copies the project's BigQuery data-access entries
/// into a log bucket of the lab's own, kept `gcpAuditLogRetentionDays`. The scope is the project's BigQuery entries,
/// not only the lab's datasets: a member may also query physionet-data directly, billed to this project, and that
/// too is access to MIMIC (two labs in one project therefore each keep a copy). The bucket is retained on destroy, so the record outlives the lab; a re-created lab
/// takes the kept bucket over (the provider's create reads an existing bucket of that id and updates it), so
/// destroy and re-create need no new name. Locked (gcpAuditLogLocked; credentialed releases by default), nobody can
/// delete its entries before retention, change the retention or delete the bucket until every entry has expired;
/// Cloud Logging offers no unlock. The deployer needs roles/logging.configWriter for the bucket and the sink.
/// </summary>
public sealed class GcpDataAccessLog(LabSettings lab, ProgramBuilder program)
{
    public const string BucketResource = "bigqueryAuditLogBucket";
    public const string SinkResource = "bigqueryAuditLogSink";
    public const string Location = "us";

    public static string BucketId(LabSettings lab) => $"{lab.Names.Lab}-bq-audit";

    /// <summary>The project's BigQuery Data Access audit log entries (Cloud Logging query language).</summary>
    public static string Filter(string project) =>
        $"logName=\"projects/{project}/logs/cloudaudit.googleapis.com%2Fdata_access\" AND protoPayload.serviceName=\"bigquery.googleapis.com\"";

    public void Build()
    {
        var gcp = lab.Gcp!;
        var options = new ResourceOptions(Gcp.GcpProvider.Name, Gcp.GcpProvider.Version);
        program.Add(new PulumiResource("service-logging", "gcp:projects/service:Service", YMap.Of(
            ("service", "logging.googleapis.com"),
            ("disableOnDestroy", false)), options));
        program.Add(new PulumiResource(BucketResource, "gcp:logging/projectBucketConfig:ProjectBucketConfig", YMap.Of(
            ("project", gcp.Project),
            ("location", Location),
            ("bucketId", BucketId(lab)),
            ("description", $"BigQuery data-access audit log of project {gcp.Project} for MIMIC lab {lab.Names.Lab} (study {lab.Study}); kept after the lab is destroyed. Managed by MimicInfra."),
            ("retentionDays", gcp.Hardening.AuditLogRetentionDays),
            ("locked", gcp.Hardening.AuditLogLocked)), options with { DependsOn = ["service-logging"], RetainOnDelete = true }));
        program.Add(new PulumiResource(SinkResource, "gcp:logging/projectSink:ProjectSink", YMap.Of(
            ("name", $"{lab.Names.Lab}-bq-audit"),
            ("project", gcp.Project),
            // A log bucket of the sink's own project: the sink is authorized without a grant to its writer identity.
            ("destination", $"logging.googleapis.com/${{{BucketResource}.name}}"),
            ("filter", Filter(gcp.Project)),
            ("uniqueWriterIdentity", true),
            ("description", $"Copies BigQuery data-access audit log entries to {BucketId(lab)} for MIMIC lab {lab.Names.Lab}.")), options));
        program.Output("bigqueryAuditLogBucket", $"${{{BucketResource}.name}}");
        program.Output("bigqueryAuditLogUrl", $"https://console.cloud.google.com/logs/query?project={gcp.Project}");
    }

    /// <summary>What `preview` says about the audit trail.</summary>
    public static string PreviewLine(LabSettings lab) =>
        $"  audit       BigQuery data-access log of project {lab.Gcp!.Project} copied to log bucket {BucketId(lab)} ({Location}), kept {lab.Gcp.Hardening.AuditLogRetentionDays} days; " +
        "the bucket stays after destroy (the _Default bucket keeps 30 days)" +
        (lab.Gcp.Hardening.AuditLogLocked
            ? $"; LOCKED: irreversible, its entries cannot be deleted nor its retention changed, and the bucket cannot be deleted until every entry is {lab.Gcp.Hardening.AuditLogRetentionDays} days old"
            : "; not locked (gcpAuditLogLocked): a logging admin of the project can delete it");
}
