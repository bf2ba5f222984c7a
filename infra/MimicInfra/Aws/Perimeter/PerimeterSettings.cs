namespace MimicInfra.Aws.Perimeter;

/// <summary>
/// Who the lab admits: the researcher's verified IAM user (researcherPrincipalArn; required for credentialed
/// releases), how long a deleted lab key can still be recovered, and whether the deployer may read the data
/// (deployerDataAccess read) or only administer the buckets and key (none).
/// </summary>
public sealed record PerimeterSettings(string? ResearcherArn, int KeyDeletionWindowDays, bool DeployerReads = true)
{
    public const int DefaultKeyDeletionWindowDays = 30;
    public static readonly PerimeterSettings Open = new(null, DefaultKeyDeletionWindowDays);

    /// <summary>Whether the lab's buckets and key admit only its own principals (a researcher is named).</summary>
    public bool Closed => ResearcherArn is not null;
}
