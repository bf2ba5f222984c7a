namespace MimicInfra.Tests;

/// <summary>
/// GCP security rules by Checkov id. Deliberate exception: CKV_GCP_81 (customer-managed encryption keys) by
/// default: the lab's view datasets hold no data (the views read PhysioNet's tables), and the lab never creates a
/// key, because Cloud KMS keys cannot be deleted (only their key versions can be destroyed), so a key of the lab's
/// own would outlive every `pulumi destroy` and teardown would no longer be one command. A stack that has a key
/// names it (gcpKmsKey: the scratch dataset's default encryption; gcpWorkbenchKmsKey: the Workbench disks); the
/// lab uses it and grants nothing on it: a grant to the project's BigQuery or Compute service agent is shared by
/// every lab and workload of the project that uses the key, so one lab's destroy would revoke it for all.
/// </summary>
public class GcpSecurityRuleTests
{
    private static readonly ParsedProgram Lab = new(Labs.Compile(Gcp.Only31(Gcp.Workbench)));

    [Fact]
    public void CKV_GCP_15_CKV_GCP_100_NothingIsPublic()
    {
        var strings = Workspace.Strings(Lab.Root).ToList();
        Assert.DoesNotContain(strings, s => s.Contains("allUsers") || s.Contains("allAuthenticatedUsers"));
        Assert.Empty(Lab.OfType("gcp:bigquery/datasetAccess:DatasetAccess"));
        Assert.All(Lab.OfType("gcp:bigquery/dataset:Dataset"), d => Assert.All(d.Props["accesses"].List(), e =>
            Assert.Empty(e.Map().Keys.Cast<string>().Intersect(["specialGroup", "iamMember", "domain"]))));
    }

    [Fact]
    public void CKV_GCP_81_Exception_NoCmekSoTeardownStaysOneCommand()
    {
        Assert.All(Lab.OfType("gcp:bigquery/dataset:Dataset"), d => Assert.False(d.Props.ContainsKey("defaultEncryptionConfiguration")));
        Assert.DoesNotContain(Lab.Resources, r => r.Type.StartsWith("gcp:kms/", StringComparison.Ordinal));
    }

    [Fact]
    public void CKV_GCP_81_TheStacksOwnKeyEncryptsScratchAndTheLabNeverCreatesOrGrantsOne()
    {
        const string key = "projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/scratch";
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, ("gcpKmsKey", key)])));
        Assert.Equal(key, p.Named("dataset-scratch").At("defaultEncryptionConfiguration", "kmsKeyName"));
        // The views hold no data: nothing to encrypt there.
        Assert.All(p.OfType("gcp:bigquery/dataset:Dataset").Where(d => d.Name != "dataset-scratch"), d => Assert.False(d.Props.ContainsKey("defaultEncryptionConfiguration")));
        Assert.DoesNotContain(p.Resources, r => r.Type.StartsWith("gcp:kms/", StringComparison.Ordinal));
        Assert.False(p.Single("gcp:workbench/instance:Instance").At("gceSetup").Map().ContainsKey("bootDisk"));
    }

    [Fact]
    public void CKV2_GCP_28_WorkbenchHasNoPublicIpAndIsShieldedAndStopsWhenIdle()
    {
        var wb = Lab.Single("gcp:workbench/instance:Instance");
        Assert.Equal("true", wb.At("gceSetup", "disablePublicIp"));
        foreach (var k in new[] { "enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring" })
            Assert.Equal("true", wb.At("gceSetup", "shieldedInstanceConfig", k));
        Assert.Equal("3600", wb.At("gceSetup", "metadata", "idle-timeout-seconds"));
        Assert.Equal("true", wb.At("gceSetup", "metadata", "notebook-disable-root"));
        Assert.Equal(new List<object> { "jdoe@example.org" }, wb["instanceOwners"]);
    }

    [Fact]
    public void WorkbenchHasNoServiceAccountOfItsOwnAndNoRolesForOne()
    {
        // Managed end-user credentials and a custom service account are mutually exclusive (Google refuses it).
        var wb = Lab.Single("gcp:workbench/instance:Instance");
        Assert.Equal("true", wb["enableManagedEuc"]);
        Assert.False(wb.Map()["gceSetup"].Map().ContainsKey("serviceAccounts"));
        // The one service account of a lab is the expiry stop's, which may only stop this instance.
        Assert.Equal(["expiryServiceAccount"], Lab.Resources.Where(r => r.Type == "gcp:serviceaccount/account:Account").Select(r => r.Name));
        Assert.All(Workspace.Strings(Lab.Root).Where(s => s.StartsWith("serviceAccount:")), s => Assert.Contains("${expiryServiceAccount.email}", s));
    }

    [Fact]
    public void ApisStayOnWhenTheLabGoes() =>
        Assert.All(Lab.OfType("gcp:projects/service:Service"), s => Assert.Equal("false", s.Props["disableOnDestroy"]));
}
