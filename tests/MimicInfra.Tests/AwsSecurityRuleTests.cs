using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// Security rules on the emitted program, named by their Checkov ids. Deliberate exceptions, with reasons:
/// <list type="bullet">
/// <item>CKV_AWS_18 (access logging) and CKV_AWS_144 (cross-region replication): the results bucket holds only
/// expiring query results of one researcher, and the data bucket a copy that the import can always make
/// again from PhysioNet; Athena and CloudTrail already record who queried what.</item>
/// <item>CKV_AWS_21 / S3.14 (versioning) on the results bucket: results are written once and expire, so versions
/// would outlive the retention the lab promises. The data bucket is versioned (its old versions expire).</item>
/// <item>CKV2_AWS_62 (event notifications): nothing consumes them.</item>
/// <item>CKV_AWS_145 with resultsEncryption=s3: an explicit opt-out for accounts that cannot create KMS keys;
/// the bucket is still encrypted (SSE-S3, CKV_AWS_19 holds).</item>
/// </list>
/// </summary>
public class AwsSecurityRuleTests
{
    private static readonly ParsedProgram Demo = new(Labs.Compile(Labs.Demo));

    public static TheoryData<string> Buckets => new() { "results", "data" };

    [Theory]
    [MemberData(nameof(Buckets))]
    public void CKV_AWS_53_54_55_56_AllFourPublicAccessBlocksAreOn(string bucket)
    {
        var pab = Demo.Named($"{bucket}PublicAccessBlock");
        Assert.Equal($"${{{bucket}Bucket.id}}", pab["bucket"]);
        foreach (var key in new[] { "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets" })
            Assert.Equal("true", pab[key]);
    }

    [Theory]
    [MemberData(nameof(Buckets))]
    public void CKV2_AWS_65_AclsAreDisabledByBucketOwnerEnforced(string bucket) =>
        Assert.Equal("BucketOwnerEnforced", Demo.Named($"{bucket}Ownership").At("rule", "objectOwnership"));

    [Theory]
    [MemberData(nameof(Buckets))]
    public void CKV_AWS_19_145_BucketsAreEncryptedWithTheLabKmsKey(string bucket)
    {
        var rule = Demo.Named($"{bucket}Encryption").At("rules", 0);
        Assert.Equal("aws:kms", rule.At("applyServerSideEncryptionByDefault", "sseAlgorithm"));
        Assert.Equal("${labKey.arn}", rule.At("applyServerSideEncryptionByDefault", "kmsMasterKeyId"));
        Assert.Equal("true", rule.At("bucketKeyEnabled"));
    }

