using MimicInfra.Aws;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Perimeter;

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

/// <summary>
/// The lab's data perimeter on AWS (issue 13 item 5). Its data, results and key admit only the notebook's role,
/// the researcher's IAM user and the principal deploying the lab (read at each deploy with getSessionContext,
/// which turns an assumed-role session into its role's ARN). The key separates administration (the account,
/// through IAM, and the deployer) from use, which only those principals get, and only through S3 and Athena
/// (kms:ViaService); SageMaker gets grants for the notebook volume. The buckets deny every object and listing
/// action to anyone else, but not bucket management, so an administrator can always recover a bucket.
/// Without a researcher (open releases only) the key's users are the account's principals, as IAM allows.
/// </summary>
public static class LabPerimeter
{
    /// <summary>The deployer's ARN: the role of an assumed-role session, or the IAM user itself.</summary>
    public const string Deployer = "${awsDeployer.issuerArn}";

    public const string Root = "arn:${awsPartition.partition}:iam::${awsAccount.accountId}:root";

    /// <summary>The variable that names the deployer: getSessionContext of getCallerIdentity's ARN.</summary>
    public static YMap DeployerVariable() => AwsLab.Invoke("aws:iam/getSessionContext:getSessionContext", YMap.Of(("arn", "${awsAccount.arn}")));

    /// <summary>Key administration without use: AWS's key-administrator actions, less kms:Create* (CreateGrant would let an administrator grant itself use).</summary>
    public static readonly string[] AdministerActions =
    [
        "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
        "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:RotateKeyOnDemand",
    ];

    public static readonly string[] UseActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];

    /// <summary>The researcher's IAM user as getUser reads it at each deploy: a user that does not exist fails the preview at once, by name.</summary>
    public const string Researcher = "${awsResearcher.arn}";

    /// <summary>The variable that reads the researcher's user (only when the lab names one).</summary>
    public static YMap? ResearcherVariable(LabSettings lab) => lab.Aws!.Perimeter.ResearcherArn is { } arn
        ? AwsLab.Invoke("aws:iam/getUser:getUser", YMap.Of(("userName", arn[(arn.LastIndexOf('/') + 1)..])))
        : null;

    /// <summary>The principals the lab admits, in a fixed order.</summary>
    public static IReadOnlyList<object> Admitted(LabSettings lab) =>
    [
        .. lab.Aws!.Notebook is null ? Array.Empty<object>() : ["${notebookRole.arn}"],
        Deployer,
        .. lab.Aws.Perimeter.Closed ? [Researcher] : Array.Empty<object>(),
    ];

    /// <summary>The services that call the key for the lab's principals (S3 for objects, Athena for its results).</summary>
    public static IReadOnlyList<object> ViaServices(LabSettings lab) =>
        [$"s3.{lab.Aws!.Region}.amazonaws.com", $"athena.{lab.Aws.Region}.amazonaws.com"];

    public static IReadOnlyList<YMap> KeyStatements(LabSettings lab)
    {
        var perimeter = lab.Aws!.Perimeter;
        // Open labs (no researcher named): whoever IAM lets use the key through S3, as before, plus the lab's own principals.
        var users = perimeter.Closed ? Admitted(lab) : [.. Admitted(lab), Root];
        // Whoever starts the notebook may need a grant for its volume: the researcher, or in an open lab whoever IAM allows.
        var grantees = new List<object> { Deployer, perimeter.Closed ? Researcher : Root };
        return
        [
            Allow("AccountAdministersTheKey", Root, AdministerActions),
            Allow("DeployerAdministersTheKey", Deployer, AdministerActions),
            Allow("LabPrincipalsUseTheKeyThroughS3AndAthena", users, UseActions,
                YMap.Of(("StringEquals", YMap.Of(("kms:ViaService", ViaServices(lab)))))),
            Allow("SageMakerGetsGrantsForTheNotebookVolume", grantees, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                YMap.Of(("Bool", YMap.Of(("kms:GrantIsForAWSResource", "true"))))),
        ];
    }

    /// <summary>The statement that closes a bucket to everyone but the lab's principals (nothing when the lab names no researcher).</summary>
    public static IReadOnlyList<YMap> BucketStatements(LabSettings lab, string bucket) => !lab.Aws!.Perimeter.Closed ? [] :
    [
        YMap.Of(
            ("Sid", "OnlyTheLabsPrincipalsReachItsObjects"),
            ("Effect", "Deny"),
            ("Principal", "*"),
            ("Action", ObjectActions.Cast<object>().ToList()),
            ("Resource", new object[] { $"${{{bucket}.arn}}", $"${{{bucket}.arn}}/*" }),
            ("Condition", YMap.Of(
                ("ArnNotEquals", YMap.Of(("aws:PrincipalArn", Admitted(lab)))),
                ("BoolIfExists", YMap.Of(("aws:PrincipalIsAWSService", "false")))))),
    ];

    /// <summary>
    /// Every action on objects (reading any version, its tags and ACL, writing, deleting, restoring, replicating) and
    /// every listing: what the perimeter denies. Bucket management stays with IAM, so an account administrator can
    /// always repair the bucket (and could, by rewriting its policy, also open it: the perimeter keeps out everyone
    /// else in the account, not its administrators).
    /// </summary>
    public static readonly string[] ObjectActions =
    [
        "s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
        "s3:ListBucket*", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload", "s3:PutReplicationConfiguration",
    ];

    private static YMap Allow(string sid, object principals, string[] actions, YMap? condition = null) =>
        Iam.KeyPolicyStatement(sid, YMap.Of(("AWS", principals)), actions.Cast<object>().ToList(), condition);
}
