using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>Security for credentialed data, in one lab: a credentialed MIMIC-IV 3.1 lab from PhysioNet's access points.</summary>
public class CredentialedLabSecurityTests
{
    [Fact]
    public void ACredentialedLabHasNoDirectInternetAPerimeterAnAuditTrailAndWriteLimits()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var text = Labs.Compile(Labs.Csv31());
        var program = new ParsedProgram(text);
        // No direct internet: the lab's VPC, no way out (SageMaker.1/.2, CKV_AWS_122).
        var notebook = program.Single("aws:sagemaker/notebookInstance:NotebookInstance");
        Assert.Equal("Disabled", notebook["directInternetAccess"]);
        Assert.NotNull(notebook["subnetId"]);
        Assert.DoesNotContain(program.Resources, r => r.Type is "aws:ec2/internetGateway:InternetGateway" or "aws:ec2/natGateway:NatGateway");
        // A perimeter on both buckets and the key.
        foreach (var policy in new[] { "dataTlsOnlyPolicy", "resultsTlsOnlyPolicy" })
            Assert.Contains(program.Named(policy).At("policy", "fn::toJSON", "Statement").List(), s => (string)s.Map()["Sid"] == "OnlyTheLabsPrincipalsReachItsObjects");
        Assert.Contains(program.Single("aws:kms/key:Key").At("policy", "fn::toJSON", "Statement").List(), s => (string)s.Map()["Sid"] == "LabPrincipalsUseTheKeyThroughS3AndAthena");
        // An audit trail (CloudTrail.1), by default.
        Assert.Equal("true", program.Single("aws:cloudtrail/trail:Trail")["isMultiRegionTrail"]);
        // Write limits: the notebook never writes the data, and in the results bucket only its work.
        Assert.Contains(program.Named("dataTlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List(), s => (string)s.Map()["Sid"] == "NotebookNeverWritesTheData");
        Assert.Contains(program.Named("resultsTlsOnlyPolicy").At("policy", "fn::toJSON", "Statement").List(), s => (string)s.Map()["Sid"] == "NotebookWritesOnlyItsWork");
        // And `check` finds nothing: schemas, references and the lab's own rules.
        Assert.Empty(new ProgramChecker(Labs.Schemas()).Check(text).Problems);
        Assert.Empty(LabRules.Check(text, lab));
    }
}
