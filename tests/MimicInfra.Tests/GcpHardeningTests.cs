using MimicInfra.Check;
using MimicInfra.Cli;
using MimicInfra.Lab;
using YamlDotNet.Serialization;

namespace MimicInfra.Tests;

/// <summary>
/// Security for credentialed data on GCP, by rule id: dataset access lists (BigQuery's default access), Workbench VM and JupyterLab
/// (CIS GCP 4.3, 4.4; CKV_GCP_32, CKV_GCP_33), customer-managed keys (CKV_GCP_81, see GcpSecurityRuleTests for the
/// exception), and the BigQuery data-access audit trail (CIS GCP 2.1, 2.2).
/// </summary>
public class GcpHardeningTests
{
    private const string ScratchKey = "projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/scratch";
    private const string DiskKey = "projects/mimic-keys-1/locations/us-central1/keyRings/labs/cryptoKeys/disks";

    private static ParsedProgram Program(params (string, string)[] extra) => new(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, .. extra])));

    private static string Text(params (string, string)[] extra) => Labs.Compile(Gcp.Only31([.. Gcp.Workbench, .. extra]));

    private static string Mutated(Action<ParsedProgram> change)
    {
        var p = new ParsedProgram(Text());
        change(p);
        return new SerializerBuilder().Build().Serialize(p.Root);
    }

    private static Dictionary<object, object> Metadata(ParsedProgram p) => p.Single("gcp:workbench/instance:Instance").At("gceSetup", "metadata").Map();

    [Fact]
    public void BigQueryDefaultAccess_EveryDatasetHasItsOwnListNamingTheDeployerAsOwner()
    {
        var p = Program();
        var datasets = p.OfType("gcp:bigquery/dataset:Dataset");
        Assert.Equal(6, datasets.Count);
        Assert.All(datasets, d => Assert.Equal(new Dictionary<object, object> { ["role"] = "OWNER", ["userByEmail"] = "${gcpDeployer.email}" }, d.Props["accesses"].List()[0]));
        // The deployer is read from the gcp provider's credentials when the program runs, so the OWNER entry names
        // whoever applies the list: a deploy cannot lock itself out of the datasets it manages.
        var invoke = p.Root["variables"].Map()["gcpDeployer"].Map()["fn::invoke"].Map();
        Assert.Equal("gcp:organizations/getClientOpenIdUserInfo:getClientOpenIdUserInfo", invoke["function"]);
        Assert.Equal("${gcpProvider}", invoke.At("options", "provider"));
        // No dataset IAM or access resources beside the lists: they would overwrite each other on every update.
        Assert.DoesNotContain(p.Resources, r => r.Type.StartsWith("gcp:bigquery/datasetIam", StringComparison.Ordinal) || r.Type == "gcp:bigquery/datasetAccess:DatasetAccess");
        Assert.Empty(LabRules.Check(Text()));
    }

    [Fact]
    public void BigQueryDefaultAccess_CheckRefusesADatasetThatWouldTakeBigQuerysDefaults()
    {
        var without = Mutated(p => p.Named("dataset-hosp").Remove("accesses"));
        Assert.Equal("dataset-hosp: a lab dataset needs its own access list (accesses); without one BigQuery admits the project's Viewers, Editors and Owners",
            Assert.Single(LabRules.Check(without)).ToString());

        var projectReaders = Mutated(p => p.Named("dataset-scratch")["accesses"].List().Add(new Dictionary<object, object> { ["role"] = "READER", ["specialGroup"] = "projectReaders" }));
        Assert.Equal("dataset-scratch: its access list admits specialGroup projectReaders; a lab dataset admits only its members and the deployer",
            Assert.Single(LabRules.Check(projectReaders)).ToString());

        var noOwner = Mutated(p => p.Named("dataset-icu")["accesses"].List().RemoveAt(0));
        Assert.Equal("dataset-icu: its access list has no OWNER: the deployer would lose the dataset", Assert.Single(LabRules.Check(noOwner)).ToString());

        var iamMember = Mutated(p => ((Dictionary<object, object>)p.Root["resources"])["reader-1-hosp"] = new Dictionary<object, object>
        {
            ["type"] = "gcp:bigquery/datasetIamMember:DatasetIamMember",
            ["properties"] = new Dictionary<object, object> { ["datasetId"] = "${dataset-hosp.datasetId}", ["role"] = "roles/bigquery.dataViewer", ["member"] = "user:jdoe@example.org" },
        });
        Assert.StartsWith("reader-1-hosp: gcp:bigquery/datasetIamMember:DatasetIamMember beside a dataset's own access list", Assert.Single(LabRules.Check(iamMember)).ToString());
    }

    [Fact]
    public void CIS_GCP_4_3_CKV_GCP_32_WorkbenchBlocksProjectWideSshKeys()
    {
        Assert.Equal("true", Metadata(Program())["block-project-ssh-keys"]);
        var off = Mutated(p => Metadata(p)["block-project-ssh-keys"] = "false");
        Assert.Equal("workbench: gceSetup.metadata.block-project-ssh-keys must be \"true\" (CIS GCP 4.3)", Assert.Single(LabRules.Check(off)).ToString());
    }

    [Fact]
    public void CIS_GCP_4_4_CKV_GCP_33_WorkbenchUsesOsLogin()
    {
        Assert.Equal("true", Metadata(Program())["enable-oslogin"]);
        var gone = Mutated(p => Metadata(p).Remove("enable-oslogin"));
        Assert.Equal("workbench: gceSetup.metadata.enable-oslogin must be \"true\" (CIS GCP 4.4)", Assert.Single(LabRules.Check(gone)).ToString());
    }

    [Fact]
    public void WorkbenchDownloadsAndTheTerminalAreOffByDefaultForCredentialedReleasesAndBothAreSettings()
    {
        var byDefault = Metadata(Program());
        Assert.Equal("true", byDefault["notebook-disable-downloads"]);
        Assert.Equal("true", byDefault["notebook-disable-terminal"]);
        Assert.Equal("true", byDefault["notebook-disable-root"]);
        var flipped = Metadata(Program(("gcpWorkbenchDisableDownloads", "false"), ("gcpWorkbenchDisableTerminal", "false")));
        Assert.Equal("false", flipped["notebook-disable-downloads"]);
        Assert.Equal("false", flipped["notebook-disable-terminal"]);
    }

    [Fact]
    public void CKV_GCP_81_WorkbenchDisksUseTheStacksKeyWhenItNamesOne()
    {
        var setup = Program(("gcpWorkbenchKmsKey", DiskKey)).Single("gcp:workbench/instance:Instance").At("gceSetup").Map();
        Assert.Equal(new Dictionary<object, object> { ["diskEncryption"] = "CMEK", ["kmsKey"] = DiskKey }, setup["bootDisk"]);
        Assert.Equal(new Dictionary<object, object> { ["diskEncryption"] = "CMEK", ["kmsKey"] = DiskKey }, setup["dataDisks"]);
        Assert.False(Program().Single("gcp:workbench/instance:Instance").At("gceSetup").Map().ContainsKey("dataDisks"));
    }

    [Fact]
    public void TheKeysGrantsAreAnOutputNamingTheRealServiceAgentsAndTheLabMakesNone()
    {
        var p = Program(("gcpKmsKey", ScratchKey), ("gcpWorkbenchKmsKey", DiskKey));
        Assert.Equal(new List<object>
        {
            $"roles/cloudkms.cryptoKeyEncrypterDecrypter on {ScratchKey} to serviceAccount:${{bigqueryServiceAgent.email}} (BigQuery, scratch dataset)",
            $"roles/cloudkms.cryptoKeyEncrypterDecrypter on {DiskKey} to serviceAccount:service-${{gcpProjectInfo.number}}@compute-system.iam.gserviceaccount.com (Compute Engine, Workbench disks)",
        }, p.Outputs["kmsGrantsNeeded"]);
        var variables = p.Root["variables"].Map();
        Assert.Equal("gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount", variables["bigqueryServiceAgent"].Map()["fn::invoke"].At("function"));
        Assert.Equal("mimic-research-1", variables["bigqueryServiceAgent"].Map()["fn::invoke"].At("arguments", "project"));
        Assert.DoesNotContain(p.Resources, r => r.Type.Contains("kms", StringComparison.OrdinalIgnoreCase) || r.Type.Contains("IAMMember") && ((string)r.Props["member"]).Contains("serviceAgent"));
        Assert.False(Program().Outputs.ContainsKey("kmsGrantsNeeded"));
        Assert.False(Program().Root["variables"].Map().ContainsKey("bigqueryServiceAgent"));
    }

    [Theory]
    [InlineData("gcpKmsKey", "projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/scratch/cryptoKeyVersions/1", "mimic-infra:gcpKmsKey: 'projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/scratch/cryptoKeyVersions/1' must name an existing Cloud KMS key as projects/PROJECT/locations/us/keyRings/RING/cryptoKeys/KEY (the key itself, not a key version)")]
    [InlineData("gcpKmsKey", "projects/mimic-keys-1/locations/us-central1/keyRings/labs/cryptoKeys/scratch", "mimic-infra:gcpKmsKey: 'projects/mimic-keys-1/locations/us-central1/keyRings/labs/cryptoKeys/scratch' is in location us-central1, but the scratch dataset is in the US multi-region, which takes only keys of location us; name a key of location us.")]
    [InlineData("gcpKmsKey", "projects/x${gcpProvider.id}/locations/us/keyRings/labs/cryptoKeys/k", "must name an existing Cloud KMS key")]   // never reaches Pulumi's interpolation
    [InlineData("gcpWorkbenchKmsKey", "projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/disks", "mimic-infra:gcpWorkbenchKmsKey: 'projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/disks' is in location us, but the Workbench instance's disks are in region us-central1 and take a key of that region")]
    [InlineData("gcpAuditLogRetentionDays", "0", "mimic-infra:gcpAuditLogRetentionDays: 0 is out of range; use 1..3650.")]
    [InlineData("gcpWorkbenchDisableDownloads", "yes", "mimic-infra:gcpWorkbenchDisableDownloads: 'yes' is not true or false.")]
    public void BadHardeningSettingsAreRejected(string key, string value, string expected)
    {
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Gcp.Only31([.. Gcp.Workbench, (key, value)]), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("gcpWorkbenchKmsKey", DiskKey)]
    [InlineData("gcpWorkbenchDisableTerminal", "true")]
    public void WorkbenchSettingsWithoutAWorkbenchAreRejected(string key, string value)
    {
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Gcp.Only31((key, value)), Labs.Catalog));
        Assert.Contains($"mimic-infra:{key}: the lab has no Workbench instance (gcpWorkbench false); remove the setting.", e.Message);
    }

    [Fact]
    public void CIS_GCP_2_2_BigQueryDataAccessEntriesAreKeptInTheLabsOwnLogBucket()
    {
        var p = Program(("gcpAuditLogRetentionDays", "400"));
        var bucket = p.Resources.Single(r => r.Name == "bigqueryAuditLogBucket");
        Assert.Equal("gcp:logging/projectBucketConfig:ProjectBucketConfig", bucket.Type);
        Assert.Equal("400", bucket.Props["retentionDays"]);
        Assert.Equal("us", bucket.Props["location"]);
        Assert.Equal("true", bucket.Props["locked"]);   // credentialed release: locked by default (GcpBoundaryTests)
        var sink = p.Single("gcp:logging/projectSink:ProjectSink");
        Assert.Equal("logging.googleapis.com/${bigqueryAuditLogBucket.name}", sink["destination"]);
        Assert.Equal("logName=\"projects/mimic-research-1/logs/cloudaudit.googleapis.com%2Fdata_access\" AND protoPayload.serviceName=\"bigquery.googleapis.com\"", sink["filter"]);
        Assert.Equal("365", Program().Named("bigqueryAuditLogBucket")["retentionDays"]);
        Assert.Equal("${bigqueryAuditLogBucket.name}", p.Outputs["bigqueryAuditLogBucket"]);
    }

    [Fact]
    public void CIS_GCP_2_1_TheAuditRecordOutlivesDestroyAndARecreatedLabTakesItOver()
    {
        // Retained on destroy (a deleted log bucket is purged after 7 days, which would cut the retention short);
        // its id is fixed by the stack, so the re-created lab's create finds the kept bucket and updates it.
        var bucket = Program().Resources.Single(r => r.Name == "bigqueryAuditLogBucket");
        Assert.Equal("true", bucket.Options!["retainOnDelete"]);
        Assert.Equal(bucket.Props["bucketId"], Program().Named("bigqueryAuditLogBucket")["bucketId"]);
        Assert.Matches("^[a-z0-9-]{1,100}$", (string)bucket.Props["bucketId"]);
        // The sink is only a route: it goes with the lab.
        Assert.Null(Program().Resources.Single(r => r.Name == "bigqueryAuditLogSink").Options!.GetValueOrDefault("retainOnDelete"));
        // Two labs in one project never share a bucket or a sink.
        var other = new ParsedProgram(Labs.Compile(Labs.Config("other", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("aws", "false"), .. Gcp.Settings])));
        Assert.NotEqual(bucket.Props["bucketId"], other.Named("bigqueryAuditLogBucket")["bucketId"]);
        Assert.NotEqual(Program().Named("bigqueryAuditLogSink")["name"], other.Named("bigqueryAuditLogSink")["name"]);
    }

    [Fact]
    public void PreviewSaysWhoIsAdmittedWhichKeysAndWhereTheAuditLogGoes()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31([.. Gcp.Workbench, ("gcpKmsKey", ScratchKey)]), Labs.Catalog);
        var preview = LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("  acl         each dataset admits only gcpMembers and the account running `pulumi up` (OWNER)", preview);
        Assert.Contains($"  key         scratch under {ScratchKey}; grant roles/cloudkms.cryptoKeyEncrypterDecrypter on it to bq-PROJECT_NUMBER@bigquery-encryption.iam.gserviceaccount.com", preview);
        Assert.Contains("  audit       BigQuery data-access log of project mimic-research-1 copied to log bucket mimic-jdoe-sepsis-", preview);
        Assert.Contains("  jupyter     no root, no project SSH keys, OS Login, no downloads, no terminal", preview);
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("plain")]
    public void GcpLabsPassTheirOwnRulesAndTheSchemas(string variant)
    {
        var text = variant == "keys" ? Text(("gcpKmsKey", ScratchKey), ("gcpWorkbenchKmsKey", DiskKey)) : Labs.Compile(Gcp.Combined());
        Assert.Empty(LabRules.Check(text));
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(text).Problems);
    }
}
