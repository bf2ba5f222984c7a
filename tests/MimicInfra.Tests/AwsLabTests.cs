using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class AwsLabCheckTests(ITestOutputHelper output)
{
    public static TheoryData<string> Stacks => new() { "demo", "full31", "csv31", "full31-sse-s3-kept", "iii-demo", "ed-demo" };

    private static StackConfig Stack(string name) => name switch
    {
        "demo" => Labs.Demo,
        "full31" => Labs.Full31(),
        "csv31" => Labs.Csv31(),
        "full31-sse-s3-kept" => Labs.Full31(("resultsEncryption", "s3"), ("keepResultsOnDestroy", "true")),
        "iii-demo" => Labs.Config("iii", [.. Labs.Basics, ("release", "mimic-iii-demo-1.4"), ("modules", "[\"clinical\"]")]),
        "ed-demo" => Labs.Config("ed", [.. Labs.Basics, ("release", "mimic-iv-ed-demo-2.2"), ("aws:region", "eu-west-1")]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void ProgramConformsToTheProviderSchemas(string stack)
    {
        var schemas = Labs.Schemas();
        var report = new ProgramChecker(schemas).Check(Labs.Compile(Stack(stack)));
        output.WriteLine($"{stack}: {report.Resources} resources, {report.References} references");
        foreach (var (type, n) in report.ResourcesByType) output.WriteLine($"  {n,4} {type}");
        Assert.Empty(report.Problems);
        Assert.True(report.Resources > 10);
    }

    [Fact]
    public void ResourceCountsFollowTheCatalog()
    {
        var demo = new ParsedProgram(Labs.Compile(Labs.Demo));
        // 31 tables x (manifest, raw table, typed view) + provider, key, alias, 6 bucket resources, 2 databases, workgroup
        // + notebook: role, role policy, example notebook object, lifecycle configuration, instance
        Assert.Equal(31 * 3 + 12 + 5, demo.Resources.Count());
        var full = new ParsedProgram(Labs.Compile(Labs.Full31()));
        // 41 tables x one Parquet table + provider, key, alias, 6 bucket resources, 1 database, workgroup + notebook (5)
        Assert.Equal(41 + 11 + 5, full.Resources.Count());
        Assert.Equal(41L, Convert.ToInt64(full.Outputs["tableCount"]));
    }

    [Fact]
    public void CheckCommandNamesEveryResourceTypeAndPasses()
    {
        // The schemas built into the program: `check` needs nothing outside the repository.
        var (code, stdout, stderr) = Cli.Run(["check", "--stack", "demo"]);
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("stack demo: 110 resources", stdout);
        Assert.EndsWith("ok: no problems\n", stdout);
    }

    [Fact]
    public void CheckCommandFailsOnABrokenProgram()
    {
        var file = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, Labs.Compile(Labs.Demo).Replace("enableKeyRotation: true", "enableKeyRotation: \"yes\""));
        try
        {
            var (code, _, stderr) = Cli.Run(["check", "--file", file]);
            Assert.Equal(1, code);
            Assert.Contains("problem: labKey.enableKeyRotation: string 'yes' is not assignable to boolean", stderr);
        }
        finally { File.Delete(file); }
    }
}

/// <summary>
/// Security rules on the emitted program, named by their Checkov ids. Deliberate exceptions, with reasons:
/// <list type="bullet">
/// <item>CKV_AWS_18 (access logging) and CKV_AWS_144 (cross-region replication): the bucket holds only
/// expiring query results of one researcher; Athena and CloudTrail already record who queried what.</item>
/// <item>CKV_AWS_21 (versioning): results are written once and expire; versions would outlive the
/// retention the lab promises.</item>
/// <item>CKV2_AWS_62 (event notifications): nothing consumes them.</item>
/// <item>CKV_AWS_145 with resultsEncryption=s3: an explicit opt-out for accounts that cannot create KMS keys;
/// the bucket is still encrypted (SSE-S3, CKV_AWS_19 holds).</item>
/// </list>
/// </summary>
public class AwsSecurityRuleTests
{
    private static readonly ParsedProgram Demo = new(Labs.Compile(Labs.Demo));

    [Fact]
    public void CKV_AWS_53_54_55_56_AllFourPublicAccessBlocksAreOn()
    {
        var pab = Demo.Single("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        Assert.Equal("${resultsBucket.id}", pab["bucket"]);
        foreach (var key in new[] { "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets" })
            Assert.Equal("true", pab[key]);
    }

    [Fact]
    public void CKV2_AWS_65_AclsAreDisabledByBucketOwnerEnforced() =>
        Assert.Equal("BucketOwnerEnforced", Demo.Single("aws:s3/bucketOwnershipControls:BucketOwnershipControls").At("rule", "objectOwnership"));

    [Fact]
    public void CKV_AWS_19_145_ResultsAreEncryptedWithTheLabKmsKey()
    {
        var rule = Demo.Single("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").At("rules", 0);
        Assert.Equal("aws:kms", rule.At("applyServerSideEncryptionByDefault", "sseAlgorithm"));
        Assert.Equal("${labKey.arn}", rule.At("applyServerSideEncryptionByDefault", "kmsMasterKeyId"));
        Assert.Equal("true", rule.At("bucketKeyEnabled"));
    }

    [Fact]
    public void CKV_AWS_145_Exception_OptOutStillEncryptsWithS3Keys()
    {
        var optOut = new ParsedProgram(Labs.Compile(Labs.Full31(("resultsEncryption", "s3"))));
        var rule = optOut.Single("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").At("rules", 0);
        Assert.Equal("AES256", rule.At("applyServerSideEncryptionByDefault", "sseAlgorithm"));
        Assert.Empty(optOut.OfType("aws:kms/key:Key"));
        Assert.Equal("SSE_S3", optOut.Single("aws:athena/workgroup:Workgroup").At("configuration", "resultConfiguration", "encryptionConfiguration", "encryptionOption"));
    }

    [Fact]
    public void CKV_AWS_379_BucketPolicyDeniesEveryNonTlsRequest()
    {
        var policy = Demo.Single("aws:s3/bucketPolicy:BucketPolicy").At("policy", "fn::toJSON");
        var statement = Assert.Single(policy.At("Statement").List()).Map();
        Assert.Equal("Deny", statement["Effect"]);
        Assert.Equal("s3:*", statement["Action"]);
        Assert.Equal(new List<object> { "${resultsBucket.arn}", "${resultsBucket.arn}/*" }, statement["Resource"]);
        Assert.Equal("false", statement.At("Condition", "Bool", "aws:SecureTransport"));
    }

    [Fact]
    public void CKV2_AWS_61_CKV_AWS_300_LifecycleExpiresResultsAndAbortsUploads()
    {
        var rules = Demo.Single("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"].List().Select(r => r.Map()).ToList();
        var expire = rules.Single(r => (string)r["id"] == "expire-query-results");
        Assert.Equal("results/", expire.At("filter", "prefix"));
        Assert.Equal("30", expire.At("expiration", "days"));
        Assert.Equal("1", rules.Single(r => (string)r["id"] == "abort-incomplete-uploads").At("abortIncompleteMultipartUpload", "daysAfterInitiation"));
        Assert.All(rules, r => Assert.Equal("Enabled", r["status"]));
    }

    [Fact]
    public void CKV_AWS_82_WorkgroupEnforcesItsConfiguration() =>
        Assert.Equal("true", Demo.Single("aws:athena/workgroup:Workgroup").At("configuration", "enforceWorkgroupConfiguration"));

    [Fact]
    public void CKV_AWS_159_WorkgroupResultsAreKmsEncrypted()
    {
        var wg = Demo.Single("aws:athena/workgroup:Workgroup");
        Assert.Equal("SSE_KMS", wg.At("configuration", "resultConfiguration", "encryptionConfiguration", "encryptionOption"));
        Assert.Equal("${labKey.arn}", wg.At("configuration", "resultConfiguration", "encryptionConfiguration", "kmsKeyArn"));
        Assert.Equal("Athena engine version 3", wg.At("configuration", "engineVersion", "selectedEngineVersion"));
        Assert.Equal(SettingSpecs.DefaultBytesScannedCutoff.ToString(), wg.At("configuration", "bytesScannedCutoffPerQuery"));
        Assert.Equal("true", wg["forceDestroy"]);
    }

    [Fact]
    public void CKV_AWS_7_LabKeyRotatesWithAShortDeletionWindow()
    {
        var key = Demo.Single("aws:kms/key:Key");
        Assert.Equal("true", key["enableKeyRotation"]);
        Assert.Equal("7", key["deletionWindowInDays"]);
    }

    [Fact]
    public void CKV_AWS_33_KeyPolicyHasNoWildcardPrincipal()
    {
        var statements = Demo.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List();
        foreach (var s in statements.Select(x => x.Map()))
        {
            var principal = s["Principal"];
            Assert.IsNotType<string>(principal);   // never the bare "*"
            foreach (var value in principal.Map().Values)
                Assert.DoesNotContain("*", value.ToString());
            Assert.Equal("arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root", principal.At("AWS"));
        }
    }

    [Fact]
    public void EveryTaggableResourceCarriesTheLabTags()
    {
        var schemas = Labs.Schemas();
        var taggable = Demo.Resources.Where(r => schemas["aws"].Resource(r.Type) is { } s && ProviderSchema.Inputs(s).Any(i => i.Name == "tags")).ToList();
        Assert.True(taggable.Count >= 35);
        foreach (var r in taggable)
        {
            var tags = r.Props["tags"].Map();
            Assert.Equal(["lab", "researcher", "study", "expires", "managed-by", "purpose"], tags.Keys.Cast<string>());
            Assert.Equal("2027-06-30", tags["expires"]);
        }
    }

    [Fact]
    public void DestroyRemovesEverythingUnlessResultsAreKept()
    {
        Assert.Equal("true", Demo.Single("aws:s3/bucket:Bucket")["forceDestroy"]);
        Assert.All(Demo.Resources, r => Assert.False(r.Options?.ContainsKey("retainOnDelete") ?? false));
        var kept = new ParsedProgram(Labs.Compile(Labs.Full31(("keepResultsOnDestroy", "true"))));
        var bucket = kept.Resources.Single(r => r.Type == "aws:s3/bucket:Bucket");
        Assert.Equal("false", bucket.Props["forceDestroy"]);
        Assert.Equal("true", bucket.Options!["retainOnDelete"]);
        // Kept results stay readable only while their key lives.
        Assert.Equal("true", kept.Resources.Single(r => r.Type == "aws:kms/key:Key").Options!["retainOnDelete"]);
    }
}
