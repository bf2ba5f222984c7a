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
public sealed class GcpDataAccessLog(ProgramBuilder program, GcpDataAccessLogArgs args)
{
    public const string BucketResource = "bigqueryAuditLogBucket";
    public const string SinkResource = "bigqueryAuditLogSink";
    public const string Location = "us";

    public static string BucketId(LabNames names) => $"{names.Lab}-bq-audit";

    /// <summary>The project's BigQuery Data Access audit log entries (Cloud Logging query language).</summary>
    public static string Filter(string project) =>
        $"logName=\"projects/{project}/logs/cloudaudit.googleapis.com%2Fdata_access\" AND protoPayload.serviceName=\"bigquery.googleapis.com\"";

    public void Build()
    {
        var names = args.Names;
        var project = args.Project;
        var options = GcpProvider.Options();
        var logging = program.Add("service-logging", "gcp:projects/service:Service", YMap.Of(
            ("service", "logging.googleapis.com"),
            ("disableOnDestroy", false)), options);
        var bucket = program.Add(BucketResource, "gcp:logging/projectBucketConfig:ProjectBucketConfig", YMap.Of(
            ("project", project),
            ("location", Location),
            ("bucketId", BucketId(names)),
            ("description", $"BigQuery data-access audit log of project {project} for MIMIC lab {names.Lab} (study {args.Study}); kept after the lab is destroyed. Managed by MimicInfra."),
            ("retentionDays", args.RetentionDays),
            ("locked", args.Locked)), GcpProvider.OptionsAfter(logging) with { RetainOnDelete = true });
        program.Add(SinkResource, "gcp:logging/projectSink:ProjectSink", YMap.Of(
            ("name", $"{names.Lab}-bq-audit"),
            ("project", project),
            // A log bucket of the sink's own project: the sink is authorized without a grant to its writer identity.
            ("destination", $"logging.googleapis.com/{bucket.Out("name")}"),
            ("filter", Filter(project)),
            ("uniqueWriterIdentity", true),
            ("description", $"Copies BigQuery data-access audit log entries to {BucketId(names)} for MIMIC lab {names.Lab}.")), options);
        program.Output("bigqueryAuditLogBucket", bucket.Out("name"));
        program.Output("bigqueryAuditLogUrl", $"https://console.cloud.google.com/logs/query?project={project}");
    }

    /// <summary>What `preview` says about the audit trail.</summary>
    public static string PreviewLine(LabSettings lab) =>
        $"  audit       BigQuery data-access log of project {lab.Gcp!.Project} copied to log bucket {BucketId(lab.Names)} ({Location}), kept {lab.Gcp.Hardening.AuditLogRetentionDays} days; " +
        "the bucket stays after destroy (the _Default bucket keeps 30 days)" +
        (lab.Gcp.Hardening.AuditLogLocked
            ? $"; LOCKED: irreversible, its entries cannot be deleted nor its retention changed, and the bucket cannot be deleted until every entry is {lab.Gcp.Hardening.AuditLogRetentionDays} days old"
            : "; not locked (gcpAuditLogLocked): a logging admin of the project can delete it");
}

/// <summary>What the BigQuery data-access log needs: the lab's names and study, the project, and how long and how firmly it keeps the entries.</summary>
public sealed record GcpDataAccessLogArgs
{
    public required LabNames Names { get; init; }
    public required string Study { get; init; }
    public required string Project { get; init; }

    /// <summary>Days the log bucket keeps each entry (gcpAuditLogRetentionDays).</summary>
    public required int RetentionDays { get; init; }

    /// <summary>Whether the log bucket is locked (gcpAuditLogLocked): irreversible.</summary>
    public required bool Locked { get; init; }
}
