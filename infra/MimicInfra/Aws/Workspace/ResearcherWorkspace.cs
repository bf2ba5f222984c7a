using System.Globalization;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws.Workspace;

/// <summary>What the researcher's workspace needs: its settings, its names, the lab's handles it uses and the two it adds.</summary>
public sealed record WorkspaceArgs
{
    /// <summary>The notebook, or null for a lab queried from the console only.</summary>
    public required NotebookSettings? Notebook { get; init; }
    public required BudgetSettings? Budget { get; init; }
    public required string Region { get; init; }

    /// <summary>The lab's name: the notebook's, its lifecycle configuration's and the budget's, and its role's prefix.</summary>
    public required string Name { get; init; }

    /// <summary>The Glue databases the researcher queries: the lab's, and its derived concepts' when it has them.</summary>
    public required IReadOnlyList<string> QueriedDatabases { get; init; }

    public required YMap Tags { get; init; }
    public required YMap ObjectTags { get; init; }

    /// <summary>Whether the lab owns a typed copy in its data bucket; otherwise it reads <see cref="InPlaceFolders"/>.</summary>
    public required bool OwnsData { get; init; }

    /// <summary>The folders of a table-parquet copy the lab reads in place (when it owns no data).</summary>
    public IReadOnlyList<S3Source> InPlaceFolders { get; init; } = [];

    /// <summary>Whether results and the notebook's volume are on the lab key.</summary>
    public required bool KmsEncryption { get; init; }

    /// <summary>The key of the account's encrypted Glue Data Catalog, when the platform encrypts it.</summary>
    public string? GlueCatalogKeyArn { get; init; }

    /// <summary>The example notebook's content (.ipynb), uploaded to the lab's files when there is a notebook.</summary>
    public string? ExampleNotebook { get; init; }

    /// <summary>
    /// What must be in place before the example notebook is uploaded: the files bucket's encryption and policy, so destroy
    /// deletes the object (every version) while the policy still admits the deployer.
    /// </summary>
    public required IReadOnlyList<Handle> FilesBucketReady { get; init; }

    /// <summary>The notebook's subnet and security groups: the lab's network's (references) or the stack's (ids); none with direct internet.</summary>
    public string? Subnet { get; init; }
    public IReadOnlyList<string> SecurityGroups { get; init; } = [];

    /// <summary>The lab network's resources the notebook needs before it boots (its endpoints, routes and rules).</summary>
    public IReadOnlyList<string> NetworkReadyFirst { get; init; } = [];

    /// <summary>The perimeter's statement that ends every grant of the lab at its expiry.</summary>
    public required YMap AfterExpiry { get; init; }

    /// <summary>The perimeter's account guardrail policy, printed beside the researcher's (null: the lab has none).</summary>
    public YMap? AccountGuardrailPolicy { get; init; }

    /// <summary>The audit bucket holding the lab's exported query history, when the researcher may read it; null otherwise.</summary>
    public Handle? QueryHistoryBucket { get; init; }
    public string QueryHistoryPrefix { get; init; } = "";

    public required Handle Account { get; init; }
    public required Handle Partition { get; init; }
    public required Handle LabKey { get; init; }
    public required Handle ResultsBucket { get; init; }
    public required Handle DataBucket { get; init; }
    public required Handle Workgroup { get; init; }

    /// <summary>Added here: the notebook's role, which the results bucket's policy names before it exists.</summary>
    public required Handle NotebookRole { get; init; }

    /// <summary>Added here: the notebook instance.</summary>
    public required Handle NotebookInstance { get; init; }
}

/// <summary>
/// The researcher's workspace on AWS: a SageMaker notebook (root off, IMDSv2 only, volume on the lab key)
/// whose role may touch only this lab, lifecycle scripts that stop it when Jupyter is idle and put the
/// example notebook in the researcher's home, and an optional monthly budget on the lab's tags.
/// </summary>
public sealed class ResearcherWorkspace(ProgramBuilder program, WorkspaceArgs args)
{
    private const string NotebookKey = DataLayout.LabFiles + "notebooks/" + ExampleNotebook.FileName;

