using MimicInfra.Aws.Audit;
using MimicInfra.Check;
using MimicInfra.Cli;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// The audit trail on AWS, by rule id (Security Hub CloudTrail.1/.2/.4, S3.22/S3.23; Checkov
/// CKV_AWS_35/36/67/18). Deliberate exceptions, with reasons:
/// <list type="bullet">
/// <item>S3.22/S3.23 as Security Hub evaluates them (AWS Config cloudtrail-all-write/read-s3-data-event-check: a
/// multi-Region trail logging data events of all current and future buckets of the account): the lab trail logs
/// read and write data events on the lab's own buckets only. Data events are billed from the first one, the account's
/// other buckets are not the lab's to audit, and the trail bucket itself must stay out (its deliveries would log
/// themselves). The lab's buckets, which hold the MIMIC copy and results, are covered read and write.</item>
/// <item>CKV_AWS_18 on the trail bucket (no server access logging; also CIS's access-logging recommendation for the
/// CloudTrail bucket): its configuration changes (policy, lifecycle,
/// encryption, deletion) are management events in the trail itself, tampering with or deleting a log file is what log
/// file validation's digest chain detects, and access logs would need a fourth bucket with the same exception.</item>
/// <item>CKV_AWS_252 (SNS topic) and CloudTrail.5 / CKV2_AWS_10 (CloudWatch Logs): nothing in a lab consumes
/// notifications or log streams; the records are the S3 log files.</item>
/// <item>CloudTrail.2 / CKV_AWS_35 with resultsEncryption s3: the account cannot create KMS keys, so the lab has none;
/// the log files are still encrypted with S3-managed keys, CloudTrail's default.</item>
/// <item>Open releases default to no trail (auditTrail none, said in preview): open data has no use agreement naming
/// people, and a second trail's management events are billed in an account that has one.</item>
/// </list>
/// </summary>
public class AuditTrailTests
{
    private const string OrgTrail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail";

    private static readonly ParsedProgram Lab = new(Labs.Compile(Labs.Csv31()));

    private static Dictionary<object, object> Trail(ParsedProgram p) => p.Single("aws:cloudtrail/trail:Trail");

    private static List<Dictionary<object, object>> Selectors(ParsedProgram p) =>
        Trail(p)["advancedEventSelectors"].List().Select(s => s.Map()).ToList();

    private static List<Dictionary<object, object>> Fields(Dictionary<object, object> selector) =>
        selector["fieldSelectors"].List().Select(f => f.Map()).ToList();

    private static Dictionary<object, object> DataSelector(ParsedProgram p) =>
        Selectors(p).Single(s => Fields(s).Any(f => (string)f["field"] == "eventCategory" && f["equals"].List().Contains("Data"))
                                 && !Fields(s).Any(f => (string)f["field"] == "eventName"));

    /// <summary>The selector of the trail bucket's own data events.</summary>
    private static Dictionary<object, object> TrailBucketSelector(ParsedProgram p) =>
        Selectors(p).Single(s => Fields(s).Any(f => (string)f["field"] == "eventName"));

    private static List<Dictionary<object, object>> Statements(ParsedProgram p, string resource) =>
        p.Named(resource).At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();

    private static string Problems(params (string, string)[] settings) =>
        Assert.Throws<UserError>(() => LabSettingsReader.Read(Labs.Csv31(settings), Labs.Catalog)).Message;

