using System.Text.RegularExpressions;
using MimicInfra.Aws.Perimeter;
using MimicInfra.Check;
using MimicInfra.Cli;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// The perimeter's controls, one test each: what the program holds, and that `check` refuses a program that lost it. The
/// intent matrix (IntentMatrixTests) proves with an IAM engine that the statements do what these tests say they hold.
/// </summary>
public class PerimeterControlTests
{
    private static (LabSettings Lab, string Text, ParsedProgram Program) Compiled(StackConfig stack)
    {
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        var text = Program.ProgramYaml.Write(LabCompiler.Compile(lab));
        return (lab, text, new ParsedProgram(text));
    }

    private static List<Dictionary<object, object>> Statements(ParsedProgram p, string resource) =>
        p.Named(resource).At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();

    private static Dictionary<object, object> Sid(IEnumerable<Dictionary<object, object>> statements, string sid) => statements.Single(s => (string)s["Sid"] == sid);

    /// <summary>The program with one statement's Effect turned from Deny to Allow (a control lost by an edit).</summary>
    private static string Without(string text, string sid)
    {
        var changed = Regex.Replace(text, $@"(Sid: {sid}\n\s+Effect: )Deny", "${1}Allow");
        Assert.NotEqual(text, changed);
        return changed;
    }

    private static string Problems(LabSettings lab, string text) => string.Join("\n", LabRules.Check(text, lab).Select(p => $"{p.Where}: {p.Message}"));

    [Fact]
    public void TheNotebookRoleWorksOnlyInsideTheLab()
    {
        var (lab, text, program) = Compiled(Labs.Csv31());
        foreach (var (resource, actions) in new[] { ("dataTlsOnlyPolicy", "s3:*"), ("resultsTlsOnlyPolicy", "s3:*") })
        {
            var s = Sid(Statements(program, resource), "TheNotebookRoleWorksOnlyInsideTheLab");
            Assert.Equal("Deny", s["Effect"]);
            Assert.Equal([actions], s["Action"].List().Cast<string>());
            Assert.Equal("${notebookRole.arn}", s.At("Condition", "ArnEquals", "aws:PrincipalArn"));
            Assert.Equal("${s3Endpoint.id}", s.At("Condition", "StringNotEqualsIfExists", "aws:SourceVpce"));
            Assert.Equal("false", s.At("Condition", "BoolIfExists", "aws:ViaAWSService"));
        }
        var key = Sid(program.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(x => x.Map()), "TheNotebookRoleWorksOnlyInsideTheLab");
        Assert.Equal("false", key.At("Condition", "BoolIfExists", "aws:ViaAWSService"));   // S3's calls to KMS carry no aws:SourceVpce
        Assert.Empty(LabRules.Check(text, lab));
        Assert.Contains("the notebook's role must work only inside the lab", Problems(lab, Without(text, "TheNotebookRoleWorksOnlyInsideTheLab")));
        // The stack's own subnet or direct internet: no endpoint of the lab's to bind to, and preview says so.
        var (_, ownVpc, _) = Compiled(Labs.Csv31(("notebookNetwork", "vpc"), ("notebookSubnetId", "subnet-0123456789abcdef0"), ("notebookSecurityGroupIds", "[\"sg-0123456789abcdef0\"]")));
        Assert.DoesNotContain("TheNotebookRoleWorksOnlyInsideTheLab", ownVpc);
        Assert.Contains(PerimeterPreview.Lines(LabSettingsReader.Read(Labs.Demo, Labs.Catalog)), l => l.Contains("works wherever its credentials are used (notebookNetwork internet)"));
    }

