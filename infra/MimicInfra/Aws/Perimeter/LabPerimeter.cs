using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Aws.Perimeter;

/// <summary>What the perimeter's statements depend on: its settings, the lab's region and notebook, and the lab's handles.</summary>
public sealed record LabPerimeterArgs
{
    public required PerimeterSettings Settings { get; init; }
    public required string Region { get; init; }

    /// <summary>The lab's notebook (null: none): its role is admitted, and bound to the lab VPC's S3 endpoint when it has one.</summary>
    public required NotebookSettings? Notebook { get; init; }

    /// <summary>The principals and the S3 endpoint the statements name.</summary>
    public required AwsLabResources Resources { get; init; }

    /// <summary>The perimeter of a lab's AWS side.</summary>
    public static LabPerimeterArgs For(AwsSettings aws, AwsLabResources resources) =>
        new() { Settings = aws.Perimeter, Region = aws.Region, Notebook = aws.Notebook, Resources = resources };
}

/// <summary>
/// The lab's data perimeter on AWS. Its data, results and key admit only the notebook's role, the researcher's IAM
/// user and the principal deploying the lab (read at each deploy with getSessionContext, which turns an
/// assumed-role session into its role's ARN). The key separates administration (the account, through IAM, and the
/// deployer) from use, which only those principals get, and only through S3 and Athena (kms:ViaService); SageMaker
/// gets grants for the notebook volume. The buckets deny every object and listing action to anyone else, and their
/// management to all but the deployer and the account's root user (who can always remove a bucket policy). A
/// deployer that reads no data (deployerDataAccess none) is denied reading objects and decrypting; the notebook's
/// role works only through the lab VPC's S3 endpoint or a service acting for it; every identity policy of the lab
/// ends at expiry. Without a researcher (open releases only) the key's users are the account's principals, as IAM
/// allows.
/// </summary>
public static class LabPerimeter
{
    /// <summary>The deployer's ARN: the role of an assumed-role session, or the IAM user itself.</summary>
    public static string DeployerOf(AwsLabResources lab) => lab.Deployer.Out("issuerArn");

    /// <summary>The account's root user, which IAM policies of the account stand for in a key policy.</summary>
    public static string RootOf(AwsLabResources lab) => $"arn:{lab.Partition.Out("partition")}:iam::{lab.Account.Out("accountId")}:root";

    /// <summary>The researcher's IAM user as getUser reads it at each deploy: a user that does not exist fails the preview at once, by name.</summary>
    public static string ResearcherOf(AwsLabResources lab) => lab.Researcher.Arn;

    /// <summary>
    /// The lab's shared handles declared on a program of their own: they render the same text as a lab program's, for
    /// `check` rules and tests that read a program back, and for callers that hold no handles yet (a reference through
    /// them is not checked by the lab program's build).
    /// </summary>
    public static readonly AwsLabResources AsWritten = AwsLabResources.Declare(new ProgramBuilder());

    /// <summary>The deployer, root user and researcher as a lab program's text names them.</summary>
    public static string Deployer => DeployerOf(AsWritten);
    public static string Root => RootOf(AsWritten);
    public static string Researcher => ResearcherOf(AsWritten);

    /// <summary>The variable that names the deployer: getSessionContext of getCallerIdentity's ARN.</summary>
    public static YMap DeployerVariable(AwsLabResources lab) => AwsProvider.Invoke("aws:iam/getSessionContext:getSessionContext", YMap.Of(("arn", lab.Account.Out("arn"))));

    /// <summary>Key administration without use: AWS's key-administrator actions, less kms:Create* (CreateGrant would let an administrator grant itself use).</summary>
    public static readonly string[] AdministerActions =
    [
        "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
        "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:RotateKeyOnDemand",
    ];

