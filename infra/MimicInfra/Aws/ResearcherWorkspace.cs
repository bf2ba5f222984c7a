using System.Globalization;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws;

/// <summary>
/// The researcher's workspace on AWS: a SageMaker notebook (root off, IMDSv2 only, volume on the lab key)
/// whose role may touch only this lab, lifecycle scripts that stop it when Jupyter is idle and put the
/// example notebook in the researcher's home, and an optional monthly budget on the lab's tags.
/// </summary>
public sealed class ResearcherWorkspace(LabSettings lab, ProgramBuilder program, AwsLabResources resources)
{
    private readonly AwsSettings _aws = lab.Aws!;
    private readonly LabNames _names = lab.Names;
    private const string NotebookKey = DataLayout.LabFiles + "notebooks/" + ExampleNotebook.FileName;

    /// <summary>The bucket of the lab's own files: the data bucket, or (a lab reading its source in place) the results bucket.</summary>
    private string FilesBucket => _aws.OwnsData ? "dataBucket" : "resultsBucket";

    private static ResourceOptions Options(params string[] dependsOn) => AwsProvider.Options(dependsOn);

    private YMap Tags() => AwsProvider.TagsOf(lab);

    public string NotebookName => _names.Lab;

    public const string PlatformIdentifier = "notebook-al2023-v1";

    /// <summary>SageMaker writes every notebook's logs here; the group is the account's, not the lab's, so the lab cannot own its retention.</summary>
    public const string NotebookLogGroup = "/aws/sagemaker/NotebookInstances";

    public static string LogRetentionCommand(string region) =>
        $"aws logs put-retention-policy --log-group-name {NotebookLogGroup} --retention-in-days 30 --region {region}";

