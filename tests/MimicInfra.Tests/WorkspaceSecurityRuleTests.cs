namespace MimicInfra.Tests;

/// <summary>
/// Security rules on the notebook and its role, by Checkov and cdk-nag ids. Deliberate exceptions:
/// <list type="bullet">
/// <item>CKV_AWS_122 (direct internet access): on by default for open (demo) releases only, so `pip install` works
/// there, and on a credentialed release only when its stack sets notebookNetwork internet (the opt-in preview calls
/// open egress). Credentialed releases default to the lab's own VPC without internet (LabNetworkTests).</item>
/// <item>CKV_AWS_187 with resultsEncryption=s3: the lab then has no KMS key, and the volume uses
/// SageMaker's AWS-managed encryption.</item>
/// </list>
/// </summary>
public class WorkspaceSecurityRuleTests
{
    private static Dictionary<object, object> Notebook(ParsedProgram p) => p.Single("aws:sagemaker/notebookInstance:NotebookInstance");

    [Fact]
    public void CKV_AWS_307_RootAccessIsOff() => Assert.Equal("Disabled", Notebook(Workspace.Demo)["rootAccess"]);

    [Fact]
    public void CKV_AWS_187_VolumeIsEncryptedWithTheLabKey() => Assert.Equal("${labKey.arn}", Notebook(Workspace.Demo)["kmsKeyId"]);

