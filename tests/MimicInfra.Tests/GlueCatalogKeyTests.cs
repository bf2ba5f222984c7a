using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// CKV_AWS_94 (Glue Data Catalog encryption). Deliberate exception: the setting is the account's, shared by every lab
/// and every other Glue user there, so the lab never turns it on or off; where the platform has, glueCatalogKmsKeyArn
/// names its key and every policy that queries through Athena may use it (Athena User Guide, access-encrypted-data-glue-data-catalog).
/// </summary>
public class GlueCatalogKeyTests
{
    private const string Key = "arn:aws:kms:us-east-1:012345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void CKV_AWS_94_Exception_AnEncryptedCatalogsKeyReachesEveryPolicyThatQueries()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Full31(("glueCatalogKmsKeyArn", Key))));
        var policies = new List<object?>
        {
            program.Named("notebookRolePolicy").At("policy", "fn::toJSON"),
            program.Outputs["researcherPolicy"].At("fn::toJSON"),
            program.Outputs["researcherImportPolicy"].At("fn::toJSON"),
        };
        foreach (var policy in policies)
        {
            var statement = policy.At("Statement").List().Select(s => s.Map()).Single(s => (string)s["Sid"] == "UseTheGlueCatalogKey");
            Assert.Equal(new List<object> { Key }, statement["Resource"]);
            Assert.Equal(new List<object> { "kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt" }, statement["Action"]);
        }
        Assert.DoesNotContain("UseTheGlueCatalogKey", Labs.Compile(Labs.Full31()));
    }

    [Theory]
    [InlineData("alias/glue", "is not a KMS key ARN")]
    [InlineData("arn:aws:kms:us-east-1:012345678901:key/*", "is not a KMS key ARN")]
    [InlineData("arn:aws:kms:eu-west-1:012345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab", "the Data Catalog the lab uses is in us-east-1")]
    [InlineData("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "the lab is bound to '012345678901'")]
    public void ABadCatalogKeyIsRefusedNamingTheFix(string value, string message) =>
        Assert.Contains(message, Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Full31(("glueCatalogKmsKeyArn", value), ("awsAccountId", "012345678901")), Labs.Catalog)).Message);
}