    public void Build()
    {
        if (_aws.Notebook is { } notebook)
        {
            Role();
            RolePolicy();
            ExampleNotebookObject();
            LifecycleConfiguration(notebook);
            NotebookInstance(notebook);
        }
        if (_aws.Budget is { } budget) Budget(budget);
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
                    ("Condition", YMap.Of(("StringEqualsIfExists", YMap.Of(("aws:SourceAccount", "${awsAccount.accountId}")))))),
            }));
        program.Add(new PulumiResource("notebookRole", "aws:iam/role:Role", YMap.Of(
            ("name", $"{_names.Lab}-notebook"),
            ("description", $"SageMaker notebook of MIMIC lab {_names.Lab}: this lab's data, workgroup and bucket only"),
            ("assumeRolePolicy", YMap.Fn("toJSON", trust)),
            ("maxSessionDuration", 3600),
            ("tags", Tags())), Options()));
    }

    /// <summary>The databases the researcher queries: the lab's, and its derived concepts' when it has them.</summary>
    private IReadOnlyList<string> QueriedDatabases => lab.AwsDerived is not null
        ? [_names.Database, _names.DerivedDatabase] : [_names.Database];

    /// <summary>The permissions of the notebook, statement by statement; IamPolicyTests lists why each is needed.</summary>
    internal IReadOnlyList<YMap> Statements()
    {
        const string arn = "arn:" + Iam.Partition;
        var account = "${awsAccount.accountId}";
        var statements = QueryStatements().ToList();
        var logs = $"{arn}:logs:{_aws.Region}:{account}:log-group:{NotebookLogGroup}";
        statements.Add(Statement("WriteNotebookLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [logs, $"{logs}:log-stream:{NotebookName}/*"]));
        statements.Add(Statement("StopItselfWhenIdle", ["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"], [NotebookArn]));
        statements.Add(Perimeter.LabPerimeter.AfterExpiry(lab, resources));
        return statements;
    }

    /// <summary>The notebook instance's ARN (SageMaker writes instance names in lower case there).</summary>
    internal string NotebookArn => $"arn:{Iam.Partition}:sagemaker:{_aws.Region}:${{awsAccount.accountId}}:notebook-instance/{NotebookName.ToLowerInvariant()}";

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
                ["${workgroup.arn}"]),
            // The lab's typed tables only: never the import database, whose tables read the staged source.
            Iam.ReadGlueDatabases("ReadTheLabCatalog", _aws.Region, QueriedDatabases),
            // Athena writes results as the caller, and the notebook keeps its own scratch files; nothing else in the
            // results bucket is the notebook's (the bucket policy says so too).
            Statement("WriteQueryResults", ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], [$"${{resultsBucket.arn}}/{ResultsLayout.QueryResults}*"]),
            Statement("WriteItsScratch", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], [$"${{resultsBucket.arn}}/{ResultsLayout.NotebookScratch}*"]),
            Statement("ListQueryResults", ["s3:ListBucket"], ["${resultsBucket.arn}"],
                YMap.Of(("StringLike", YMap.Of(("s3:prefix", new List<object> { ResultsLayout.QueryResults + "*", ResultsLayout.NotebookScratch + "*" }))))),
        };
        if (_aws.OwnsData)
        {
            // Read only, and only the typed copy, the import record and the lab's notebooks: never staging.
            var readable = new[] { DataLayout.Tables, DataLayout.Imports, DataLayout.LabFiles + "notebooks/" };
            statements.Add(Statement("ReadTheLabData", ["s3:GetObject"], readable.Select(p => $"${{dataBucket.arn}}/{p}*").ToArray()));
            statements.Add(Statement("ListTheLabData", ["s3:ListBucket"], ["${dataBucket.arn}"],
                YMap.Of(("StringLike", YMap.Of(("s3:prefix", readable.Select(p => (object)(p + "*")).ToList()))))));
            statements.Add(Iam.LocateBuckets("LocateTheLabBuckets", "${resultsBucket.arn}", "${dataBucket.arn}"));
        }
        else
        {
            // A table-parquet copy read in place is the lab's data: read its table folders, and the notebook file.
            statements.Add(Statement("ReadTheLabNotebook", ["s3:GetObject"], [$"${{resultsBucket.arn}}/{DataLayout.LabFiles}notebooks/*"]));
            statements.AddRange(Iam.ReadFolders("TheLabData", SourcePlan.For(lab).Select(t => t.Folder).ToList()));
            statements.Add(Iam.LocateBuckets("LocateTheLabBuckets", "${resultsBucket.arn}"));
        }
        if (_aws.KmsEncryption)
            statements.Add(Iam.UseTheLabKey());
        statements.AddRange(Iam.UseTheGlueCatalogKey(_aws));
        return statements;
    }

    private static YMap Statement(string sid, string[] actions, string[] resources, YMap? condition = null) => Iam.Statement(sid, actions, resources, condition);

    private void RolePolicy() =>
        program.Add(new PulumiResource("notebookRolePolicy", "aws:iam/rolePolicy:RolePolicy", YMap.Of(
            ("name", "mimic-lab-access"),
            ("role", "${notebookRole.id}"),
            ("policy", YMap.Fn("toJSON", YMap.Of(
                ("Version", "2012-10-17"),
                ("Statement", Statements().Cast<object>().ToList()))))), Options()));

    private void ExampleNotebookObject() =>
        program.Add(new PulumiResource("exampleNotebook", "aws:s3/bucketObjectv2:BucketObjectv2", YMap.Of(
            ("bucket", $"${{{FilesBucket}.bucket}}"),
            ("key", NotebookKey),
            ("content", PulumiText.Literal(ExampleNotebook.Build(lab))),
            ("contentType", "application/x-ipynb+json"),
            ("tags", AwsProvider.ObjectTagsOf(lab))),
            // After the bucket policy: destroy then deletes the object (every version) while the policy still admits the deployer.
            Options(_aws.OwnsData ? "dataEncryption" : "resultsEncryption", _aws.OwnsData ? "dataTlsOnlyPolicy" : "resultsTlsOnlyPolicy")));

    private void LifecycleConfiguration(NotebookSettings notebook) =>
        program.Add(new PulumiResource("notebookLifecycle", "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", YMap.Of(
            ("name", NotebookName),
            // SageMaker takes each script base64-encoded; Pulumi encodes it once the bucket name is known.
            ("onCreate", YMap.Fn("toBase64", LifecycleScripts.OnCreate($"${{{FilesBucket}.bucket}}", NotebookKey, _aws.Region))),
            ("onStart", YMap.Fn("toBase64", LifecycleScripts.OnStart(NotebookName, notebook.IdleMinutes, _aws.Region))),
            ("tags", Tags())), Options()));

    private void NotebookInstance(NotebookSettings notebook) =>
        program.Add(new PulumiResource("notebook", "aws:sagemaker/notebookInstance:NotebookInstance", YMap.Of(
            ("name", NotebookName),
            ("instanceType", notebook.InstanceType),
            ("volumeSize", notebook.VolumeSizeGb),
            // Amazon Linux 2023: notebook-al2-v3 (Amazon Linux 2) leaves support on 2026-06-30, before labs end.
            ("platformIdentifier", PlatformIdentifier),
            ("roleArn", "${notebookRole.arn}"),
            ("rootAccess", "Disabled"),
            ("directInternetAccess", notebook.DirectInternetAccess ? "Enabled" : "Disabled"),
            ("subnetId", Network.LabNetwork.SubnetOf(notebook, resources.LabSubnet)),
            ("securityGroups", Network.LabNetwork.SecurityGroupsOf(notebook, resources.NotebookSecurityGroup) is { Count: > 0 } groups ? groups.Select(g => (object)g).ToList() : null),
            ("instanceMetadataServiceConfiguration", YMap.Of(("minimumInstanceMetadataServiceVersion", "2"))),
            ("kmsKeyId", _aws.KmsEncryption ? "${labKey.arn}" : null),
            ("lifecycleConfigName", "${notebookLifecycle.name}"),
            ("tags", Tags())), Options(["notebookRolePolicy", "exampleNotebook", .. Network.LabNetwork.ReadyBeforeNotebook(notebook)])));

    private void Budget(BudgetSettings budget)
    {
        var notifications = new[] { 80, 100 }.Select(p => (object)YMap.Of(
            ("comparisonOperator", "GREATER_THAN"),
            ("notificationType", "ACTUAL"),
            ("threshold", p),
            ("thresholdType", "PERCENTAGE"),
            ("subscriberEmailAddresses", budget.Emails.Select(e => (object)e).ToList()))).ToList();
        program.Add(new PulumiResource("labBudget", "aws:budgets/budget:Budget", YMap.Of(
            ("name", _names.Lab),
            ("budgetType", "COST"),
            ("limitAmount", budget.MonthlyUsd.ToString(CultureInfo.InvariantCulture)),
            ("limitUnit", "USD"),
            ("timeUnit", "MONTHLY"),
            // Cost allocation tag "lab" must be activated in the billing console for this filter to match.
            ("costFilters", new object[] { YMap.Of(("name", "TagKeyValue"), ("values", new object[] { PulumiText.Literal($"user:lab${_names.Lab}") })) }),
            ("notifications", notifications),
            ("tags", Tags())), Options()));
    }

    public void Outputs()
    {
        if (_aws.Notebook is not null)
        {
            program.Output("notebookName", "${notebook.name}");
            program.Output("notebookUrl", $"https://{_aws.Region}.console.aws.amazon.com/sagemaker/home?region={_aws.Region}#/notebook-instances/openNotebook/${{notebook.name}}?view=lab");
            program.Output("notebookRoleArn", "${notebookRole.arn}");
            // The provider stops an InService notebook before deleting it, but not a Pending or Stopping one, whose
            // delete then fails: these commands bring it to Stopped, after which `pulumi destroy` goes through.
            program.Output("notebookBeforeDestroy",
                $"aws sagemaker stop-notebook-instance --notebook-instance-name ${{notebook.name}} --region {_aws.Region}; " +
                $"aws sagemaker wait notebook-instance-stopped --notebook-instance-name ${{notebook.name}} --region {_aws.Region}");
        }
        if (_aws.Budget is not null) program.Output("budgetName", "${labBudget.name}");
        program.Output("researcherPolicy", YMap.Fn("toJSON", YMap.Of(("Version", "2012-10-17"), ("Statement", ResearcherStatements().Cast<object>().ToList()))));
        if (Perimeter.LabPerimeter.GuardrailPolicy(Perimeter.LabPerimeterArgs.For(_aws, resources), NotebookName) is { } guardrail) program.Output("accountGuardrailPolicy", YMap.Fn("toJSON", guardrail));
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
            [$"arn:{Iam.Partition}:athena:{_aws.Region}:${{awsAccount.accountId}}:datacatalog/AwsDataCatalog"]));
        if (_aws.Notebook is { } notebook)
        {
            statements.Add(Statement("UseTheLabNotebook",
                ["sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:DescribeNotebookInstance", "sagemaker:StartNotebookInstance", "sagemaker:StopNotebookInstance"],
                [NotebookArn]));
            statements.Add(Statement("ListNotebooks", ["sagemaker:ListNotebookInstances"], ["*"]));
            // Starting a notebook whose volume is on the lab key makes SageMaker create a grant for it with the caller's
            // rights; an open lab's key leaves use to IAM, so the researcher's own policy must allow it (grants that an AWS
            // service makes for its resources only, as the key policy says).
            if (_aws.KmsEncryption)
                statements.Add(Statement("GrantTheNotebookVolumeTheLabKey", ["kms:CreateGrant"], ["${labKey.arn}"],
                    YMap.Of(("Bool", YMap.Of(("kms:GrantIsForAWSResource", "true"))))));
            // Starting the notebook (after its idle stop) passes its role to SageMaker, and in a VPC attaches its network
            // interface (SageMaker's API permissions reference, StartNotebookInstance).
            statements.Add(Statement("StartTheNotebookWithItsRole", ["iam:PassRole"], ["${notebookRole.arn}"],
                YMap.Of(("StringEquals", YMap.Of(("iam:PassedToService", "sagemaker.amazonaws.com"))))));
            if (!notebook.DirectInternetAccess)
            {
                // Only in the notebook's own subnet and security groups: the new interface, and the subnet and groups it joins.
                var ec2 = $"arn:{Iam.Partition}:ec2:{_aws.Region}:${{awsAccount.accountId}}";
                statements.Add(Statement("StartTheNotebookInItsSubnet", ["ec2:CreateNetworkInterface"],
                    [$"{ec2}:network-interface/*", $"{ec2}:subnet/{Network.LabNetwork.SubnetOf(notebook, resources.LabSubnet)}",
                     .. Network.LabNetwork.SecurityGroupsOf(notebook, resources.NotebookSecurityGroup).Select(g => $"{ec2}:security-group/{g}")]));
                // EC2's Describe actions have no resource-level permissions: "*" is the only resource they take.
                statements.Add(Statement("DescribeTheNotebooksNetwork", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], ["*"]));
            }
        }
        // The exported Athena query history of the lab (the audit bucket admits the researcher to it, and no one else but a
        // deployer that reads the data).
        if (_aws.AuditTrail.CreatesTrail && _aws.Perimeter.Closed)
            statements.Add(Statement("ReadTheLabsQueryHistory", ["s3:GetObject"], [$"${{{Audit.LabAuditTrail.Bucket}.arn}}/{Audit.LabAuditTrail.QueryHistoryPrefix}*"]));
        statements.Add(Perimeter.LabPerimeter.AfterExpiry(lab, resources));
        return statements;
    }
}