    /// <summary>Write limits: the lab's data is read-only to the notebook in the bucket policy too, whatever its role says.</summary>
    [Fact]
    public void TheDataBucketPolicyDeniesTheNotebookEveryWrite()
    {
        var statements = Demo.Named("dataTlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();
        var deny = statements.Single(s => (string)s["Sid"] == "NotebookNeverWritesTheData");
        Assert.Equal("Deny", deny["Effect"]);
        Assert.Equal("${notebookRole.arn}", deny.At("Principal", "AWS"));
        Assert.Contains("s3:PutObject", deny["Action"].List());
        Assert.Contains("s3:DeleteObject", deny["Action"].List());
        Assert.Equal(new List<object> { "${dataBucket.arn}/*" }, deny["Resource"]);
        // Without a notebook there is no role to name.
        var none = new ParsedProgram(Labs.Compile(Labs.Full31(("notebook", "false"))));
        Assert.DoesNotContain(none.Named("dataTlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List(), s => (string)s.Map()["Sid"] == "NotebookNeverWritesTheData");
    }

    /// <summary>Kept results keep their guards (S3.8, S3.5, S3.12, S3.13): a kept results bucket keeps every guard, not just the bucket and key.</summary>
    [Fact]
    public void KeptResultsKeepEveryGuardOfTheirBucket()
    {
        var kept = new ParsedProgram(Labs.Compile(Labs.Full31(("keepResultsOnDestroy", "true"))));
        foreach (var guard in new[] { "resultsBucket", "resultsPublicAccessBlock", "resultsOwnership", "resultsEncryption", "resultsTlsOnlyPolicy", "resultsLifecycle" })
            Assert.Equal("true", kept.Resources.Single(r => r.Name == guard).Options!["retainOnDelete"]);
        Assert.All(kept.Resources.Where(r => r.Name.StartsWith("data", StringComparison.Ordinal)), r => Assert.False(r.Options?.ContainsKey("retainOnDelete") ?? false));
    }

    [Fact]
    public void CKV_AWS_145_Exception_OptOutStillEncryptsWithS3Keys()
    {
        var optOut = new ParsedProgram(Labs.Compile(Labs.Full31(("resultsEncryption", "s3"))));
        var rules = optOut.OfType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        Assert.Equal(3, rules.Count);   // results, data and audit trail buckets
        Assert.All(rules, r => Assert.Equal("AES256", r.Props.At("rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm")));
        Assert.Empty(optOut.OfType("aws:kms/key:Key"));
        Assert.All(optOut.OfType("aws:athena/workgroup:Workgroup"),
            w => Assert.Equal("SSE_S3", w.Props.At("configuration", "resultConfiguration", "encryptionConfiguration", "encryptionOption")));
    }

    [Theory]
    [MemberData(nameof(Buckets))]
    public void CKV_AWS_379_BucketPolicyDeniesEveryNonTlsRequest(string bucket)
    {
        var policy = Demo.Named($"{bucket}TlsOnlyPolicy").At("policy", "fn::toJSON");
        var statement = Assert.Single(policy.At("Statement").List(), s => (string)s.Map()["Sid"] == "DenyInsecureTransport").Map();
        Assert.Equal("Deny", statement["Effect"]);
        Assert.Equal("s3:*", statement["Action"]);
        Assert.Equal(new List<object> { $"${{{bucket}Bucket.arn}}", $"${{{bucket}Bucket.arn}}/*" }, statement["Resource"]);
        Assert.Equal("false", statement.At("Condition", "Bool", "aws:SecureTransport"));
    }

    [Fact]
    public void CKV2_AWS_61_CKV_AWS_300_LifecycleExpiresResultsAndStagingAndAbortsUploads()
    {
        var rules = Demo.Named("resultsLifecycle")["rules"].List().Select(r => r.Map()).ToList();
        Assert.Equal("results/", rules.Single(r => (string)r["id"] == "expire-query-results").At("filter", "prefix"));
        Assert.Equal("30", rules.Single(r => (string)r["id"] == "expire-query-results").At("expiration", "days"));
        Assert.Equal("import-results/", rules.Single(r => (string)r["id"] == "expire-import-results").At("filter", "prefix"));
        var data = Demo.Named("dataLifecycle")["rules"].List().Select(r => r.Map()).ToList();
        // The typed copy is the lab's data and never expires; staged source files left by an unfinished import do.
        Assert.Equal("staging/", data.Single(r => (string)r["id"] == "expire-forgotten-staging").At("filter", "prefix"));
        foreach (var set in new[] { rules, data })
        {
            Assert.Equal("1", set.Single(r => (string)r["id"] == "abort-incomplete-uploads").At("abortIncompleteMultipartUpload", "daysAfterInitiation"));
            Assert.All(set, r => Assert.Equal("Enabled", r["status"]));
        }
    }

    /// <summary>Integrity (CKV_AWS_21, S3.14): what the lab must not lose is versioned, and old versions do not pile up.</summary>
    [Fact]
    public void CKV_AWS_21_S3_14_TheDataBucketIsVersionedAndItsOldVersionsExpire()
    {
        Assert.Equal("Enabled", Demo.Named("dataVersioning").At("versioningConfiguration", "status"));
        Assert.Equal("${dataBucket.id}", Demo.Named("dataVersioning")["bucket"]);
        Assert.DoesNotContain(Demo.Resources, r => r.Name == "resultsVersioning");
        var rules = Demo.Named("dataLifecycle")["rules"].List().Select(r => r.Map()).Where(r => r.ContainsKey("filter")).ToList();
        foreach (var kept in new[] { "tables/", "imports/", "lab/" })
        {
            var rule = rules.Single(r => (string)r.At("filter", "prefix")! == kept);
            Assert.Equal("30", rule.At("noncurrentVersionExpiration", "noncurrentDays"));
            Assert.Equal("true", rule.At("expiration", "expiredObjectDeleteMarker"));   // kept: never a days expiry
            Assert.Null(rule.At("expiration", "days"));
        }
        var staging = rules.Single(r => (string)r.At("filter", "prefix")! == "staging/");
        Assert.Equal("1", staging.At("noncurrentVersionExpiration", "noncurrentDays"));   // a removed staging copy is gone the next day
    }

    /// <summary>
    /// Lifecycle: every prefix the lab writes (the notebook, the import, Pulumi's own objects) has a lifecycle
    /// rule: temporary work expires; what the lab must keep (the typed copy, its records, its files) has a rule that
    /// expires only its old versions. Exception: in a lab that reads its source in place, the lab's files sit in the
    /// unversioned results bucket with no rule: they are objects of the stack, rewritten by `pulumi up`, deleted by destroy.
    /// </summary>
    [Fact]
    public void LifecycleCoversEveryPrefixTheLabWrites()
    {
        foreach (var config in new[] { Labs.Demo, Labs.Full31(), Labs.Full31(("sourceInPlace", "true")) })
        {
            var program = new ParsedProgram(Labs.Compile(config));
            var written = new List<string>();
            var policies = program.OfType("aws:iam/rolePolicy:RolePolicy").Select(p => p.Props.At("policy", "fn::toJSON")).ToList();
            if (program.Outputs.TryGetValue("researcherImportPolicy", out var import)) policies.Add(import.At("fn::toJSON"));
            // What the lab writes: the allowing statements (the expiry's Deny names whole buckets).
            foreach (var statement in policies.SelectMany(p => p.At("Statement").List()).Select(s => s.Map()).Where(s => (string)s["Effect"] == "Allow"))
            {
                var actions = statement["Action"] is List<object> l ? l.Cast<string>() : [(string)statement["Action"]];
                if (actions.Any(a => a is "s3:PutObject"))
                    written.AddRange(statement["Resource"].List().Cast<string>().Where(r => r.Contains("Bucket.arn}/")));
            }
            written.AddRange(program.OfType("aws:s3/bucketObjectv2:BucketObjectv2").Select(o => $"{((string)o.Props["bucket"]).Replace(".bucket}", ".arn}")}/{o.Props["key"]}"));
            Assert.NotEmpty(written);
            foreach (var path in written.Where(p => !p.StartsWith("${resultsBucket.arn}/lab/", StringComparison.Ordinal)))
            {
                var bucket = path[2..path.IndexOf('.')];   // ${resultsBucket.arn}/results/* -> resultsBucket
                var key = path[(path.IndexOf('/') + 1)..];
                var rules = program.Named(bucket.Replace("Bucket", "Lifecycle"))["rules"].List().Select(r => r.Map()).ToList();
                Assert.True(rules.Any(r => r.At("filter", "prefix") is string p && p.Length > 0 && key.StartsWith(p, StringComparison.Ordinal)),
                    $"{config.Stack}: {path} is written but no lifecycle rule names its prefix");
            }
        }
    }

    /// <summary>Write limits: in the results bucket the notebook may write only its work (query results, its scratch), in the bucket policy as in its role.</summary>
    [Fact]
    public void TheResultsBucketPolicyLetsTheNotebookWriteOnlyItsWork()
    {
        var deny = Demo.Named("resultsTlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).Single(s => (string)s["Sid"] == "NotebookWritesOnlyItsWork");
        Assert.Equal("Deny", deny["Effect"]);
        Assert.Equal("${notebookRole.arn}", deny.At("Principal", "AWS"));
        Assert.Contains("s3:PutObject", deny["Action"].List());
        Assert.Equal(new List<object> { "${resultsBucket.arn}/results/*", "${resultsBucket.arn}/scratch/*" }, deny["NotResource"]);
        Assert.Equal("scratch/", Demo.Named("resultsLifecycle")["rules"].List().Select(r => r.Map()).Single(r => (string)r["id"] == "expire-notebook-scratch").At("filter", "prefix"));
    }

    [Fact]
    public void CKV_AWS_82_WorkgroupsEnforceTheirConfiguration() =>
        Assert.All(Demo.OfType("aws:athena/workgroup:Workgroup"), w => Assert.Equal("true", w.Props.At("configuration", "enforceWorkgroupConfiguration")));

    [Fact]
    public void CKV_AWS_159_WorkgroupResultsAreKmsEncrypted()
    {
        foreach (var (name, wg) in Demo.OfType("aws:athena/workgroup:Workgroup"))
        {
            Assert.Equal("SSE_KMS", wg.At("configuration", "resultConfiguration", "encryptionConfiguration", "encryptionOption"));
            Assert.Equal("${labKey.arn}", wg.At("configuration", "resultConfiguration", "encryptionConfiguration", "kmsKeyArn"));
            Assert.Equal("Athena engine version 3", wg.At("configuration", "engineVersion", "selectedEngineVersion"));
            Assert.Equal("true", wg["forceDestroy"]);
        }
        Assert.Equal(SettingSpecs.DefaultBytesScannedCutoff.ToString(), Demo.Named("workgroup").At("configuration", "bytesScannedCutoffPerQuery"));
        Assert.Equal("s3://${resultsBucket.bucket}/results/", Demo.Named("workgroup").At("configuration", "resultConfiguration", "outputLocation"));
        Assert.Equal(SettingSpecs.DefaultImportBytesScannedCutoff.ToString(), Demo.Named("importWorkgroup").At("configuration", "bytesScannedCutoffPerQuery"));
        Assert.Equal("s3://${resultsBucket.bucket}/import-results/", Demo.Named("importWorkgroup").At("configuration", "resultConfiguration", "outputLocation"));
    }

    /// <summary>CKV_AWS_7 (rotation) and the data perimeter: a 30-day deletion window unless the stack says otherwise (7-30).</summary>
    [Fact]
    public void CKV_AWS_7_LabKeyRotatesAndWaits30DaysBeforeDeletion()
    {
        var key = Demo.Single("aws:kms/key:Key");
        Assert.Equal("true", key["enableKeyRotation"]);
        Assert.Equal("30", key["deletionWindowInDays"]);
        Assert.Equal("7", new ParsedProgram(Labs.Compile(Labs.Full31(("kmsDeletionWindowDays", "7")))).Single("aws:kms/key:Key")["deletionWindowInDays"]);
    }

    [Fact]
    public void CKV_AWS_33_KeyPolicyHasNoWildcardPrincipal()
    {
        foreach (var program in new[] { Demo, new ParsedProgram(Labs.Compile(Labs.Full31())) })
            foreach (var s in program.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(x => x.Map())
                         .Where(x => (string)x["Effect"] == "Allow"))   // a Deny may name every principal and narrow by condition
            {
                var principal = s["Principal"];
                Assert.IsNotType<string>(principal);   // never the bare "*"
                foreach (var value in principal.Map().Values)
                    Assert.DoesNotContain("*", value is List<object> l ? string.Join(" ", l) : value.ToString()!);
            }
    }

    private static List<Dictionary<object, object>> KeyStatements(ParsedProgram program) =>
        program.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();

    private static Dictionary<object, object> Sid(List<Dictionary<object, object>> statements, string sid) => statements.Single(s => (string)s["Sid"] == sid);

    /// <summary>
    /// The data perimeter (AwsSolutions-KMS5-style key-user separation; CIS AWS 3.x key policies): the account and the
    /// deployer administer the key but cannot use it; the lab's principals use it only through S3 and Athena.
    /// </summary>
    [Fact]
    public void Perimeter_KeyAdministratorsCannotUseTheKeyAndItsUsersOnlyThroughS3AndAthena()
    {
        var statements = KeyStatements(new ParsedProgram(Labs.Compile(Labs.Full31())));
        foreach (var admin in new[] { "AccountAdministersTheKey", "DeployerAdministersTheKey" })
        {
            var actions = Sid(statements, admin)["Action"].List().Cast<string>().ToList();
            Assert.Contains("kms:Put*", actions);   // the key policy stays changeable (KMS's lockout check names the caller)
            Assert.DoesNotContain(actions, a => a is "kms:*" or "kms:Decrypt" or "kms:Encrypt" or "kms:Create*" or "kms:CreateGrant" || a.StartsWith("kms:GenerateDataKey", StringComparison.Ordinal) || a.StartsWith("kms:ReEncrypt", StringComparison.Ordinal));
        }
        Assert.Equal("arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root", Sid(statements, "AccountAdministersTheKey").At("Principal", "AWS"));
        Assert.Equal("${awsDeployer.issuerArn}", Sid(statements, "DeployerAdministersTheKey").At("Principal", "AWS"));
        var use = Sid(statements, "LabPrincipalsUseTheKeyThroughS3AndAthena");
        // Full31 is credentialed: the deployer reads no data by default (deployerDataAccess none), so it is no user of the key.
        Assert.Equal(new List<object> { "${notebookRole.arn}", "${awsResearcher.arn}" }, use.At("Principal", "AWS"));
        Assert.Equal(new List<object> { "s3.us-east-1.amazonaws.com", "athena.us-east-1.amazonaws.com" }, use.At("Condition", "StringEquals", "kms:ViaService"));
        var grants = Sid(statements, "SageMakerGetsGrantsForTheNotebookVolume");
        Assert.Equal("true", grants.At("Condition", "Bool", "kms:GrantIsForAWSResource"));
        Assert.Equal(new List<object> { "${awsDeployer.issuerArn}", "${awsResearcher.arn}" }, grants.At("Principal", "AWS"));   // whoever starts the notebook
        // No statement lets the account's principals use the key for data (only the trail's log files, in AuditTrailTests).
        Assert.DoesNotContain(statements.Where(s => s["Principal"] is Dictionary<object, object> m && m.GetValueOrDefault("AWS") is string p && p.EndsWith(":root", StringComparison.Ordinal)),
            s => s["Action"] is List<object> a && a.Contains("kms:Decrypt") && s.At("Condition", "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn") is null);
        // Deliberate exception: an open lab that names no researcher lets the account's principals use the key through S3, as IAM allows.
        var open = Sid(KeyStatements(new ParsedProgram(Labs.Compile(Labs.Config("open", [("researcher", "r"), ("study", "s"), ("expires", "2027-06-30"), ("release", "mimic-iv-demo-2.2")])))),
            "LabPrincipalsUseTheKeyThroughS3AndAthena");
        Assert.Contains("arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root", open.At("Principal", "AWS").List());
        // ... and whoever IAM lets start its notebook gets the volume's grant.
        Assert.Contains("arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root",
            Sid(KeyStatements(new ParsedProgram(Labs.Compile(Labs.Demo))), "SageMakerGetsGrantsForTheNotebookVolume").At("Principal", "AWS").List());
    }

    /// <summary>
    /// The data perimeter (S3.6-style "no other principals"): the data and results buckets deny every object
    /// and listing action to all but the notebook's role, the deployer and the researcher; AWS services acting for them
    /// pass; bucket management (policy, configuration) is not denied, so an administrator can always recover a bucket.
    /// </summary>
    [Theory]
    [InlineData("data")]
    [InlineData("results")]
    public void Perimeter_TheLabsBucketsAdmitOnlyItsPrincipals(string bucket)
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Full31()));
        var deny = program.Named($"{bucket}TlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map())
            .Single(s => (string)s["Sid"] == "OnlyTheLabsPrincipalsReachItsObjects");
        Assert.Equal("Deny", deny["Effect"]);
        Assert.Equal("*", deny["Principal"]);
        Assert.Equal(new List<object> { "${notebookRole.arn}", "${awsDeployer.issuerArn}", "${awsResearcher.arn}" }, deny.At("Condition", "ArnNotEquals", "aws:PrincipalArn"));
        Assert.Equal("false", deny.At("Condition", "BoolIfExists", "aws:PrincipalIsAWSService"));
        var actions = deny["Action"].List().Cast<string>().ToList();
        // Every object verb (any version, tags, ACL, attributes, replication) and every listing.
        foreach (var verb in new[] { "s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:ListBucket*", "s3:ReplicateObject", "s3:PutReplicationConfiguration" })
            Assert.Contains(verb, actions);
        Assert.DoesNotContain(actions, a => a is "s3:*" or "s3:PutBucketPolicy" or "s3:DeleteBucketPolicy" or "s3:GetBucketPolicy");
        Assert.Equal(new List<object> { $"${{{bucket}Bucket.arn}}", $"${{{bucket}Bucket.arn}}/*" }, deny["Resource"]);
        // The deployer is read at every deploy: getSessionContext turns an assumed-role session into its role.
        Assert.Equal("aws:iam/getSessionContext:getSessionContext", program.Root.At("variables", "awsDeployer", "fn::invoke", "function"));
        Assert.Equal("${awsAccount.arn}", program.Root.At("variables", "awsDeployer", "fn::invoke", "arguments", "arn"));
        // The researcher's user is read too, so a wrong or missing user fails the preview by name, before any change.
        Assert.Equal("aws:iam/getUser:getUser", program.Root.At("variables", "awsResearcher", "fn::invoke", "function"));
        Assert.Equal("jdoe", program.Root.At("variables", "awsResearcher", "fn::invoke", "arguments", "userName"));
        // Pulumi's own objects go before the policy on destroy, while it still admits the deployer.
        Assert.Contains("dataTlsOnlyPolicy", program.Resources.Single(r => r.Name == "importScript").Options!["dependsOn"].List().Cast<string>().Select(d => d.Trim('$', '{', '}')));
    }