    /// <summary>The bucket of the lab's own files: the data bucket, or (a lab reading its source in place) the results bucket.</summary>
    private Handle FilesBucket => args.OwnsData ? args.DataBucket : args.ResultsBucket;

    private Handle? _budget;

    private static ResourceOptions Options(params string[] dependsOn) => AwsProvider.Options(dependsOn);

    private YMap Tags() => args.Tags;

    public string NotebookName => args.Name;

    public const string PlatformIdentifier = "notebook-al2023-v1";

    /// <summary>SageMaker writes every notebook's logs here; the group is the account's, not the lab's, so the lab cannot own its retention.</summary>
    public const string NotebookLogGroup = "/aws/sagemaker/NotebookInstances";

    public static string LogRetentionCommand(string region) =>
        $"aws logs put-retention-policy --log-group-name {NotebookLogGroup} --retention-in-days 30 --region {region}";

    public void Build()
    {
        if (args.Notebook is { } notebook)
        {
            Role();
            var policy = RolePolicy();
            var example = ExampleNotebookObject();
            var lifecycle = LifecycleConfiguration(notebook);
            NotebookInstance(notebook, lifecycle, policy, example);
        }
        if (args.Budget is { } budget) _budget = Budget(budget);
    }

    private void Role()
    {
        // Only SageMaker may assume the role, and only for this account. SageMaker documents aws:SourceAccount for the
        // features in its confused-deputy guide (training, processing, Studio, ...), not for notebook instances, and a
        // condition the service does not send would stop the notebook from starting: IfExists checks the account when
        // SageMaker names one and lets the request through when it names none. The role can still be passed only by
        // principals of this account with iam:PassRole on it.
        var trust = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", new object[]
            {
                YMap.Of(
                    ("Effect", "Allow"),
                    ("Principal", YMap.Of(("Service", "sagemaker.amazonaws.com"))),
                    ("Action", "sts:AssumeRole"),
                    ("Condition", YMap.Of(("StringEqualsIfExists", YMap.Of(("aws:SourceAccount", args.Account.Out("accountId"))))))),
            }));
        program.Add(args.NotebookRole, "aws:iam/role:Role", YMap.Of(
            ("name", $"{args.Name}-notebook"),
            ("description", $"SageMaker notebook of MIMIC lab {args.Name}: this lab's data, workgroup and bucket only"),
            ("assumeRolePolicy", YMap.Fn("toJSON", trust)),
            ("maxSessionDuration", 3600),
            ("tags", Tags())), Options());
    }

    /// <summary>An ARN of this lab's account and region.</summary>
    private string Arn(string service, string resource) => Iam.Arn(args.Partition, args.Account, service, args.Region, resource);

    /// <summary>The permissions of the notebook, statement by statement; IamPolicyTests lists why each is needed.</summary>
    internal IReadOnlyList<YMap> Statements()
    {
        var statements = QueryStatements().ToList();
        var logs = Arn("logs", $"log-group:{NotebookLogGroup}");
        statements.Add(Statement("WriteNotebookLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [logs, $"{logs}:log-stream:{NotebookName}/*"]));
        statements.Add(Statement("StopItselfWhenIdle", ["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"], [NotebookArn]));
        statements.Add(args.AfterExpiry);
        return statements;
    }

    /// <summary>The notebook instance's ARN (SageMaker writes instance names in lower case there).</summary>
    internal string NotebookArn => Arn("sagemaker", $"notebook-instance/{NotebookName.ToLowerInvariant()}");

    /// <summary>
    /// Querying this lab and nothing else: its workgroup, its catalog, its results and scratch, its data, its key.
    /// The notebook's role has these, and so does the researcher's own policy (the stack output researcherPolicy).
    /// </summary>
    internal IReadOnlyList<YMap> QueryStatements()
    {
        var statements = new List<YMap>
        {
            Statement("RunQueriesInTheLabWorkgroup",
                ["athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                 "athena:GetQueryRuntimeStatistics", "athena:BatchGetQueryExecution", "athena:ListQueryExecutions", "athena:GetWorkGroup"],
                [args.Workgroup.Arn]),
            // The lab's typed tables only: never the import database, whose tables read the staged source.
            Iam.ReadGlueDatabases("ReadTheLabCatalog", args.Partition, args.Account, args.Region, args.QueriedDatabases),
            // Athena writes results as the caller, and the notebook keeps its own scratch files; nothing else in the
            // results bucket is the notebook's (the bucket policy says so too).
            Statement("WriteQueryResults", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], [$"{args.ResultsBucket.Arn}/{ResultsLayout.QueryResults}*"]),
            Statement("WriteItsScratch", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], [$"{args.ResultsBucket.Arn}/{ResultsLayout.NotebookScratch}*"]),
            Statement("ListQueryResults", ["s3:ListBucket"], [args.ResultsBucket.Arn],
                YMap.Of(("StringLike", YMap.Of(("s3:prefix", new List<object> { ResultsLayout.QueryResults + "*", ResultsLayout.NotebookScratch + "*" }))))),
        };
        if (args.OwnsData)
        {
            // Read only, and only the typed copy, the import record and the lab's notebooks: never staging.
            var readable = new[] { DataLayout.Tables, DataLayout.Imports, DataLayout.LabFiles + "notebooks/" };
            statements.Add(Statement("ReadTheLabData", ["s3:GetObject"], readable.Select(p => $"{args.DataBucket.Arn}/{p}*").ToArray()));
            statements.Add(Statement("ListTheLabData", ["s3:ListBucket"], [args.DataBucket.Arn],
                YMap.Of(("StringLike", YMap.Of(("s3:prefix", readable.Select(p => (object)(p + "*")).ToList()))))));
            statements.Add(Iam.LocateBuckets("LocateTheLabBuckets", args.ResultsBucket.Arn, args.DataBucket.Arn));
        }
        else
        {
            // A table-parquet copy read in place is the lab's data: read its table folders, and the notebook file.
            statements.Add(Statement("ReadTheLabNotebook", ["s3:GetObject"], [$"{args.ResultsBucket.Arn}/{DataLayout.LabFiles}notebooks/*"]));
            statements.AddRange(Iam.ReadFolders("TheLabData", args.InPlaceFolders, args.Partition));
            statements.Add(Iam.LocateBuckets("LocateTheLabBuckets", args.ResultsBucket.Arn));
        }
        if (args.KmsEncryption)
            statements.Add(Iam.UseTheLabKey(args.LabKey));
        statements.AddRange(Iam.UseTheGlueCatalogKey(args.GlueCatalogKeyArn));
        return statements;
    }

    private static YMap Statement(string sid, string[] actions, string[] resources, YMap? condition = null) => Iam.Statement(sid, actions, resources, condition);

    private Handle RolePolicy() =>
        program.Add("notebookRolePolicy", "aws:iam/rolePolicy:RolePolicy", YMap.Of(
            ("name", "mimic-lab-access"),
            ("role", args.NotebookRole.Id),
            ("policy", YMap.Fn("toJSON", YMap.Of(
                ("Version", "2012-10-17"),
                ("Statement", Statements().Cast<object>().ToList()))))), Options());

    private Handle ExampleNotebookObject() =>
        program.Add("exampleNotebook", "aws:s3/bucketObjectv2:BucketObjectv2", YMap.Of(
            ("bucket", FilesBucket.Out("bucket")),
            ("key", NotebookKey),
            ("content", PulumiText.Literal(args.ExampleNotebook ?? throw new InvalidOperationException("a lab with a notebook needs its example notebook"))),
            ("contentType", "application/x-ipynb+json"),
            ("tags", args.ObjectTags)),
            // After the bucket policy: destroy then deletes the object (every version) while the policy still admits the deployer.
            AwsProvider.OptionsAfter([.. args.FilesBucketReady]));

    private Handle LifecycleConfiguration(NotebookSettings notebook) =>
        program.Add("notebookLifecycle", "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", YMap.Of(
            ("name", NotebookName),
            // SageMaker takes each script base64-encoded; Pulumi encodes it once the bucket name is known.
            ("onCreate", YMap.Fn("toBase64", LifecycleScripts.OnCreate(FilesBucket.Out("bucket"), NotebookKey, args.Region))),
            ("onStart", YMap.Fn("toBase64", LifecycleScripts.OnStart(NotebookName, notebook.IdleMinutes, args.Region))),
            ("tags", Tags())), Options());

    private void NotebookInstance(NotebookSettings notebook, Handle lifecycle, Handle policy, Handle example) =>
        program.Add(args.NotebookInstance, "aws:sagemaker/notebookInstance:NotebookInstance", YMap.Of(
            ("name", NotebookName),
            ("instanceType", notebook.InstanceType),
            ("volumeSize", notebook.VolumeSizeGb),
            // Amazon Linux 2023: notebook-al2-v3 (Amazon Linux 2) leaves support on 2026-06-30, before labs end.
            ("platformIdentifier", PlatformIdentifier),
            ("roleArn", args.NotebookRole.Arn),
            ("rootAccess", "Disabled"),
            ("directInternetAccess", notebook.DirectInternetAccess ? "Enabled" : "Disabled"),
            ("subnetId", args.Subnet),
            ("securityGroups", args.SecurityGroups is { Count: > 0 } groups ? groups.Select(g => (object)g).ToList() : null),
            ("instanceMetadataServiceConfiguration", YMap.Of(("minimumInstanceMetadataServiceVersion", "2"))),
            ("kmsKeyId", args.KmsEncryption ? args.LabKey.Arn : null),
            ("lifecycleConfigName", lifecycle.Out("name")),
            ("tags", Tags())), Options([policy.LogicalName, example.LogicalName, .. args.NetworkReadyFirst]));

    private Handle Budget(BudgetSettings budget)
    {
        var notifications = new[] { 80, 100 }.Select(p => (object)YMap.Of(
            ("comparisonOperator", "GREATER_THAN"),
            ("notificationType", "ACTUAL"),
            ("threshold", p),
            ("thresholdType", "PERCENTAGE"),
            ("subscriberEmailAddresses", budget.Emails.Select(e => (object)e).ToList()))).ToList();
        return program.Add("labBudget", "aws:budgets/budget:Budget", YMap.Of(
            ("name", args.Name),
            ("budgetType", "COST"),
            ("limitAmount", budget.MonthlyUsd.ToString(CultureInfo.InvariantCulture)),
            ("limitUnit", "USD"),
            ("timeUnit", "MONTHLY"),
            // Cost allocation tag "lab" must be activated in the billing console for this filter to match.
            ("costFilters", new object[] { YMap.Of(("name", "TagKeyValue"), ("values", new object[] { PulumiText.Literal("user:lab$" + args.Name) })) }),
            ("notifications", notifications),
            ("tags", Tags())), Options());
    }

    public void Outputs()
    {
        if (args.Notebook is not null)
        {
            var name = args.NotebookInstance.Out("name");
            program.Output("notebookName", name);
            program.Output("notebookUrl", $"https://{args.Region}.console.aws.amazon.com/sagemaker/home?region={args.Region}#/notebook-instances/openNotebook/{name}?view=lab");
            program.Output("notebookRoleArn", args.NotebookRole.Arn);
            // The provider stops an InService notebook before deleting it, but not a Pending or Stopping one, whose
            // delete then fails: these commands bring it to Stopped, after which `pulumi destroy` goes through.
            program.Output("notebookBeforeDestroy",
                $"aws sagemaker stop-notebook-instance --notebook-instance-name {name} --region {args.Region}; " +
                $"aws sagemaker wait notebook-instance-stopped --notebook-instance-name {name} --region {args.Region}");
        }
        if (_budget is not null) program.Output("budgetName", _budget.Out("name"));
        program.Output("researcherPolicy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", ResearcherStatements().Cast<object>().ToList()))));
        if (args.AccountGuardrailPolicy is { } guardrail) program.Output("accountGuardrailPolicy", YMap.Fn("toJSON", guardrail));
    }

    /// <summary>
    /// The researcher's own IAM policy for working in the lab (the stack output researcherPolicy, attached to the user
    /// beside researcherImportPolicy): what the notebook may query, and using this notebook, nothing else.
    /// </summary>
    internal IReadOnlyList<YMap> ResearcherStatements()
    {
        var statements = QueryStatements().ToList();
        // The console lists workgroups and catalogs before it opens one: listing only, no other workgroup is usable.
        statements.Add(Statement("ListWhatTheConsoleShows", ["athena:ListWorkGroups", "athena:ListDataCatalogs", "athena:ListEngineVersions"], ["*"]));
        // The query editor's database and table lists (Athena User Guide, Data Catalog example policies); Glue decides which.
        statements.Add(Statement("BrowseTheCatalogInTheConsole", ["athena:GetDataCatalog", "athena:ListDatabases", "athena:GetDatabase", "athena:ListTableMetadata", "athena:GetTableMetadata"],
            [Arn("athena", "datacatalog/AwsDataCatalog")]));
        if (args.Notebook is { } notebook)
        {
            statements.Add(Statement("UseTheLabNotebook",
                ["sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:DescribeNotebookInstance", "sagemaker:StartNotebookInstance", "sagemaker:StopNotebookInstance"],
                [NotebookArn]));
            statements.Add(Statement("ListNotebooks", ["sagemaker:ListNotebookInstances"], ["*"]));
            // Starting a notebook whose volume is on the lab key makes SageMaker create a grant for it with the caller's
            // rights; an open lab's key leaves use to IAM, so the researcher's own policy must allow it (grants that an AWS
            // service makes for its resources only, as the key policy says).
            if (args.KmsEncryption)
                statements.Add(Statement("GrantTheNotebookVolumeTheLabKey", ["kms:CreateGrant"], [args.LabKey.Arn],
                    YMap.Of(("Bool", YMap.Of(("kms:GrantIsForAWSResource", "true"))))));
            // Starting the notebook (after its idle stop) passes its role to SageMaker, and in a VPC attaches its network
            // interface (SageMaker's API permissions reference, StartNotebookInstance).
            statements.Add(Statement("StartTheNotebookWithItsRole", ["iam:PassRole"], [args.NotebookRole.Arn],
                YMap.Of(("StringEquals", YMap.Of(("iam:PassedToService", "sagemaker.amazonaws.com"))))));
            if (!notebook.DirectInternetAccess)
            {
                // Only in the notebook's own subnet and security groups: the new interface, and the subnet and groups it joins.
                statements.Add(Statement("StartTheNotebookInItsSubnet", ["ec2:CreateNetworkInterface"],
                    [Arn("ec2", "network-interface/*"), Arn("ec2", $"subnet/{args.Subnet}"),
                     .. args.SecurityGroups.Select(g => Arn("ec2", $"security-group/{g}"))]));
                // EC2's Describe actions have no resource-level permissions: "*" is the only resource they take.
                statements.Add(Statement("DescribeTheNotebooksNetwork", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], ["*"]));
            }
        }
        // The exported Athena query history of the lab (the audit bucket admits the researcher to it, and no one else but a
        // deployer that reads the data).
        if (args.QueryHistoryBucket is { } history)
            statements.Add(Statement("ReadTheLabsQueryHistory", ["s3:GetObject"], [$"{history.Arn}/{args.QueryHistoryPrefix}*"]));
        statements.Add(args.AfterExpiry);
        return statements;
    }
}