    [Fact]
    public void TheDeployerReadsNoDataByDefaultOnACredentialedRelease()
    {
        var (lab, text, program) = Compiled(Labs.Csv31());
        Assert.False(lab.Aws!.Perimeter.DeployerReads);
        foreach (var resource in new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy" })
        {
            var s = Sid(Statements(program, resource), "TheDeployerReadsNoData");
            Assert.Equal(["s3:GetObject", "s3:GetObjectVersion"], s["Action"].List().Cast<string>());
            Assert.Equal([resource.StartsWith("data", StringComparison.Ordinal) ? "${dataBucket.arn}/lab/*" : "${resultsBucket.arn}/lab/*"], s["NotResource"].List().Cast<string>());
        }
        var key = program.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(x => x.Map()).ToList();
        Assert.DoesNotContain(LabPerimeter.Deployer, Sid(key, "LabPrincipalsUseTheKeyThroughS3AndAthena").At("Principal", "AWS").List().Cast<string>());
        Assert.Equal(["kms:GenerateDataKey"], Sid(key, "DeployerEncryptsTheLabFilesThroughS3")["Action"].List().Cast<string>());
        Assert.Equal("Deny", Sid(key, "DeployerNeverDecrypts")["Effect"]);
        Assert.Contains(PerimeterPreview.Lines(lab), l => l.StartsWith("  deployer    deployerDataAccess none", StringComparison.Ordinal));
        Assert.Contains(PreviewGuide.Glance(lab, Costs.CostEstimate.For(lab, Costs.PriceTable.Embedded)), l => l.Contains("(and the lab's notebook; the deployer only administers)", StringComparison.Ordinal));
        Assert.Contains("deployerDataAccess none: the bucket must deny the deployer", Problems(lab, Without(text, "TheDeployerReadsNoData")));
        Assert.Contains("the key must deny the deployer kms:Decrypt", Problems(lab, Without(text, "DeployerNeverDecrypts")));
        // read: the deployer is one of the key's users again, and no Deny names it.
        var (reading, readingText, _) = Compiled(Labs.Csv31(("deployerDataAccess", "read")));
        Assert.True(reading.Aws!.Perimeter.DeployerReads);
        Assert.DoesNotContain("TheDeployerReadsNoData", readingText);
        Assert.Contains(PerimeterPreview.Lines(reading), l => l.StartsWith("  deployer    deployerDataAccess read", StringComparison.Ordinal));
        // An open release defaults to read; a wrong word names the key and its values.
        Assert.True(LabSettingsReader.Read(Labs.Demo, Labs.Catalog).Aws!.Perimeter.DeployerReads);
        var error = Assert.Throws<UserError>(() => LabSettingsReader.Read(Labs.Csv31(("deployerDataAccess", "never")), Labs.Catalog)).Message;
        Assert.Contains("deployerDataAccess: 'never' must be none", error);
    }

    [Fact]
    public void BucketManagementStaysWithTheDeployerAndRoot()
    {
        var (lab, text, program) = Compiled(Labs.Csv31());
        foreach (var resource in new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy", "auditTlsOnlyPolicy" })
        {
            var s = Sid(Statements(program, resource), "OnlyTheDeployerManagesTheBucket");
            Assert.Contains("s3:PutLifecycleConfiguration", s["Action"].List().Cast<string>());
            Assert.Contains("s3:PutBucketVersioning", s["Action"].List().Cast<string>());
            Assert.Equal([LabPerimeter.Deployer, LabPerimeter.Root], s.At("Condition", "ArnNotEquals", "aws:PrincipalArn").List().Cast<string>());
        }
        Assert.Contains("must deny its management", Problems(lab, Without(text, "OnlyTheDeployerManagesTheBucket")));
        // An open lab names no researcher: its data and results buckets are the account's to manage.
        Assert.DoesNotContain("OnlyTheDeployerManagesTheBucket", Compiled(Labs.Demo).Text);
    }

    [Fact]
    public void TheAuditRecordSurvives()
    {
        var (lab, text, program) = Compiled(Labs.Csv31(("auditRetentionDays", "400")));
        Assert.Equal("Enabled", program.Named("auditVersioning").At("versioningConfiguration", "status"));
        var lockRule = program.Named("auditObjectLock");
        Assert.Equal("Enabled", lockRule["objectLockEnabled"]);
        Assert.Equal("GOVERNANCE", lockRule.At("rule", "defaultRetention", "mode"));
        Assert.Equal("400", lockRule.At("rule", "defaultRetention", "days"));
        // Not on the bucket itself: objectLockEnabled there would replace an existing trail bucket, records and all.
        Assert.False(program.Named("auditBucket").ContainsKey("objectLockEnabled"));
        // Versioning under a lock can never be suspended, which deleting its resource does: both go with the bucket, kept or not.
        var notKept = Compiled(Labs.Csv31(("auditKeepOnDestroy", "false"))).Program;
        foreach (var resource in new[] { "auditVersioning", "auditObjectLock" })
            Assert.Equal("true", notKept.Resources.Single(r => r.Name == resource).Options!["retainOnDelete"]);
        Assert.False(notKept.Resources.Single(r => r.Name == "auditBucket").Options!.ContainsKey("retainOnDelete"));
        var audit = Statements(program, "auditTlsOnlyPolicy");
        var erase = Sid(audit, "NobodyErasesTheAuditRecord");
        Assert.Equal(["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"], erase["Action"].List().Cast<string>());
        Assert.Equal("cloudtrail.amazonaws.com", erase.At("Condition", "StringNotEqualsIfExists", "aws:PrincipalServiceName"));
        var history = Sid(audit, "OnlyTheLabsPeopleReadTheQueryHistory");
        Assert.Equal("${auditBucket.arn}/athena-query-history/*", history["Resource"]);
        Assert.Equal([LabPerimeter.Researcher], history.At("Condition", "ArnNotEquals", "aws:PrincipalArn").List().Cast<string>());   // no-read deployer: not it
        // Records expire with the lock; a replaced version a day later.
        var rule = program.Named("auditLifecycle")["rules"].List().Select(r => r.Map()).Single(r => (string)r["id"] == "expire-audit-records");
        Assert.Equal("400", rule.At("expiration", "days"));
        Assert.Equal("1", rule.At("noncurrentVersionExpiration", "noncurrentDays"));
        Assert.Empty(LabRules.Check(text, lab));
        Assert.Contains("must deny s3:DeleteObject", Problems(lab, Without(text, "NobodyErasesTheAuditRecord")));
        Assert.Contains("Object Lock, governance mode, for auditRetentionDays (400)", Problems(lab, text.Replace("mode: GOVERNANCE", "mode: NONE")));
        Assert.Contains("must log the data events of its own bucket", Problems(lab, text.Replace("- ${auditBucket.arn}/\n", "- ${resultsBucket.arn}/\n")));
    }

    [Fact]
    public void ExpiryRevokesNotOnlyStops()
    {
        var (lab, text, program) = Compiled(Labs.Csv31());
        var policies = new List<List<Dictionary<object, object>>>
        {
            Statements(program, "notebookRolePolicy"),
            program.Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToList(),
            program.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToList(),
        };
        foreach (var statements in policies)
        {
            var s = Sid(statements, "NothingOfTheLabAfterItExpires");
            Assert.Equal("Deny", s["Effect"]);
            Assert.Equal("2027-06-30T00:00:00Z", s.At("Condition", "DateGreaterThanEquals", "aws:CurrentTime"));
            Assert.Contains("s3:GetObject", s["Action"].List().Cast<string>());
            Assert.Contains("athena:StartQueryExecution", s["Action"].List().Cast<string>());
            Assert.DoesNotContain("sagemaker:StopNotebookInstance", s["Action"].List().Cast<string>());   // stopping still works
            Assert.DoesNotContain("*", s["Resource"].List().Cast<string>());   // only the lab's resources: the user's other work goes on
        }
        Assert.Contains("expiry must revoke, not only stop", Problems(lab, Without(text, "NothingOfTheLabAfterItExpires")));
    }

    [Fact]
    public void TheGuardrailKeepsOpeningTheNotebookToTheResearcher()
    {
        var (_, _, program) = Compiled(Labs.Csv31());
        var guardrail = program.Outputs["accountGuardrailPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();
        var open = Sid(guardrail, "OnlyTheResearcherOpensTheLabNotebook");
        Assert.Equal(["sagemaker:CreatePresignedNotebookInstanceUrl"], open["Action"].List().Cast<string>());
        Assert.Equal([LabPerimeter.Researcher], open.At("Condition", "ArnNotEquals", "aws:PrincipalArn").List().Cast<string>());
        Assert.Equal("${notebookRole.arn}", Sid(guardrail, "OnlyTheResearcherAndDeployerPassTheLabRole")["Resource"]);
        Assert.Contains("sagemaker:UpdateNotebookInstance", Sid(guardrail, "OnlyTheResearcherAndDeployerChangeTheLabNotebook")["Action"].List().Cast<string>());
        Assert.False(Compiled(Labs.Demo).Program.Outputs.ContainsKey("accountGuardrailPolicy"));   // open data: no researcher to keep it to
    }

    [Fact]
    public void TheResearchersNetworkInterfaceStaysInTheNotebooksSubnet()
    {
        var (_, _, program) = Compiled(Labs.Csv31());
        var statements = program.Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map());
        Assert.Equal(
        [
            "arn:${awsPartition.partition}:ec2:us-east-1:${awsAccount.accountId}:network-interface/*",
            "arn:${awsPartition.partition}:ec2:us-east-1:${awsAccount.accountId}:subnet/${labSubnet.id}",
            "arn:${awsPartition.partition}:ec2:us-east-1:${awsAccount.accountId}:security-group/${notebookSecurityGroup.id}",
        ], Sid(statements, "StartTheNotebookInItsSubnet")["Resource"].List().Cast<string>());
    }

    [Fact]
    public void GetBucketLocationIsGrantedWithoutAPrefixCondition()
    {
        // s3:GetBucketLocation carries no s3:prefix: beside ListBucket under a prefix condition it was never granted.
        foreach (var config in new[] { Labs.Csv31(), Labs.Demo, Labs.Full31(("sourceInPlace", "true")) })
        {
            var (_, _, program) = Compiled(config);
            foreach (var statements in new[] { Statements(program, "notebookRolePolicy"), program.Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List().Select(x => x.Map()).ToList() })
            {
                var locate = Sid(statements, "LocateTheLabBuckets");
                Assert.Equal(["s3:GetBucketLocation"], locate["Action"].List().Cast<string>());
                Assert.False(locate.ContainsKey("Condition"));
                Assert.Contains("${resultsBucket.arn}", locate["Resource"].List().Cast<string>());
                Assert.DoesNotContain(statements.Where(x => x.ContainsKey("Condition") && (string)x["Effect"] == "Allow"), x => x["Action"].List().Contains("s3:GetBucketLocation"));
            }
        }
    }

    [Fact]
    public void AnOpenLabsResearcherPolicyMayGrantTheNotebookVolumeTheKey()
    {
        // An open lab's key leaves use to IAM (the account's root principal in the key policy), so researcherPolicy itself
        // must allow the grant SageMaker makes for the volume when the researcher starts the notebook.
        var (_, _, program) = Compiled(Labs.Demo);
        var grant = Sid(program.Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List().Select(x => x.Map()), "GrantTheNotebookVolumeTheLabKey");
        Assert.Equal(["kms:CreateGrant"], grant["Action"].List().Cast<string>());
        Assert.Equal(["${labKey.arn}"], grant["Resource"].List().Cast<string>());
        Assert.Equal("true", grant.At("Condition", "Bool", "kms:GrantIsForAWSResource"));
    }
}
