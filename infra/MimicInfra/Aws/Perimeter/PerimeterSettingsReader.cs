using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using static MimicInfra.Lab.ConfigValues;

namespace MimicInfra.Aws.Perimeter;

/// <summary>The data perimeter's and keys' settings: researcherPrincipalArn, kmsDeletionWindowDays, glueCatalogKmsKeyArn, deployerDataAccess.</summary>
public static partial class PerimeterSettingsReader
{
    /// <summary>researcherPrincipalArn, kmsDeletionWindowDays (only with the lab key: kms) and deployerDataAccess.</summary>
    public static PerimeterSettings Read(ConfigValues c, Release? release, string region, bool kms)
    {
        var arn = c.Str("researcherPrincipalArn");
        const string form = "arn:aws:iam::ACCOUNT:user/NAME, the IAM user PhysioNet verified, as `aws iam get-user --user-name NAME --query User.Arn` prints it";
        if (arn is null)
        {
            if (release?.Access == Access.Credentialed)
                c.Problem("researcherPrincipalArn", $"is required for {release.Id} on AWS: set it to {form}. The lab's buckets and key then admit only that user, " +
                                                    "the notebook's role and the deployer, and that user runs the import.");
        }
        else if (ResearcherUserArn().Match(arn) is not { Success: true } match)
            c.Problem("researcherPrincipalArn", $"{Q(arn)} is not an IAM user ARN; write it as {form} (no wildcards: PhysioNet authorizes one verified user, never a role).");
        else
        {
            if (match.Groups["partition"].Value != LabSettingsReader.PartitionOf(region))
                c.Problem("researcherPrincipalArn", $"{Q(arn)} is in partition {match.Groups["partition"].Value}, the lab's region {region} in {LabSettingsReader.PartitionOf(region)}; name the user of the lab's account.");
            if (c.Str("awsAccountId") is { } account && account != match.Groups["account"].Value)
                c.Problem("researcherPrincipalArn", $"{Q(arn)} is a user of account {match.Groups["account"].Value}, the lab is bound to {Q(account)} (awsAccountId); the researcher imports and works in the lab's account, so name their user there.");
        }
        var window = (int)c.Integer("kmsDeletionWindowDays", 7, 30);
        if (!kms && c.Has("kmsDeletionWindowDays"))
            c.Problem("kmsDeletionWindowDays", "applies only to the lab key (resultsEncryption kms); remove it, or set resultsEncryption to kms.");
        var deployer = c.Str("deployerDataAccess") ?? (release?.Access == Access.Credentialed ? "none" : "read");
        if (deployer is not ("none" or "read"))
            c.Problem("deployerDataAccess", $"{Q(deployer)} must be none (the deployer administers the buckets and key but reads no data) or read (it reads the data too).");
        return new PerimeterSettings(arn, window, DeployerReads: deployer == "read");
    }

    /// <summary>
    /// The key of an encrypted Glue Data Catalog (an account-level setting the lab does not own, CKV_AWS_94): every
    /// policy that queries through Athena needs it (Athena User Guide, "access-encrypted-data-glue-data-catalog").
    /// </summary>
    public static string? GlueCatalogKey(ConfigValues c, string region)
    {
        var arn = c.Str("glueCatalogKmsKeyArn");
        if (arn is null) return null;
        var m = KmsKeyArn().Match(arn);
        if (!m.Success)
            c.Problem("glueCatalogKmsKeyArn", $"{Q(arn)} is not a KMS key ARN; write it as arn:aws:kms:REGION:ACCOUNT:key/KEY-ID, as `aws glue get-data-catalog-encryption-settings` shows the key (a key ARN, not an alias).");
        else if (m.Groups["region"].Value != region)
            c.Problem("glueCatalogKmsKeyArn", $"{Q(arn)} is in {m.Groups["region"].Value}; the Data Catalog the lab uses is in {region}, and its key is there.");
        else if (c.Str("awsAccountId") is { } account && account != m.Groups["account"].Value)
            c.Problem("glueCatalogKmsKeyArn", $"{Q(arn)} is a key of account {m.Groups["account"].Value}, the lab is bound to {Q(account)} (awsAccountId); name the key of the lab account's catalog.");
        return arn;
    }

    [GeneratedRegex(@"^arn:(aws|aws-us-gov|aws-cn):kms:(?<region>[a-z]{2}(-[a-z]+)+-[0-9]):(?<account>[0-9]{12}):key/[A-Za-z0-9-]{1,128}$")]
    private static partial Regex KmsKeyArn();

    // An IAM user ARN: partition, 12-digit account, optional path, user name (IAM's characters; never a wildcard).
    [GeneratedRegex(@"^arn:(?<partition>aws|aws-us-gov|aws-cn):iam::(?<account>[0-9]{12}):user/(?:[A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$")]
    private static partial Regex ResearcherUserArn();
}
