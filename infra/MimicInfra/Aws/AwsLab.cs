using MimicInfra.Aws.Data;
using MimicInfra.Import;
using MimicInfra.Lab;
using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws;

/// <summary>
/// The AWS side of a lab, wired: the lab's provider and the variables every component shares, the handles components
/// reference across each other (<see cref="AwsLabResources"/>), and each component built in the program's order with
/// the arguments it uses: the lab key, the results and data buckets, the Glue catalog, the workgroup, the import, the
/// audit trail, the network, the researcher's workspace; then the lab's outputs. All names come from <see cref="LabNames"/>.
/// </summary>
public sealed class AwsLab(LabSettings lab, ProgramBuilder program)
{
    private readonly AwsSettings _aws = lab.Aws!;
    private readonly LabNames _names = lab.Names;
    private readonly IReadOnlyList<TableSource> _sources = SourcePlan.For(lab);
    private readonly AwsLabResources _resources = AwsLabResources.Declare(program);

    /// <summary>The handles its components share, for the components wired after it (the expiry stop).</summary>
    public AwsLabResources Resources => _resources;

    public void Build()
    {
        using var _ = program.Component(nameof(AwsLab));
        AwsProvider.Add(program, lab);
        program.Variable(_resources.Account, AwsProvider.Invoke("aws:index/getCallerIdentity:getCallerIdentity"));
        program.Variable(_resources.Partition, AwsProvider.Invoke("aws:index/getPartition:getPartition"));
        program.Variable(_resources.Deployer, Perimeter.LabPerimeter.DeployerVariable(_resources));
        if (Perimeter.LabPerimeter.ResearcherVariable(_aws.Perimeter) is { } researcher) program.Variable(_resources.Researcher, researcher);
        var tags = AwsProvider.TagsOf(lab);
        var objectTags = AwsProvider.ObjectTagsOf(lab);
        var notebookRole = _aws.Notebook is null ? null : _resources.NotebookRole;
        // Read once, used by every component whose policies they shape.
        var perimeter = Perimeter.LabPerimeterArgs.For(_aws, _resources);
        var audit = Audit.LabAuditTrailArgs.Of(lab, _resources);
        var afterExpiry = Perimeter.LabPerimeter.AfterExpiry(lab, _resources);

        Handle? labKey = null;
        if (_aws.KmsEncryption)
            using (program.Component(nameof(LabKey)))
                labKey = new LabKey(program, new()
                {
                    Key = _resources.LabKey,
                    LabName = _names.Lab,
                    Alias = _names.KmsAlias,
                    DeletionWindowDays = _aws.Perimeter.KeyDeletionWindowDays,
                    PolicyStatements = [.. Perimeter.LabPerimeter.KeyStatements(perimeter), .. Audit.LabAuditTrail.KeyStatements(audit)],
                    KeepOnDestroy = _aws.KeepResultsOnDestroy || Audit.LabAuditTrail.KeepsTheLabKey(lab),
                    Tags = tags,
                }).Build();
        BucketHandles results;
        using (program.Component("ResultsBucket"))
            results = new PrivateBucket(program, new()
            {
                LogicalPrefix = "results",
                Bucket = _resources.ResultsBucket,
                BucketNamePrefix = _names.BucketPrefix,
                Tags = tags,
                KmsKeyArn = labKey?.Arn,
                KeepOnDestroy = _aws.KeepResultsOnDestroy,
                Expiry = LabBuckets.ResultsBucketLifecycle(_aws.ResultsRetentionDays),
                Statements = [.. LabBuckets.NotebookWritesOnlyItsWork(_resources.ResultsBucket, notebookRole),
                              .. Perimeter.LabPerimeter.BucketStatements(perimeter, _resources.ResultsBucket)],
            }).Build();
        BucketHandles? data = null;
        if (_aws.OwnsData)
            using (program.Component("DataBucket"))
                data = new PrivateBucket(program, new()
                {
                    LogicalPrefix = "data",
                    Bucket = _resources.DataBucket,
                    BucketNamePrefix = _names.DataBucketPrefix,
                    Tags = tags,
                    KmsKeyArn = labKey?.Arn,
                    Expiry = LabBuckets.DataBucketLifecycle,
                    Statements = [.. LabBuckets.NotebookNeverWritesTheData(_resources.DataBucket, notebookRole),
                                  .. Perimeter.LabPerimeter.BucketStatements(perimeter, _resources.DataBucket)],
                    Versioned = true,
                }).Build();
        using (program.Component(nameof(GlueCatalog)))
            new GlueCatalog(program, new()
            {
                Release = lab.Release,
                Modules = lab.Modules,
                Derived = lab.AwsDerived,
                Sources = _sources,
                Researcher = lab.ResearcherInCloud,
                Study = lab.Study,
                DatabaseName = _names.Database,
                DerivedDatabaseName = _names.DerivedDatabase,
                LabDatabase = _resources.LabDatabase,
                DerivedDatabase = _resources.DerivedDatabase,
                DataBucket = data?.Bucket,
                Tags = tags,
            }).Build();
        Handle workgroup;
        using (program.Component(nameof(LabWorkgroup)))
            workgroup = new LabWorkgroup(program, new()
            {
                Workgroup = _resources.Workgroup,
                Name = _names.Workgroup,
                Description = $"MIMIC lab {_names.Lab}: {lab.Release.Title} for {lab.ResearcherInCloud}",
                ResultsPrefix = ResultsLayout.QueryResults,
                BytesScannedCutoffPerQuery = _aws.BytesScannedCutoffPerQuery,
                Results = results,
                Account = _resources.Account,
                LabKey = labKey,
                Tags = tags,
                Resumable = ResumableAtExpiry,
            }).Build();
        if (data is not null)
            using (program.Component(nameof(LabImport)))
                new LabImport(program, new()
                {
                    Plan = ImportPlan.For(lab),
                    Release = lab.Release,
                    Names = _names,
                    Region = _aws.Region,
                    BytesScannedCutoffPerQuery = _aws.ImportBytesScannedCutoffPerQuery,
                    DmlTimeoutQuotaMinutes = ImportModel.QuotaRequest(lab),
                    HasDerivedDatabase = lab.AwsDerived is not null,
                    Data = data,
                    Results = results,
                    ImportDatabase = _resources.ImportDatabase,
                    ImportWorkgroup = _resources.ImportWorkgroup,
                    Account = _resources.Account,
                    Partition = _resources.Partition,
                    LabKey = labKey,
                    GlueCatalogKeyStatements = [.. Iam.UseTheGlueCatalogKey(_aws.GlueCatalogKeyArn)],
                    AfterExpiry = afterExpiry,
                    Tags = tags,
                    ObjectTags = objectTags,
                    Resumable = ResumableAtExpiry,
                }).Build();
        using (program.Component(nameof(Audit.LabAuditTrail))) new Audit.LabAuditTrail(program, audit).Build();
        if (_aws.Notebook?.LabVpc is { } labVpc)
            using (program.Component(nameof(Network.LabNetwork)))
                new Network.LabNetwork(program, new() { Vpc = labVpc, Region = _aws.Region, LabName = _names.Lab, Tags = tags, Account = _resources.Account,
                    S3Endpoint = _resources.S3Endpoint, Subnet = _resources.LabSubnet, NotebookSecurityGroup = _resources.NotebookSecurityGroup }).Build();
        var workspace = new Workspace.ResearcherWorkspace(program, new()
        {
            Notebook = _aws.Notebook, Budget = _aws.Budget, Region = _aws.Region, Name = _names.Lab,
            QueriedDatabases = lab.AwsDerived is not null ? [_names.Database, _names.DerivedDatabase] : [_names.Database],
            Tags = tags, ObjectTags = objectTags,
            OwnsData = _aws.OwnsData, InPlaceFolders = _aws.OwnsData ? [] : [.. _sources.Select(t => t.Folder)],
            KmsEncryption = _aws.KmsEncryption, GlueCatalogKeyArn = _aws.GlueCatalogKeyArn,
            ExampleNotebook = _aws.Notebook is null ? null : ExampleNotebook.Build(lab),
            FilesBucketReady = [(data ?? results).Encryption, (data ?? results).Policy],
            Subnet = _aws.Notebook is null ? null : Network.LabNetwork.SubnetOf(_aws.Notebook, _resources.LabSubnet),
            SecurityGroups = _aws.Notebook is null ? [] : Network.LabNetwork.SecurityGroupsOf(_aws.Notebook, _resources.NotebookSecurityGroup),
            NetworkReadyFirst = _aws.Notebook is null ? [] : Network.LabNetwork.ReadyBeforeNotebook(_aws.Notebook),
            AfterExpiry = afterExpiry,
            AccountGuardrailPolicy = Perimeter.LabPerimeter.GuardrailPolicy(perimeter, _names.Lab),
            QueryHistoryBucket = _aws.AuditTrail.CreatesTrail && _aws.Perimeter.Closed ? _resources.AuditBucket : null,
            QueryHistoryPrefix = Audit.LabAuditTrail.QueryHistoryPrefix,
            Account = _resources.Account, Partition = _resources.Partition, LabKey = _resources.LabKey,
            ResultsBucket = _resources.ResultsBucket, DataBucket = _resources.DataBucket, Workgroup = workgroup,
            NotebookRole = _resources.NotebookRole, NotebookInstance = _resources.Notebook,
        });
        using (program.Component(nameof(Workspace.ResearcherWorkspace))) workspace.Build();
        Outputs(results, data, workgroup);
        workspace.Outputs();
    }