    public static readonly string[] UseActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];

    /// <summary>The variable that reads the researcher's user (only when the lab names one).</summary>
    public static YMap? ResearcherVariable(PerimeterSettings perimeter) => perimeter.ResearcherArn is { } arn
        ? AwsProvider.Invoke("aws:iam/getUser:getUser", YMap.Of(("userName", arn[(arn.LastIndexOf('/') + 1)..])))
        : null;

    /// <summary>The principals the lab admits, in a fixed order.</summary>
    public static IReadOnlyList<object> Admitted(LabPerimeterArgs lab) =>
    [
        .. lab.Notebook is null ? Array.Empty<object>() : [lab.Resources.NotebookRole.Arn],
        DeployerOf(lab.Resources),
        .. lab.Settings.Closed ? [ResearcherOf(lab.Resources)] : Array.Empty<object>(),
    ];

    /// <summary>The services that call the key for the lab's principals (S3 for objects, Athena for its results).</summary>
    public static IReadOnlyList<object> ViaServices(string region) =>
        [$"s3.{region}.amazonaws.com", $"athena.{region}.amazonaws.com"];

    public static IReadOnlyList<YMap> KeyStatements(LabPerimeterArgs lab)
    {
        var perimeter = lab.Settings;
        var (deployer, root) = (DeployerOf(lab.Resources), RootOf(lab.Resources));
        // Open labs (no researcher named): whoever IAM lets use the key through S3, as before, plus the lab's own principals.
        // A deployer that reads no data is no user: it only encrypts the lab's own files as it uploads them.
        IReadOnlyList<object> users = [.. Admitted(lab).Where(p => perimeter.DeployerReads || !Equals(p, deployer)), .. perimeter.Closed ? Array.Empty<object>() : [root]];
        // Whoever starts the notebook may need a grant for its volume: the researcher, or in an open lab whoever IAM allows.
        var grantees = new List<object> { deployer, perimeter.Closed ? ResearcherOf(lab.Resources) : root };
        var throughServices = YMap.Of(("StringEquals", YMap.Of(("kms:ViaService", ViaServices(lab.Region)))));
        return
        [
            Allow("AccountAdministersTheKey", root, AdministerActions),
            Allow("DeployerAdministersTheKey", deployer, AdministerActions),
            Allow("LabPrincipalsUseTheKeyThroughS3AndAthena", users, UseActions, throughServices),
            .. perimeter.DeployerReads ? Array.Empty<YMap>() :
            [
                Allow("DeployerEncryptsTheLabFilesThroughS3", deployer, ["kms:GenerateDataKey"],
                    YMap.Of(("StringEquals", YMap.Of(("kms:ViaService", $"s3.{lab.Region}.amazonaws.com"))))),
                Deny("DeployerNeverDecrypts", ["kms:Decrypt", "kms:ReEncrypt*"], "*", YMap.Of(("ArnEquals", YMap.Of(("aws:PrincipalArn", deployer))))),
            ],
            Allow("SageMakerGetsGrantsForTheNotebookVolume", grantees, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                YMap.Of(("Bool", YMap.Of(("kms:GrantIsForAWSResource", "true"))))),
            .. NotebookOnlyInsideTheLab(lab, ["kms:*"], "*"),
        ];
    }

    /// <summary>
    /// The notebook's role works only inside the lab (lab-vpc notebooks): every request of the role on the lab's buckets
    /// and key must come through the lab's S3 gateway endpoint, or from an AWS service acting for it with its forward
    /// access session (Athena reading the tables, S3 calling KMS), which carries aws:ViaAWSService true and no
    /// aws:SourceVpce (IAM User Guide, "Forward access sessions"; AWS data-perimeter-policy-examples, EnforceNetworkPerimeter).
    /// With the stack's own subnet (vpc) or direct internet the lab knows no endpoint of its own: nothing to bind to.
    /// </summary>
    public static IReadOnlyList<YMap> NotebookOnlyInsideTheLab(LabPerimeterArgs lab, string[] actions, object resources) =>
        lab.Notebook?.LabVpc is null ? [] :
        [
            Deny("TheNotebookRoleWorksOnlyInsideTheLab", actions, resources, YMap.Of(
                ("ArnEquals", YMap.Of(("aws:PrincipalArn", lab.Resources.NotebookRole.Arn))),
                ("StringNotEqualsIfExists", YMap.Of(("aws:SourceVpce", lab.Resources.S3Endpoint.Id))),
                ("BoolIfExists", YMap.Of(("aws:ViaAWSService", "false"))))),
        ];

    /// <summary>A Deny statement for every principal (`Principal: *`) of a bucket or key policy.</summary>
    private static YMap Deny(string sid, string[] actions, object resources, YMap condition, string resourceKey = "Resource") => YMap.Of(
        ("Sid", sid),
        ("Effect", "Deny"),
        ("Principal", "*"),
        ("Action", actions.Cast<object>().ToList()),
        (resourceKey, resources),
        ("Condition", condition));

    /// <summary>
    /// The statements that close a bucket of the lab's data or results: to everyone but the lab's principals (when the lab
    /// names a researcher), its management to all but the deployer and the account's root user, its data to a deployer
    /// that reads none, and to the notebook's role outside the lab.
    /// </summary>
    public static IReadOnlyList<YMap> BucketStatements(LabPerimeterArgs lab, Handle bucket)
    {
        var perimeter = lab.Settings;
        object[] both = [bucket.Arn, $"{bucket.Arn}/*"];
        var statements = new List<YMap>();
        if (perimeter.Closed)
        {
            statements.Add(Deny("OnlyTheLabsPrincipalsReachItsObjects", ObjectActions, both, YMap.Of(
                ("ArnNotEquals", YMap.Of(("aws:PrincipalArn", Admitted(lab)))),
                ("BoolIfExists", YMap.Of(("aws:PrincipalIsAWSService", "false"))))));
            statements.Add(OnlyTheDeployerManages(bucket.Arn, deployer: DeployerOf(lab.Resources), root: RootOf(lab.Resources)));
        }
        statements.AddRange(DeployerReadsNoObjects(lab, bucket));
        statements.AddRange(NotebookOnlyInsideTheLab(lab, ["s3:*"], both));
        return statements;
    }

    /// <summary>
    /// Bucket management that could erase or open the bucket (lifecycle and version expiry, versioning, its policy,
    /// encryption, object lock, replication, public access, deletion), for the deployer and the account's root user only.
    /// The root user can always remove a bucket policy that locks everyone else out (S3 User Guide), so a lab whose
    /// deployer is gone is repaired by the account's root user.
    /// </summary>
    public static YMap OnlyTheDeployerManages(string bucketArn, string deployer, string root) =>
        Deny("OnlyTheDeployerManagesTheBucket", ManagementActions, bucketArn,
            YMap.Of(("ArnNotEquals", YMap.Of(("aws:PrincipalArn", new List<object> { deployer, root }))),
                    ("BoolIfExists", YMap.Of(("aws:PrincipalIsAWSService", "false")))));

    public static readonly string[] ManagementActions =
    [
        "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutEncryptionConfiguration",
        "s3:PutBucketObjectLockConfiguration", "s3:PutReplicationConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
        "s3:PutBucketAcl", "s3:DeleteBucket",
    ];

    /// <summary>
    /// A deployer that reads no data (deployerDataAccess none) reads no object of the bucket but the lab's own files
    /// (lab/: the example notebook and the import script it uploads and Pulumi reads back), directly or through Athena.
    /// </summary>
    public static IReadOnlyList<YMap> DeployerReadsNoObjects(LabPerimeterArgs lab, Handle bucket) => lab.Settings.DeployerReads ? [] :
    [
        Deny("TheDeployerReadsNoData", ["s3:GetObject", "s3:GetObjectVersion"], new object[] { $"{bucket.Arn}/{Import.DataLayout.LabFiles}*" },
            YMap.Of(("ArnEquals", YMap.Of(("aws:PrincipalArn", DeployerOf(lab.Resources))))), resourceKey: "NotResource"),
    ];

    /// <summary>The stack output accountGuardrailPolicy: SCP-style statements an account administrator attaches (see the README).</summary>
    public static YMap? GuardrailPolicy(LabPerimeterArgs lab, string notebookName)
    {
        if (lab.Notebook is null || !lab.Settings.Closed) return null;
        var notebook = NotebookArn(lab.Resources, lab.Region, notebookName);
        var (researcher, deployer) = (ResearcherOf(lab.Resources), DeployerOf(lab.Resources));
        YMap Only(string sid, string[] actions, string resource, params object[] principals) => YMap.Of(
            ("Sid", sid), ("Effect", "Deny"), ("Action", actions.Cast<object>().ToList()), ("Resource", resource),
            ("Condition", YMap.Of(("ArnNotEquals", YMap.Of(("aws:PrincipalArn", principals.ToList()))))));
        return YMap.Of(("Version", "2012-10-17"), ("Statement", new object[]
        {
            // Opening Jupyter is reading the data as the notebook's role: the researcher only.
            Only("OnlyTheResearcherOpensTheLabNotebook", ["sagemaker:CreatePresignedNotebookInstanceUrl"], notebook, researcher),
            // Changing the notebook (its lifecycle scripts, network) or passing its role to anything else: the researcher, and the
            // deployer, whose `pulumi up` creates and updates the notebook.
            Only("OnlyTheResearcherAndDeployerChangeTheLabNotebook", ["sagemaker:UpdateNotebookInstance", "sagemaker:UpdateNotebookInstanceLifecycleConfig"], notebook, researcher, deployer),
            Only("OnlyTheResearcherAndDeployerPassTheLabRole", ["iam:PassRole"], lab.Resources.NotebookRole.Arn, researcher, deployer),
        }));
    }

    /// <summary>
    /// Expiry revokes: from 00:00 UTC on `expires`, a Deny in each of the lab's identity policies (the notebook's role,
    /// researcherPolicy, researcherImportPolicy) for everything that reaches the lab's data or runs its queries. Stopping
    /// the notebook stays allowed; extending `expires` and running `pulumi up` lifts it.
    /// </summary>
    public static YMap AfterExpiry(LabSettings lab, AwsLabResources handles)
    {
        var aws = lab.Aws!;
        var glue = $"arn:{handles.Partition.Out("partition")}:glue:{aws.Region}:{handles.Account.Out("accountId")}";
        var databases = new List<string> { lab.Names.Database };
        if (lab.AwsDerived is not null) databases.Add(lab.Names.DerivedDatabase);
        if (aws.OwnsData) databases.Add(lab.Names.ImportDatabase);
        var resources = new List<object> { handles.Workgroup.Arn, handles.ResultsBucket.Arn, $"{handles.ResultsBucket.Arn}/*" };
        if (aws.OwnsData) resources.AddRange([handles.ImportWorkgroup.Arn, handles.DataBucket.Arn, $"{handles.DataBucket.Arn}/*"]);
        resources.AddRange(databases.SelectMany(d => new object[] { $"{glue}:database/{d}", $"{glue}:table/{d}/*" }));
        if (aws.KmsEncryption) resources.Add(handles.LabKey.Arn);
        if (aws.Notebook is not null) resources.AddRange([NotebookArn(handles, aws.Region, lab.Names.Lab), handles.NotebookRole.Arn]);
        return YMap.Of(
            ("Sid", "NothingOfTheLabAfterItExpires"),
            ("Effect", "Deny"),
            ("Action", new List<object>
            {
                "athena:StartQueryExecution", "athena:GetQueryResults", "athena:GetQueryExecution", "athena:BatchGetQueryExecution", "athena:ListQueryExecutions",
                "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition",
                "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant",
                "sagemaker:StartNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl", "iam:PassRole",
            }),
            ("Resource", resources),
            ("Condition", YMap.Of(("DateGreaterThanEquals", YMap.Of(("aws:CurrentTime", $"{Fleet.ExpiryDates.StopAt(lab.Expires)}Z"))))));
    }

    /// <summary>The notebook instance's ARN (SageMaker writes instance names in lower case there).</summary>
    private static string NotebookArn(AwsLabResources lab, string region, string notebookName) =>
        $"arn:{lab.Partition.Out("partition")}:sagemaker:{region}:{lab.Account.Out("accountId")}:notebook-instance/{notebookName.ToLowerInvariant()}";

    /// <summary>
    /// Every action on objects (reading any version, its tags and ACL, writing, deleting, restoring, replicating) and
    /// every listing: what the perimeter denies to all but the lab's principals. Bucket management is the deployer's
    /// and the root user's (<see cref="OnlyTheDeployerManages"/>), who could, by rewriting the policy, also open it: the
    /// perimeter keeps out everyone else in the account, not those two.
    /// </summary>
    public static readonly string[] ObjectActions =
    [
        "s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
        "s3:ListBucket*", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload", "s3:PutReplicationConfiguration",
    ];

    private static YMap Allow(string sid, object principals, string[] actions, YMap? condition = null) =>
        Iam.KeyPolicyStatement(sid, YMap.Of(("AWS", principals)), actions.Cast<object>().ToList(), condition);
}