    [Fact]
    public void CKV_AWS_187_Exception_NoLabKeyMeansAwsManagedEncryption() =>
        Assert.False(Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(("resultsEncryption", "s3"))))).ContainsKey("kmsKeyId"));

    [Fact]
    public void CKV_AWS_371_OnlyImdsV2() =>
        Assert.Equal("2", Notebook(Workspace.Demo).At("instanceMetadataServiceConfiguration", "minimumInstanceMetadataServiceVersion"));

    [Fact]
    public void CKV_AWS_122_DirectInternetIsTheOpenDemosDocumentedDefaultAndVpcModeTurnsItOff()
    {
        Assert.Equal("Enabled", Notebook(Workspace.Demo)["directInternetAccess"]);   // documented exception: an open release
        var vpc = Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(Workspace.Vpc))));
        Assert.Equal("Disabled", vpc["directInternetAccess"]);
        Assert.Equal("subnet-0123456789abcdef0", vpc["subnetId"]);
        Assert.Equal(new List<object> { "sg-0123456789abcdef0" }, vpc["securityGroups"]);
    }

    [Fact]
    public void CKV_AWS_274_AwsSolutions_IAM4_NoManagedPoliciesNoAdmin()
    {
        var role = Workspace.Demo.Resources.Single(r => r.Name == "notebookRole").Props;
        Assert.False(role.ContainsKey("managedPolicyArns"));
        Assert.Empty(Workspace.Demo.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"));
        Assert.Empty(Workspace.Demo.OfType("aws:iam/policy:Policy"));
        Assert.DoesNotContain(Workspace.Strings(Workspace.Demo.Root), s => s.Contains("FullAccess") || s.Contains("AdministratorAccess"));
    }

    [Fact]
    public void CKV_AWS_62_63_355_356_NoWildcardActionsOrResources()
    {
        // No service here lacks resource-level permissions for what the notebook does, so no statement needs "*".
        foreach (var program in new[] { Workspace.Demo, new ParsedProgram(Labs.Compile(Labs.Full31(Workspace.Vpc))) })
            foreach (var s in Workspace.Statements(program))
            {
                Assert.All(s["Action"].List().Cast<string>(), a => Assert.DoesNotContain("*", a));
                Assert.All(s["Resource"].List().Cast<string>(), r => Assert.NotEqual("*", r));
                // Every statement allows, but the one that ends the lab at expiry.
                Assert.Equal((string)s["Sid"] == "NothingOfTheLabAfterItExpires" ? "Deny" : "Allow", s["Effect"]);
            }
    }

    [Fact]
    public void CKV_AWS_60_61_OnlySageMakerMayAssumeTheRole()
    {
        var trust = Workspace.Demo.Resources.Single(r => r.Name == "notebookRole").Props.At("assumeRolePolicy", "fn::toJSON", "Statement").List();
        var s = Assert.Single(trust).Map();
        Assert.Equal("sts:AssumeRole", s["Action"]);
        Assert.Equal("sagemaker.amazonaws.com", s.At("Principal", "Service"));
        Assert.Single(s["Principal"].Map());
        // Confused deputy (prowler iam_role_cross_service_confused_deputy_prevention): SageMaker's guide documents
        // aws:SourceAccount for training, processing, Studio and other features, not for notebook instances, so the
        // account is checked when SageMaker sends it (IfExists) and a request without it still starts the notebook.
        Assert.Equal("${awsAccount.accountId}", s.At("Condition", "StringEqualsIfExists", "aws:SourceAccount"));
        Assert.Single(s["Condition"].Map());
    }

    [Fact]
    public void NoPassRoleAtAll() =>
        Assert.DoesNotContain(Workspace.Statements(Workspace.Demo).Where(s => (string)s["Effect"] == "Allow").SelectMany(s => s["Action"].List().Cast<string>()), a => a.StartsWith("iam:"));

    [Fact]
    public void EveryGrantedActionIsScopedToThisLab()
    {
        // The exact grants: each Sid says what the grant is for, so a new grant must be named and listed here.
        var grants = Workspace.Statements(Workspace.Demo).ToDictionary(s => (string)s["Sid"], s => s["Action"].List().Cast<string>().ToList());
        Assert.Equal(
        [
            "RunQueriesInTheLabWorkgroup", "ReadTheLabCatalog", "WriteQueryResults", "WriteItsScratch", "ListQueryResults", "ReadTheLabData", "ListTheLabData",
            "LocateTheLabBuckets", "UseTheLabKey", "WriteNotebookLogs", "StopItselfWhenIdle", "NothingOfTheLabAfterItExpires",
        ], grants.Keys);
        var byResource = Workspace.Statements(Workspace.Demo).ToDictionary(s => (string)s["Sid"], s => s["Resource"].List().Cast<string>().ToList());
        Assert.Equal(["${workgroup.arn}"], byResource["RunQueriesInTheLabWorkgroup"]);
        Assert.Equal(["${resultsBucket.arn}/results/*"], byResource["WriteQueryResults"]);
        Assert.Equal(["${resultsBucket.arn}/scratch/*"], byResource["WriteItsScratch"]);   // the one place it may delete: its own files
        Assert.Equal(["${dataBucket.arn}/tables/*", "${dataBucket.arn}/imports/*", "${dataBucket.arn}/lab/notebooks/*"], byResource["ReadTheLabData"]);
        Assert.Equal(["s3:GetObject"], grants["ReadTheLabData"]);   // the notebook can never rewrite the lab's data
        Assert.Equal(["${labKey.arn}"], byResource["UseTheLabKey"]);
        Assert.All(byResource["ReadTheLabCatalog"], r => Assert.Contains(":glue:us-east-1:${awsAccount.accountId}:", r));
        Assert.DoesNotContain(byResource["ReadTheLabCatalog"], r => r.Contains("_import"));   // never the import database
        // No source location at all: PhysioNet authorizes IAM users, never a role, and the notebook reads the lab's copy.
        Assert.DoesNotContain(byResource.Values.SelectMany(r => r), r => r.Contains("physionet-open") || r.Contains("accesspoint") || r.Contains("/staging/"));
        Assert.DoesNotContain(grants.Where(g => g.Key is not ("WriteItsScratch" or "NothingOfTheLabAfterItExpires")).SelectMany(g => g.Value), a => a is "s3:DeleteObject" or "s3:PutBucketPolicy" or "glue:CreateTable" or "glue:DeleteTable");
        Assert.Equal(["arn:${awsPartition.partition}:sagemaker:us-east-1:${awsAccount.accountId}:notebook-instance/mimic-demo-researc-demo-0cb55dbb"], byResource["StopItselfWhenIdle"]);
    }
}