    /// <summary>The lab's workgroups are disabled at expiry and resumed when it is extended (the expiry stop).</summary>
    private PulumiResource ResumableAtExpiry(PulumiResource workgroup) => Expiry.AwsExpiryStop.Resumable(lab.Expires, workgroup);

    private void Outputs(BucketHandles results, BucketHandles? data, Handle workgroup)
    {
        var console = $"https://{_aws.Region}.console.aws.amazon.com/athena/home?region={_aws.Region}";
        program.Output("awsRegion", _aws.Region);
        program.Output("glueDatabase", _resources.LabDatabase.Out("name"));
        program.Output("athenaWorkgroup", workgroup.Out("name"));
        program.Output("resultsBucket", results.Bucket.Out("bucket"));
        if (data is not null) program.Output("dataBucket", data.Bucket.Out("bucket"));
        if (lab.AwsDerived is not null) program.Output("derivedDatabase", _resources.DerivedDatabase.Out("name"));
        program.Output("athenaConsoleUrl", $"{console}#/workgroups/details/{workgroup.Out("name")}");
        // No console URL selects a workgroup in the query editor (the editor opens in the last one used), so the
        // link goes to the lab's workgroup page and the output below names what to pick.
        program.Output("athenaQueryEditorHint", $"Athena console > Query editor > Workgroup: {_names.Workgroup} > Database: {_names.Database}");
        program.Output("tableCount", _sources.Count);
    }
}