    [Fact]
    public void Perimeter_ResearcherArnIsRequiredForCredentialedLabsAndValidated()
    {
        string Error(params (string, string)[] settings) =>
            Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Config("p", settings), Labs.Catalog)).Message;
        (string, string)[] basics = [("researcher", "jdoe"), ("study", "s"), ("expires", "2027-06-30"), ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\"]"), ("sourceUri", "s3://my-copy/mimiciv/3.1/")];
        Assert.Contains("researcherPrincipalArn: is required for mimic-iv-3.1 on AWS", Error(basics));
        foreach (var bad in new[] { "arn:aws:iam::111122223333:role/jdoe", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::1111:user/jdoe", "jdoe", "arn:aws:iam::111122223333:user/${x}" })
            Assert.Contains("is not an IAM user ARN", Error([.. basics, ("researcherPrincipalArn", bad)]));
        Assert.Contains("the lab is bound to '444455556666'", Error([.. basics, ("researcherPrincipalArn", Labs.ResearcherArn), ("awsAccountId", "444455556666")]));
        Assert.Contains("kmsDeletionWindowDays", Error([.. basics, ("researcherPrincipalArn", Labs.ResearcherArn), ("kmsDeletionWindowDays", "3")]));
        Assert.Contains("applies only to the lab key", Error([.. basics, ("researcherPrincipalArn", Labs.ResearcherArn), ("kmsDeletionWindowDays", "20"), ("resultsEncryption", "s3")]));
        // A path is part of a user's ARN.
        Assert.Equal("arn:aws:iam::012345678901:user/lab/jdoe",
            LabSettingsReader.Read(Labs.Config("p", [.. basics, ("researcherPrincipalArn", "arn:aws:iam::012345678901:user/lab/jdoe")]), Labs.Catalog).Aws!.Perimeter.ResearcherArn);
    }

    /// <summary>The data perimeter: the researcher's ready policy uses exactly this workgroup, these databases and this notebook.</summary>
    [Fact]
    public void Perimeter_ResearcherPolicyUsesOnlyThisLab()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Full31()));
        var statements = program.Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToDictionary(s => (string)s["Sid"]);
        Assert.Equal(new List<object> { "${workgroup.arn}" }, statements["RunQueriesInTheLabWorkgroup"]["Resource"]);
        Assert.Equal(new List<object> { "arn:${awsPartition.partition}:sagemaker:us-east-1:${awsAccount.accountId}:notebook-instance/" + program.Outputs["labName"] },
            statements["UseTheLabNotebook"]["Resource"]);
        Assert.Contains("sagemaker:CreatePresignedNotebookInstanceUrl", statements["UseTheLabNotebook"]["Action"].List());
        Assert.DoesNotContain(statements["ReadTheLabCatalog"]["Resource"].List().Cast<string>(), r => r.Contains("_import"));
        // Starting the notebook after its idle stop: its role passed to SageMaker only, and in its VPC its network interface.
        Assert.Equal(new List<object> { "${notebookRole.arn}" }, statements["StartTheNotebookWithItsRole"]["Resource"]);
        Assert.Equal("sagemaker.amazonaws.com", statements["StartTheNotebookWithItsRole"].At("Condition", "StringEquals", "iam:PassedToService"));
        Assert.Contains("ec2:CreateNetworkInterface", statements["StartTheNotebookInItsSubnet"]["Action"].List());
        Assert.Contains("athena:ListTableMetadata", statements["BrowseTheCatalogInTheConsole"]["Action"].List());
        // "*" only for listing and EC2's Describe calls (which take no other resource); every other statement names this lab's resources.
        Assert.All(statements.Where(s => s.Value["Resource"].List().Contains("*")),
            s => Assert.All(s.Value["Action"].List().Cast<string>(), a => Assert.True(a.Contains(":List") || a.StartsWith("ec2:Describe", StringComparison.Ordinal), a)));
        // A notebook with direct internet has no network interface of the lab's to attach.
        var internet = new ParsedProgram(Labs.Compile(Labs.Full31(("notebookNetwork", "internet")))).Outputs["researcherPolicy"].At("fn::toJSON", "Statement").List();
        Assert.DoesNotContain(internet, s => (string)s.Map()["Sid"] == "StartTheNotebookInItsSubnet");
    }

    [Fact]
    public void EveryTaggableResourceCarriesTheLabTags()
    {
        var schemas = Labs.Schemas();
        var taggable = Demo.Resources.Where(r => schemas["aws"].Resource(r.Type) is { } s && ProviderSchema.Inputs(s).Any(i => i.Name == "tags")).ToList();
        Assert.True(taggable.Count >= 10);
        foreach (var r in taggable.Where(r => r.Type != "aws:s3/bucketObjectv2:BucketObjectv2"))
        {
            var tags = r.Props["tags"].Map();
            Assert.Equal(["lab", "researcher", "study", "expires", "managed-by", "purpose"], tags.Keys.Cast<string>());
            Assert.Equal("2027-06-30", tags["expires"]);
        }
    }

    /// <summary>S3 takes at most 10 tags per object: objects carry the lab's name only, whatever the stack's extra tags.</summary>
    [Fact]
    public void ObjectsStayWithinS3sTenTagsWithManyExtraTags()
    {
        var extra = "[" + string.Join(",", Enumerable.Range(1, 8).Select(i => $"\"t{i}=v\"")) + "]";
        var program = new ParsedProgram(Labs.Compile(Labs.Full31(("tags", extra))));
        var objects = program.OfType("aws:s3/bucketObjectv2:BucketObjectv2");
        Assert.Equal(2, objects.Count);   // the import script and the example notebook
        Assert.All(objects, o => Assert.Equal(["lab", "managed-by"], o.Props["tags"].Map().Keys.Cast<string>()));
        Assert.Equal(13, program.Named("resultsBucket")["tags"].Map().Count);   // buckets (50 tags) carry the full set
    }

    [Fact]
    public void DestroyRemovesEverythingUnlessResultsAreKept()
    {
        Assert.All(Demo.OfType("aws:s3/bucket:Bucket"), b => Assert.Equal("true", b.Props["forceDestroy"]));
        Assert.All(Demo.Resources, r => Assert.False(r.Options?.ContainsKey("retainOnDelete") ?? false));
        var kept = new ParsedProgram(Labs.Compile(Labs.Full31(("keepResultsOnDestroy", "true"))));
        var bucket = kept.Resources.Single(r => r.Name == "resultsBucket");
        Assert.Equal("false", bucket.Props["forceDestroy"]);
        Assert.Equal("true", bucket.Options!["retainOnDelete"]);
        Assert.Equal("true", kept.Named("dataBucket")["forceDestroy"]);   // the copy can be imported again; results cannot
        // Kept results stay readable only while their key lives.
        Assert.Equal("true", kept.Resources.Single(r => r.Type == "aws:kms/key:Key").Options!["retainOnDelete"]);
    }
}
