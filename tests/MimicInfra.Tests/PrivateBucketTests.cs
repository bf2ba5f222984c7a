using MimicInfra.Aws;
using MimicInfra.Aws.Data;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>A lab bucket built alone from its arguments: its guards, the handles it gives, and what it refuses.</summary>
public class PrivateBucketTests
{
    private static (ProgramBuilder Program, BucketHandles Handles) Bucket(PrivateBucketArgs args)
    {
        var program = new ProgramBuilder();
        program.Add(AwsProvider.Name, "pulumi:providers:aws", new YMap(), null);
        return (program, new PrivateBucket(program, args).Build());
    }

    private static PrivateBucketArgs Args => new()
    {
        LogicalPrefix = "audit",
        BucketNamePrefix = "mimic-lab-audit-",
        Tags = YMap.Of(("lab", "l")),
        Expiry = [new("expire-records", "", 365, NoncurrentDays: 1)],
    };

    [Fact]
    public void AKeptVersionedLockedBucketKeepsEveryGuardAndLocksAfterVersioning()
    {
        var (builder, handles) = Bucket(Args with { KeepOnDestroy = true, Versioned = true, ObjectLockDays = 365, KmsKeyArn = "arn:aws:kms:us-east-1:012345678901:key/k" });
        var program = builder.Build("p", "d");
        Assert.Equal(["awsProvider", "auditBucket", "auditPublicAccessBlock", "auditOwnership", "auditEncryption", "auditTlsOnlyPolicy", "auditVersioning", "auditObjectLock", "auditLifecycle"],
            program.Resources.Select(r => r.Name));
        Assert.Equal(("auditBucket", "auditEncryption", "auditTlsOnlyPolicy"), (handles.Bucket.LogicalName, handles.Encryption.LogicalName, handles.Policy.LogicalName));
        Assert.All(program.Resources.Skip(1), r => Assert.True(r.Options!.RetainOnDelete, r.Name));
        Assert.Equal(["auditVersioning"], program.Resources.Single(r => r.Name == "auditObjectLock").Options!.DependsOn);
        Assert.Equal(["auditPublicAccessBlock"], program.Resources.Single(r => r.Name == "auditTlsOnlyPolicy").Options!.DependsOn);
        Assert.Contains("${auditBucket.id}", ProgramYaml.Write(program), StringComparison.Ordinal);
    }

    [Fact]
    public void ADestroyedBucketRetainsNothingButALockedBucketsVersioning()
    {
        var program = Bucket(Args with { Versioned = true, ObjectLockDays = 30 }).Program.Build("p", "d");
        Assert.Equal(["auditVersioning", "auditObjectLock"], program.Resources.Where(r => r.Options?.RetainOnDelete == true).Select(r => r.Name));
    }

    [Fact]
    public void ObjectLockWithoutVersioningIsRefused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Bucket(Args with { ObjectLockDays = 30 }));
        Assert.Contains("versioned", e.Message);
    }

    [Fact]
    public void ADeclaredBucketIsAddedUnderItsHandle()
    {
        var program = new ProgramBuilder();
        program.Add(AwsProvider.Name, "pulumi:providers:aws", new YMap(), null);
        var declared = program.Declare("resultsBucket");
        var statement = YMap.Of(("Sid", "Named"), ("Resource", declared.Arn));
        var handles = new PrivateBucket(program, Args with { LogicalPrefix = "results", Bucket = declared, Statements = [statement] }).Build();
        Assert.Same(declared, handles.Bucket);
        var policy = (YMap)((YMap)program.Build("p", "d").Resources.Single(r => r.Name == "resultsTlsOnlyPolicy").Properties["policy"]!)["fn::toJSON"]!;
        Assert.Equal(["DenyInsecureTransport", "Named"], ((List<object>)policy["Statement"]!).Select(st => ((YMap)st)["Sid"]));
    }
}
