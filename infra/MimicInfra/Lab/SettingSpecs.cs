namespace MimicInfra.Lab;

/// <summary>One lab setting as Pulumi's project config declares it (Pulumi.yaml `config:`).</summary>
public sealed record SettingSpec(string Key, string Type, object? Default, string Description);

/// <summary>
/// Every lab setting. Pulumi.yaml declares exactly these (a test keeps the two in step), and the reader
/// rejects any other key in the project's namespace.
/// </summary>
public static class SettingSpecs
{
    public const long DefaultBytesScannedCutoff = 10L * 1024 * 1024 * 1024;
    public const long DefaultImportBytesScannedCutoff = 100L * 1024 * 1024 * 1024;

    public static readonly IReadOnlyList<SettingSpec> All =
    [
        new("release", "string", null, "MIMIC release id from the catalog, e.g. mimic-iv-3.1 or mimic-iv-demo-2.2 (`catalog list`)."),
        new("modules", "array", null, "Modules of the release to include, e.g. [hosp, icu]. Default: all of them."),
        new("researcher", "string", null, "Researcher id (letters, digits, . _ @ + -), used in names and tags; an e-mail address appears there only as an opaque id derived from it (r-<hash>)."),
        new("study", "string", null, "Study id (letters, digits, . _ -), used in names and tags."),
        new("expires", "string", null, "Date the study ends, YYYY-MM-DD; tagged on every resource."),
        new("tags", "array", null, "Extra tags as key=value strings, e.g. [cost-center=1234]."),
        new("aws", "boolean", true, "Build the AWS side of the lab."),
        new("awsAccountId", "string", null, "The AWS account (12 digits) the lab must be deployed to; a deploy with other credentials fails before any change. Default: no binding."),
        new("sourceUri", "string", null, "Where the release's files are: the S3 URI PhysioNet shows on the project page (s3://arn:aws:s3:...:accesspoint/NAME/<project>/<version>/ for credentialed releases) or any s3:// folder holding the module folders. Default: PhysioNet's open bucket (open releases) or Parquet copy (physionet-parquet); required otherwise."),
        new("moduleSources", "array", null, "Per-module S3 folders as module=s3://... strings, for modules that live elsewhere (e.g. ed=s3://.../mimic-iv-ed/2.2/ed/)."),
        new("sourceLayout", "string", "physionet-csv", "physionet-csv (PhysioNet's CSV files as published), physionet-parquet (PhysioNet's own Parquet copy: MIMIC-IV 2.2, MIMIC-III 1.4) or table-parquet (your own Parquet copy, one folder per table in catalog types)."),
        new("derivedSourceUri", "string", null, "S3 folder of the derived concept tables as Parquet in catalog types, one folder per table (what `local --concepts DIR --parquet OUT` writes as OUT/derived/). Default: PhysioNet's derived copy (physionet-parquet) or <sourceUri>derived/ (table-parquet); otherwise no derived tables on AWS."),
        new("sourceInPlace", "boolean", false, "Query a table-parquet source where it is instead of importing it into the lab's own copy (it must be in exact catalog types, and a bucket, not an access point)."),
        new("importBytesScannedCutoff", "integer", DefaultImportBytesScannedCutoff, "Per-query scan cap of the import workgroup (the one-time copy reads each source file once; at least 10000000)."),
        new("athenaBytesScannedCutoff", "integer", DefaultBytesScannedCutoff, "Per-query cap on bytes Athena may scan (cost guard; at least 10000000)."),
        new("resultsRetentionDays", "integer", 30L, "Days Athena query results are kept in the lab bucket."),
        new("keepResultsOnDestroy", "boolean", false, "Keep the results bucket and its objects when the lab is destroyed."),
        new("resultsEncryption", "string", "kms", "kms (a per-lab KMS key, rotated) or s3 (S3-managed keys, for accounts that cannot create KMS keys)."),
        new("notebook", "boolean", true, "Give the researcher a SageMaker notebook instance (off for accounts that cannot create IAM roles)."),
        new("notebookInstanceType", "string", "ml.t3.medium", "SageMaker instance type of the notebook."),
        new("notebookVolumeSizeGb", "integer", 20L, "Size of the notebook's encrypted volume in GB (5-16384)."),
        new("notebookIdleMinutes", "integer", 60L, "Stop the notebook after this many minutes without Jupyter activity (5-1440)."),
        new("notebookNetwork", "string", null, "lab-vpc (a private subnet the lab creates, no internet, only endpoints of the AWS services the notebook uses), vpc (your own notebookSubnetId, no direct internet) or internet (direct internet access, so pip install works; egress is open). Default: lab-vpc for credentialed releases, internet for open ones; internet on a credentialed release is an explicit opt-in."),
        new("notebookSubnetId", "string", null, "Subnet of the notebook, required with notebookNetwork vpc (subnet-...)."),
        new("notebookSecurityGroupIds", "array", null, "Security groups of the notebook, required with notebookNetwork vpc (sg-...)."),
        new("auditTrail", "string", null, "Where the lab's AWS audit trail is: lab (the lab creates a multi-region trail of management events and S3 data events on its buckets, with log file validation, KMS, its own bucket), organization:<trail ARN> (the organization trail that already covers the account; preview prints how to check it) or none (open releases only). Default: lab for credentialed releases, none for open ones."),
        new("auditRetentionDays", "integer", 365L, "Days the lab trail's records (log files, digest files, exported Athena query history) are kept (90-3650); with auditTrail lab."),
        new("auditKeepOnDestroy", "boolean", true, "Keep the trail bucket, its guards and the lab key when the lab is destroyed, so the records outlive the lab until auditRetentionDays; with auditTrail lab."),
        new("notebookAvailabilityZone", "string", null, "With notebookNetwork lab-vpc: the Availability Zone of the lab's subnet, notebook and endpoints (e.g. us-east-1b), for when the instance type is not offered in the default one. Default: the first Availability Zone (by name) where every interface endpoint the lab uses is offered, chosen at the first deploy and kept."),
        new("researcherPrincipalArn", "string", null, "The researcher's IAM user (arn:aws:iam::ACCOUNT:user/NAME), the one PhysioNet verified; required for credentialed releases on AWS. The lab's buckets and key then admit only it, the notebook's role and the deployer (the data perimeter), and the stack output researcherPolicy is its ready IAM policy."),
        new("kmsDeletionWindowDays", "integer", 30L, "Days a deleted lab key waits before it is gone, during which it can be restored (7-30)."),
        new("glueCatalogKmsKeyArn", "string", null, "The KMS key of the account's Glue Data Catalog encryption, where the platform turns it on (an account setting, not the lab's): the notebook, the import and the researcher's policy may then use it, as Athena needs. Default: the catalog is not encrypted with a customer key."),
        new("deployerDataAccess", "string", null, "none (the deployer administers the lab's buckets and key but reads no object of the data or results and cannot decrypt with the key) or read (the deployer reads them too). Default: none for credentialed releases, read for open ones."),
        new("budgetMonthlyUsd", "integer", null, "A monthly AWS budget for the lab in USD, with e-mail alerts at 80 % and 100 %. Default: no budget."),
        new("budgetEmails", "array", null, "Who the budget alerts go to; required with budgetMonthlyUsd."),
        new("athenaDmlTimeoutQuota", "integer", null, "Athena's DML query timeout (minutes, 30-240; quota L-E80DC288) the lab requests for the account so the import's largest tables can finish, or 0 for no request. An account-wide request that AWS approves in minutes to days; nothing is undone on destroy. Default: 240 when the import's time model says a table may need more than 30 minutes, else none."),
        new("gcp", "boolean", false, "Build the GCP side of the lab: BigQuery views over physionet-data in gcpProject."),
        new("gcpProject", "string", null, "The researcher's GCP project id (queries are billed there); required with gcp."),
        new("gcpLocation", "string", "US", "BigQuery location of the lab datasets; must be US, where physionet-data lives (a view reads only its own location)."),
        new("gcpMembers", "array", null, "Who may use the lab: user:, group: or serviceAccount: members; required with gcp."),
        new("gcpDerived", "boolean", true, "Offer the release's derived concept tables (mimiciv_derived) as views pinned to its versioned derived dataset (mimic-iv-3.1: physionet-data.mimiciv_3_1_derived), where the release has one."),
        new("gcpScratchExpirationDays", "integer", 30L, "Default expiration of tables in the scratch dataset, in days."),
        new("gcpDailyQueryGibPerUser", "integer", CostGuards.GcpCostGuards.DefaultDailyQueryGibPerUser, "BigQuery quota on the lab's project: GiB each user's queries may process per day (1-204800; cost guard)."),
        new("gcpMaxBytesBilledPerQuery", "integer", CostGuards.GcpCostGuards.DefaultMaxBytesBilledPerQuery, "Per-query byte cap the BigQuery example notebook sets (maximum_bytes_billed; at least 10485760)."),
        new("gcpKeepScratchOnDestroy", "boolean", false, "Keep the scratch dataset and its tables when the lab is destroyed."),
        new("gcpWorkbench", "boolean", false, "Give the researcher a Vertex AI Workbench instance (no public IP, shielded VM, idle shutdown)."),
        new("gcpWorkbenchOwner", "string", null, "The one researcher (e-mail) who owns the Workbench instance; required with gcpWorkbench."),
        new("gcpWorkbenchMachineType", "string", "e2-standard-4", "Machine type of the Workbench instance."),
        new("gcpWorkbenchZone", "string", "us-central1-a", "Zone of the Workbench instance."),
        new("gcpWorkbenchSubnet", "string", null, "Subnetwork of the Workbench instance (projects/P/regions/R/subnetworks/S) with Private Google Access on (the instance has no public IP); required with gcpWorkbench."),
        new("gcpWorkbenchNetwork", "string", null, "The VPC network of gcpWorkbenchSubnet (projects/P/global/networks/N); required with gcpWorkbench."),
        new("gcpWorkbenchIdleMinutes", "integer", 60L, "Shut the Workbench instance down after this many idle minutes (10-1440)."),
        new("gcpKmsKey", "string", null, "An existing Cloud KMS key of location us (projects/P/locations/us/keyRings/R/cryptoKeys/K) that encrypts the scratch dataset's tables by default; the BigQuery service agent bq-PROJECT_NUMBER@bigquery-encryption.iam.gserviceaccount.com needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it. The lab never creates or deletes a key. Default: Google-managed keys."),
        new("gcpWorkbenchKmsKey", "string", null, "An existing Cloud KMS key in the Workbench instance's region that encrypts its boot and data disks; the Compute Engine service agent service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it. Setting or changing it replaces the instance. Default: Google-managed keys."),
        new("gcpAuditLogRetentionDays", "integer", (long)Gcp.GcpHardening.DefaultAuditLogRetentionDays, "Days the lab's log bucket keeps the project's BigQuery data-access audit log entries (1-3650); the bucket outlives `pulumi destroy` so the record does."),
        new("gcpWorkbenchDisableDownloads", "boolean", true, "Turn off file downloads from JupyterLab on the Workbench instance (notebook-disable-downloads)."),
        new("gcpWorkbenchDisableTerminal", "boolean", null, "Turn off JupyterLab's terminal on the Workbench instance (notebook-disable-terminal). Default: true for credentialed releases, false for open ones."),
        new("gcpAuditLogLocked", "boolean", null, "Lock the lab's audit log bucket: its entries then cannot be deleted before gcpAuditLogRetentionDays, its retention cannot be changed (not even lengthened), and the bucket cannot be deleted until every entry has expired. Irreversible. Default: true for credentialed releases, false for open ones."),
        new("gcpAccessPolicy", "string", null, "The numeric id of an Access Context Manager access policy (the organization's, or one scoped to gcpProject) under which the lab creates a VPC Service Controls perimeter around gcpProject restricting BigQuery, Cloud Storage and Notebooks. Default: no perimeter."),
        new("gcpPerimeterDryRun", "boolean", false, "Create the perimeter in dry-run mode: violations are logged, nothing is blocked (to test a perimeter before enforcing it); with gcpAccessPolicy."),
        new("gcpPerimeterAccessLevel", "string", null, "An access level (accessPolicies/ID/accessLevels/NAME) the lab's members must meet to reach the perimeter from outside (e.g. the organization's network or managed devices); with gcpAccessPolicy. Default: members reach it from anywhere."),
        new("gcpRestrictedGoogleApis", "boolean", null, "Resolve Google APIs on gcpWorkbenchNetwork to restricted.googleapis.com (a private DNS zone for googleapis.com and the Workbench domains, and a route to 199.36.153.4/30), so the Workbench instance reaches only APIs VPC Service Controls enforces; with gcpWorkbench. Default: true with gcpAccessPolicy and gcpWorkbench, false otherwise."),
    ];

    public static SettingSpec? Find(string key) => All.FirstOrDefault(s => s.Key == key);
}