    private static readonly string ExpectedTrailArn =
        "arn:${awsPartition.partition}:cloudtrail:us-east-1:${awsAccount.accountId}:trail/" + LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog).Names.Lab + "-audit";

    [Fact]
    public void CloudTrail_1_CKV_AWS_67_OneMultiRegionTrailLogsEveryManagementEventReadAndWrite()
    {
        var trail = Trail(Lab);
        Assert.Equal("true", trail["isMultiRegionTrail"]);
        Assert.Equal("true", trail["includeGlobalServiceEvents"]);
        var management = Selectors(Lab).Single(s => Fields(s).Any(f => f.TryGetValue("equals", out var e) && e is List<object> values && values.Contains("Management")));
        // Only the category: no readOnly field (read and write both) and no excluded event source (AWS Config's
        // multi-region-cloudtrail-enabled fails a trail that excludes any, such as KMS).
        Assert.Equal(["eventCategory"], Fields(management).Select(f => (string)f["field"]));
        Assert.DoesNotContain(Selectors(Lab).SelectMany(Fields), f => (string)f["field"] is "readOnly" or "eventSource");
    }

    [Fact]
    public void CloudTrail_2_CKV_AWS_35_LogFilesAreEncryptedWithTheLabKey()
    {
        Assert.Equal("${labKey.arn}", Trail(Lab)["kmsKeyId"]);
        Assert.Equal("${labKey.arn}", Lab.Named("auditEncryption").At("rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"));
    }

    [Fact]
    public void CloudTrail_2_Exception_WithoutALabKeyTheLogsUseS3ManagedKeys()
    {
        var optOut = new ParsedProgram(Labs.Compile(Labs.Csv31(("resultsEncryption", "s3"))));
        Assert.False(Trail(optOut).ContainsKey("kmsKeyId"));
        Assert.Equal("AES256", optOut.Named("auditEncryption").At("rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
        Assert.Empty(optOut.OfType("aws:kms/key:Key"));
    }

    [Fact]
    public void CloudTrail_4_CKV_AWS_36_LogFileValidationIsOn() =>
        Assert.Equal("true", Trail(Lab)["enableLogFileValidation"]);

    [Fact]
    public void S3_22_S3_23_DataEventsReadAndWriteOnTheLabsBuckets()
    {
        var data = Fields(DataSelector(Lab));
        Assert.Equal(["AWS::S3::Object"], data.Single(f => (string)f["field"] == "resources.type")["equals"].List().Cast<string>());
        Assert.Equal(["${resultsBucket.arn}/", "${dataBucket.arn}/"], data.Single(f => (string)f["field"] == "resources.ARN")["startsWiths"].List().Cast<string>());
        Assert.DoesNotContain(data, f => (string)f["field"] == "readOnly");   // reads (S3.23) and writes (S3.22)
    }

    [Fact]
    public void S3_22_S3_23_ALabReadInPlaceLogsTheFoldersItQueries()
    {
        var inPlace = new ParsedProgram(Labs.Compile(Labs.Full31(("sourceInPlace", "true"))));
        var arns = Fields(DataSelector(inPlace)).Single(f => (string)f["field"] == "resources.ARN")["startsWiths"].List().Cast<string>().ToList();
        Assert.Equal(["${resultsBucket.arn}/",
            "arn:${awsPartition.partition}:s3:::my-mimic-copy/mimiciv/3.1/ed/", "arn:${awsPartition.partition}:s3:::my-mimic-copy/mimiciv/3.1/hosp/",
            "arn:${awsPartition.partition}:s3:::my-mimic-copy/mimiciv/3.1/icu/", "arn:${awsPartition.partition}:s3:::my-mimic-copy/mimiciv/3.1/note/"], arns);
    }

    /// <summary>CKV_AWS_18 on the trail bucket is an exception (class comment); what stands in for access logs is asserted here.</summary>
    [Fact]
    public void CKV_AWS_18_Exception_TheTrailBucketIsGuardedByTheTrailAndItsDigestChain()
    {
        Assert.Empty(Lab.OfType("aws:s3/bucketLogging:BucketLogging"));
        // Its own deliveries would log themselves: the trail bucket has a selector of its own, without PutObject.
        Assert.DoesNotContain(Fields(DataSelector(Lab)).SelectMany(f => f.Values.OfType<List<object>>()).SelectMany(v => v).Cast<string>(), v => v.Contains("auditBucket"));
        var own = Fields(TrailBucketSelector(Lab));
        Assert.Equal(["${auditBucket.arn}/"], own.Single(f => (string)f["field"] == "resources.ARN")["startsWiths"].List().Cast<string>());
        Assert.Equal(["PutObject"], own.Single(f => (string)f["field"] == "eventName")["notEquals"].List().Cast<string>());
        Assert.Equal("true", Trail(Lab)["enableLogFileValidation"]);
        // Every guard of a lab bucket: public access blocked, owner-enforced, encrypted, TLS only.
        foreach (var key in new[] { "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets" })
            Assert.Equal("true", Lab.Named("auditPublicAccessBlock")[key]);
        Assert.Equal("BucketOwnerEnforced", Lab.Named("auditOwnership").At("rule", "objectOwnership"));
        Assert.Contains(Statements(Lab, "auditTlsOnlyPolicy"), s => (string)s["Sid"] == "DenyInsecureTransport");
    }

    [Fact]
    public void TheTrailBucketPolicyAdmitsCloudTrailOnlyForThisTrail()
    {
        var statements = Statements(Lab, "auditTlsOnlyPolicy");
        var acl = statements.Single(s => (string)s["Sid"] == "AWSCloudTrailAclCheck");
        Assert.Equal("cloudtrail.amazonaws.com", acl.At("Principal", "Service"));
        Assert.Equal("s3:GetBucketAcl", acl["Action"]);
        Assert.Equal("${auditBucket.arn}", acl["Resource"]);
        Assert.Equal(ExpectedTrailArn, acl.At("Condition", "StringEquals", "aws:SourceArn"));
        var write = statements.Single(s => (string)s["Sid"] == "AWSCloudTrailWrite");
        Assert.Equal("s3:PutObject", write["Action"]);
        Assert.Equal("${auditBucket.arn}/AWSLogs/${awsAccount.accountId}/*", write["Resource"]);
        Assert.Equal("bucket-owner-full-control", write.At("Condition", "StringEquals", "s3:x-amz-acl"));
        Assert.Equal(ExpectedTrailArn, write.At("Condition", "StringEquals", "aws:SourceArn"));
        // The ARN the policies name is the trail's: its name, the lab's region, the deploying account.
        Assert.EndsWith((string)Trail(Lab)["name"], ExpectedTrailArn);
        // CloudTrail checks the policy when it creates the trail.
        Assert.Contains("${auditTlsOnlyPolicy}", Lab.Resources.Single(r => r.Name == "labTrail").Options!["dependsOn"].List());
    }

    [Fact]
    public void TheLabKeyLetsCloudTrailUseItOnlyForThisTrail()
    {
        var statements = Lab.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();
        var cloudTrail = statements.Where(s => s["Principal"] is Dictionary<object, object> principal && principal.TryGetValue("Service", out var p) && (string)p == "cloudtrail.amazonaws.com").ToList();
        Assert.Equal(["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"], cloudTrail.Select(s => (string)s["Action"]));
        Assert.All(cloudTrail, s => Assert.Equal(ExpectedTrailArn, s.At("Condition", "StringEquals", "aws:SourceArn")));
        Assert.Equal("arn:${awsPartition.partition}:cloudtrail:*:${awsAccount.accountId}:trail/*",
            cloudTrail[0].At("Condition", "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn"));
        // The account still administers the key, and may decrypt the trail's log files only; no wildcard principal.
        Assert.Equal("AccountAdministersTheKey", statements[0]["Sid"]);
        var readers = statements.Single(s => (string)s["Sid"] == "AccountReadsTheTrailLogs");
        Assert.Equal("arn:${awsPartition.partition}:cloudtrail:*:${awsAccount.accountId}:trail/*", readers.At("Condition", "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn"));
        // Every Allow names its principals; "*" only in a Deny (the notebook role outside the lab, a deployer that reads nothing).
        Assert.DoesNotContain(statements, s => s["Principal"] is string && (string)s["Effect"] == "Allow");
        // Without a lab trail the key has no CloudTrail statement (only the perimeter's seven: administration by the account and
        // the deployer, use, the no-read deployer's encrypt-only and decrypt deny, the volume's grants, the notebook role bound to the lab).
        var org = new ParsedProgram(Labs.Compile(Labs.Csv31(("auditTrail", "organization:" + OrgTrail))));
        Assert.Equal(7, org.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Count);
        Assert.DoesNotContain(org.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(x => x.Map()),
            s => s["Principal"] is Dictionary<object, object> p && p.ContainsKey("Service"));
    }

    [Fact]
    public void RecordsExpireAfterTheRetentionAndOutliveTheLabWithTheirKey()
    {
        var rules = Lab.Named("auditLifecycle")["rules"].List().Select(r => r.Map()).ToList();
        var expire = rules.Single(r => (string)r["id"] == "expire-audit-records");
        Assert.Equal("", expire.At("filter", "prefix"));
        Assert.Equal("365", expire.At("expiration", "days"));
        foreach (var name in new[] { "auditBucket", "auditPublicAccessBlock", "auditOwnership", "auditEncryption", "auditTlsOnlyPolicy", "auditLifecycle", "auditVersioning", "auditObjectLock", "labKey" })
            Assert.Equal("true", Lab.Resources.Single(r => r.Name == name).Options!["retainOnDelete"]);
        Assert.Equal("false", Lab.Named("auditBucket")["forceDestroy"]);
        Assert.False(Lab.Resources.Single(r => r.Name == "labTrail").Options!.ContainsKey("retainOnDelete"));   // logging stops with the lab

        var shortLived = new ParsedProgram(Labs.Compile(Labs.Csv31(("auditRetentionDays", "90"), ("auditKeepOnDestroy", "false"))));
        Assert.Equal("90", shortLived.Named("auditLifecycle")["rules"].List().Select(r => r.Map()).Single(r => (string)r["id"] == "expire-audit-records").At("expiration", "days"));
        Assert.Equal("true", shortLived.Named("auditBucket")["forceDestroy"]);
        // Nothing is kept but the versioning and Object Lock configuration, which go with the bucket (a lock never lets
        // versioning be suspended, as deleting that resource would).
        Assert.Equal(["auditVersioning", "auditObjectLock"], shortLived.Resources.Where(r => r.Options?.ContainsKey("retainOnDelete") == true).Select(r => r.Name));
    }

    [Fact]
    public void CredentialedLabsHaveATrailByDefaultAndOpenOnesSayTheyHaveNone()
    {
        Assert.Equal(AuditTrailMode.Lab, LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog).Aws!.AuditTrail.Mode);
        Assert.Equal(AuditTrailMode.Lab, LabSettingsReader.Read(Labs.Full31(), Labs.Catalog).Aws!.AuditTrail.Mode);
        var demo = LabSettingsReader.Read(Labs.Demo, Labs.Catalog);
        Assert.Equal(AuditTrailMode.None, demo.Aws!.AuditTrail.Mode);
        Assert.Empty(new ParsedProgram(Labs.Compile(Labs.Demo)).OfType("aws:cloudtrail/trail:Trail"));
        Assert.Contains("  audit       none (open data; auditTrail none)", LabPreview.Summary(demo, LabCompiler.Compile(demo)));
        // An open lab may ask for one.
        var withTrail = Labs.Config("demo", [.. Labs.Demo.Values.Select(kv => (kv.Key, kv.Value)), ("auditTrail", "lab")]);
        Assert.Single(new ParsedProgram(Labs.Compile(withTrail)).OfType("aws:cloudtrail/trail:Trail"));
    }

    [Fact]
    public void ACredentialedLabCannotDoWithoutATrail()
    {
        var message = Problems(("auditTrail", "none"));
        Assert.Contains("mimic-infra:auditTrail: none is not allowed for mimic-iv-3.1", message);
        Assert.Contains("organization:<trail ARN>", message);
    }

    [Fact]
    public void TheOrganizationTrailFormCreatesNothingAndPreviewSaysWhatToCheck()
    {
        var settings = LabSettingsReader.Read(Labs.Csv31(("auditTrail", "organization:" + OrgTrail), ("awsAccountId", "444455556666"), ("researcherPrincipalArn", "arn:aws:iam::444455556666:user/jdoe")), Labs.Catalog);
        var org = settings.Aws!.AuditTrail.OrganizationTrail!;
        Assert.Equal(("aws", "us-east-1", "111122223333", "org-trail"), (org.Partition, org.Region, org.Account, org.Name));
        var program = LabCompiler.Compile(settings);
        var parsed = new ParsedProgram(ProgramYaml(program));
        Assert.Empty(parsed.OfType("aws:cloudtrail/trail:Trail"));
        Assert.DoesNotContain(parsed.Resources, r => r.Name.StartsWith("audit", StringComparison.Ordinal));
        Assert.Equal(OrgTrail, parsed.Outputs["auditTrailArn"]);
        Assert.Contains("s3://${resultsBucket.bucket}/athena-query-history/", (string)parsed.Outputs["athenaHistoryBeforeDestroy"]);
        var preview = LabPreview.Summary(settings, program);
        Assert.Contains($"  audit       organization trail {OrgTrail}: not created by the lab. Checked here: the ARN's form, partition aws, home region us-east-1 (the lab's), " +
                        "account 111122223333 (not the lab's 444455556666: the organization's management or delegated administrator account)", preview);
        Assert.Contains($"  audit check aws cloudtrail get-trail-status --name {OrgTrail} --region us-east-1", preview);
        Assert.Contains($"  audit check aws cloudtrail get-event-selectors --trail-name {OrgTrail} --region us-east-1", preview);
        Assert.Contains("on all buckets or on the lab's (stack outputs dataBucket and resultsBucket)", preview);
    }

    [Fact]
    public void AnOrganizationTrailOfAnotherRegionMustBeMultiRegion()
    {
        var settings = LabSettingsReader.Read(Labs.Csv31(("auditTrail", "organization:arn:aws:cloudtrail:eu-west-1:111122223333:trail/org")), Labs.Catalog);
        Assert.Contains("home region eu-west-1 (not the lab's us-east-1: it covers the lab only if it is multi-region)", LabPreview.Summary(settings, LabCompiler.Compile(settings)));
    }

    [Fact]
    public void ATrailOfTheLabsOwnAccountIsSaidToBeOne()
    {
        var settings = LabSettingsReader.Read(Labs.Csv31(("auditTrail", "organization:" + OrgTrail), ("awsAccountId", "111122223333"), ("researcherPrincipalArn", "arn:aws:iam::111122223333:user/jdoe")), Labs.Catalog);
        Assert.Contains("account 111122223333 (this lab's account: its own trail, or the organization's if this is its management or delegated administrator account)",
            LabPreview.Summary(settings, LabCompiler.Compile(settings)));
    }

    [Theory]
    [InlineData("yes", "'yes' must be lab (the lab creates its own trail), organization:<trail ARN>")]
    [InlineData("organization:org-trail", "'org-trail' is not a CloudTrail trail ARN; write it as organization:arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME")]
    [InlineData("organization:arn:aws:cloudtrail:us-east-1:1234:trail/org", "is not a CloudTrail trail ARN")]
    [InlineData("organization:arn:aws:s3:::my-trail-bucket", "is not a CloudTrail trail ARN")]
    [InlineData("organization:arn:aws:cloudtrail:us-east-1:111122223333:trail/org--trail", "has adjacent periods, underscores or dashes")]
    [InlineData("organization:arn:aws-cn:cloudtrail:cn-north-1:111122223333:trail/org", "the trail is in partition aws-cn, the lab's region us-east-1 in aws")]
    [InlineData("organization:arn:aws:cloudtrail:us-east-1:111122223333:trail/${labKey.arn}", "is not a CloudTrail trail ARN")]
    public void BadAuditTrailValuesNameTheKeyAndTheFix(string value, string expected)
    {
        var message = Problems(("auditTrail", value));
        Assert.Contains("mimic-infra:auditTrail: ", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("auditRetentionDays", "30", "mimic-infra:auditRetentionDays: 30 is out of range; use 90..3650.")]
    [InlineData("auditRetentionDays", "a year", "mimic-infra:auditRetentionDays: 'a year' is not a whole number")]
    [InlineData("auditKeepOnDestroy", "maybe", "mimic-infra:auditKeepOnDestroy: 'maybe' is not true or false.")]
    public void BadRetentionValuesNameTheKeyAndTheFix(string key, string value, string expected) =>
        Assert.Contains(expected, Problems((key, value)));

    [Fact]
    public void RetentionSettingsNeedTheLabsOwnTrail()
    {
        var message = Problems(("auditTrail", "organization:" + OrgTrail), ("auditRetentionDays", "400"));
        Assert.Contains("mimic-infra:auditRetentionDays: applies only with auditTrail lab", message);
    }

    [Fact]
    public void TheTrailBucketPrefixFitsS3sLimitForEveryResearcher()
    {
        foreach (var researcher in new[] { "a", "jdoe", "a-very-long-researcher-id-with-many-parts-and-more-1234567890" })
        {
            var prefix = LabAuditTrail.BucketPrefixOf(LabNames.For("a-long-stack-name", researcher, "a-long-study-name"));
            Assert.Matches("^[a-z0-9][a-z0-9-]{0,36}$", prefix);
            Assert.EndsWith("-audit-", prefix);
        }
    }

    [Fact]
    public void AthenaHistoryIsExportedIntoTheTrailBucketByTheOutputBeforeDestroy()
    {
        var export = (string)Lab.Outputs["athenaHistoryBeforeDestroy"];
        var names = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog).Names;
        foreach (var wg in new[] { names.Workgroup, names.ImportWorkgroup })
        {
            Assert.Contains($"aws athena list-query-executions --work-group {wg} --region us-east-1", export);
            Assert.Contains($"s3://${{auditBucket.bucket}}/athena-query-history/{wg}-", export);
        }
        Assert.Contains("xargs -r -n 50 aws athena batch-get-query-execution", export);   // BatchGetQueryExecution takes at most 50 ids
        // Nothing in it that Pulumi would interpolate but the bucket.
        Assert.Equal(["auditBucket.bucket"], Interpolation.Parse(export).References.Select(r => r.Root + "." + string.Join(".", r.Path)).Distinct());
        Assert.Equal("${labTrail.arn}", Lab.Outputs["auditTrailArn"]);
        Assert.Equal("${auditBucket.bucket}", Lab.Outputs["auditBucket"]);
        Assert.False(new ParsedProgram(Labs.Compile(Labs.Demo)).Outputs.ContainsKey("athenaHistoryBeforeDestroy"));
    }

    [Fact]
    public void PreviewSaysWhatTheTrailRecordsAndWhatSurvivesOfTheQueryHistory()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var preview = LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains($"  audit       trail {lab.Names.Lab}-audit, multi-region, home us-east-1: every management event (read and write) and the S3 data events (read and write) " +
                        "on the lab's buckets (data, results) and on its own bucket (all but its deliveries); log file validation; encrypted with KMS key", preview);
        Assert.Contains("versioned, Object Lock (governance) for 365 days, no delete but CloudTrail's", preview);
        Assert.Contains("records expire after the lock, kept on destroy with its guards and the key", preview);
        Assert.Contains("Athena omits the query text", preview);
        Assert.Contains("run output athenaHistoryBeforeDestroy (into the trail bucket, athena-query-history/, kept 365 days)", preview);
        Assert.Contains("AWS CloudTrail S3 data events of the lab trail: per use, not monthly", preview);
    }

    public static TheoryData<string> Variants => new() { "lab", "lab-sse-s3", "lab-in-place", "organization", "open-with-trail" };

    [Theory]
    [MemberData(nameof(Variants))]
    public void ProgramsWithAnAuditTrailConformToTheProviderSchemas(string variant)
    {
        var config = variant switch
        {
            "lab" => Labs.Csv31(),
            "lab-sse-s3" => Labs.Csv31(("resultsEncryption", "s3"), ("auditKeepOnDestroy", "false")),
            "lab-in-place" => Labs.Full31(("sourceInPlace", "true")),
            "organization" => Labs.Csv31(("auditTrail", "organization:" + OrgTrail)),
            _ => Labs.Config("demo", [.. Labs.Demo.Values.Select(kv => (kv.Key, kv.Value)), ("auditTrail", "lab")]),
        };
        var report = new ProgramChecker(Labs.Schemas()).Check(Labs.Compile(config));
        Assert.Empty(report.Problems);
    }

    private static string ProgramYaml(MimicInfra.Program.PulumiProgram program) => MimicInfra.Program.ProgramYaml.Write(program);
}
