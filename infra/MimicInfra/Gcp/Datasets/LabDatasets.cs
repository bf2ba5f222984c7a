using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp.Datasets;

/// <summary>What the datasets need: the GCP settings, the modules offered, the lab's names and labels, and the handles they use or add.</summary>
public sealed record LabDatasetsArgs
{
    public required GcpSettings Gcp { get; init; }
    /// <summary>The modules offered as views: the lab's, then the derived concepts when their views are on.</summary>
    public required IReadOnlyList<Module> Modules { get; init; }
    public required LabNames Names { get; init; }
    public required string ReleaseTitle { get; init; }
    /// <summary>The researcher as the cloud sees the lab (descriptions).</summary>
    public required string Researcher { get; init; }
    public required string Study { get; init; }
    public required YMap Labels { get; init; }
    public required Handle Deployer { get; init; }
    public required Handle BigQueryService { get; init; }
    public required Handle ScratchDataset { get; init; }
}

/// <summary>
/// The lab's BigQuery side in the researcher's project: per module a dataset of views, each selecting the catalog's
/// columns by name from the release's pinned physionet-data dataset (so SQL never moves when PhysioNet's "current"
/// datasets do, and upstream drift breaks loudly); a scratch dataset whose tables expire; read, write and job-user
/// access for the lab's members only (each dataset's access list is authoritative: members and the deployer, see
/// <see cref="DatasetAccessList"/>); and the outputs that say where to query. Views hold no data, so nothing here
/// needs PhysioNet's data copied.
/// </summary>
public sealed partial class LabDatasets(ProgramBuilder program, LabDatasetsArgs args)
{
    public const string SourceProject = "physionet-data";

    private GcpSettings Gcp => args.Gcp;

    /// <summary>The modules the datasets offer: the lab's, then the derived concepts when their views are on.</summary>
    public static IReadOnlyList<Module> ModulesOf(IReadOnlyList<Module> modules, Module? derived) => [.. modules, .. derived is { } d ? [d] : Array.Empty<Module>()];

    /// <summary>Dataset id of a module's views: the lab's name, then the module.</summary>

    public static string DatasetId(LabNames names, Module m) => $"{names.Database}_{m.Name}";

    public static string ScratchDatasetId(LabNames names) => $"{names.Database}_scratch";

    public void Build()
    {
        program.Variable(args.Deployer, DatasetAccessList.DeployerInvoke());
        var datasets = new List<Handle>();
        foreach (var m in args.Modules)
        {
            var dataset = program.Add($"dataset-{m.Name}", "gcp:bigquery/dataset:Dataset", YMap.Of(
                ("datasetId", DatasetId(args.Names, m)),
                ("friendlyName", $"{args.ReleaseTitle} {m.Name}"),
                ("description", $"{args.ReleaseTitle} module {m.Name} for {args.Researcher}, study {args.Study}: views over {SourceProject}.{m.BigQueryDataset}. Managed by MimicInfra."),
                ("location", Gcp.Location),
                ("deleteContentsOnDestroy", true),   // views only: nothing of the researcher's is lost
                ("accesses", DatasetAccessList.For(args.Deployer, Gcp.Members, DatasetAccessList.Reader)),
                ("labels", args.Labels)), GcpProvider.OptionsAfter(args.BigQueryService));
            datasets.Add(dataset);
            foreach (var t in m.Tables) ViewFor(dataset, m, t);
        }
        ScratchDatasetResource();
        Access();
        Outputs(datasets);
    }

    /// <summary>The view of one table: the catalog's column list, in catalog order, from the pinned dataset.</summary>
    public static string ViewSql(Module m, Table t) =>
        "SELECT\n  " + string.Join(",\n  ", t.Columns.Select(c => c.Name)) + $"\nFROM `{SourceProject}.{m.BigQueryDataset}.{t.Name}`";

    private void ViewFor(Handle dataset, Module m, Table t) =>
        program.Add($"view-{m.Name}-{t.Name.Replace('_', '-')}", "gcp:bigquery/table:Table", YMap.Of(
            ("datasetId", dataset.Out("datasetId")),
            ("tableId", t.Name),
            ("description", t.Description ?? $"{args.ReleaseTitle} {m.Name}.{t.Name}, pinned to {SourceProject}.{m.BigQueryDataset}"),
            ("deletionProtection", false),
            ("view", YMap.Of(("query", ViewSql(m, t)), ("useLegacySql", false))),
            ("labels", args.Labels)), GcpProvider.Options());

    private void ScratchDatasetResource()
    {
        var keep = Gcp.KeepScratchOnDestroy;
        program.Add(args.ScratchDataset, "gcp:bigquery/dataset:Dataset", YMap.Of(
            ("datasetId", ScratchDatasetId(args.Names)),
            ("friendlyName", $"Scratch of MIMIC lab {args.Names.Lab}"),
            ("description", $"The researcher's own tables; each expires {Gcp.ScratchExpirationDays} days after it is written unless set otherwise."),
            ("location", Gcp.Location),
            ("defaultTableExpirationMs", (long)Gcp.ScratchExpirationDays * 24 * 60 * 60 * 1000),
            ("deleteContentsOnDestroy", !keep),
            ("accesses", DatasetAccessList.For(args.Deployer, Gcp.Members, DatasetAccessList.Writer)),
            // The stack's own key when it names one (the lab never creates one: a KMS key cannot be deleted).
            ("defaultEncryptionConfiguration", Gcp.Hardening.ScratchKmsKey is { } key ? YMap.Of(("kmsKeyName", key)) : null),
            ("labels", args.Labels)), GcpProvider.OptionsAfter(args.BigQueryService) with { RetainOnDelete = keep });
    }

    /// <summary>
    /// Members run jobs in the project; what they read and write is each dataset's own access list (READER on the
    /// views, WRITER on scratch), set on the dataset itself. Nothing public.
    /// </summary>
    private void Access()
    {
        foreach (var (member, i) in Gcp.Members.Select((m, i) => (m, i + 1)))
        {
            program.Add($"jobuser-{i}", "gcp:projects/iAMMember:IAMMember", YMap.Of(
                ("project", Gcp.Project),
                ("role", "roles/bigquery.jobUser"),
                ("member", member)), GcpProvider.OptionsAfter(args.BigQueryService));
        }
    }

    /// <summary>
    /// Who can deploy the views: BigQuery resolves a view's query when the view is created (it stores the source
    /// tables' schema with it), so whoever runs `pulumi up` must be able to read physionet-data themselves.
    /// </summary>
    public static string DeployerRequirement(IEnumerable<Module> modules) =>
        "the account that runs `pulumi up` must itself have PhysioNet's BigQuery access to " +
        string.Join(", ", modules.Select(m => $"{SourceProject}.{m.BigQueryDataset}").Distinct()) +
        " (a credentialed PhysioNet user's Google account); a CI service account or an admin without it fails on the first view with Access Denied";

    private void Outputs(IReadOnlyList<Handle> datasets)
    {
        program.Output("gcpProject", Gcp.Project);
        program.Output("bigqueryDeployerNeeds", DeployerRequirement(args.Modules));
        program.Output("bigqueryDatasets", datasets.Select(d => (object)d.Out("datasetId")).ToList());
        program.Output("bigqueryScratchDataset", args.ScratchDataset.Out("datasetId"));
        var first = DatasetId(args.Names, args.Modules[0]);
        program.Output("bigqueryConsoleUrl", $"https://console.cloud.google.com/bigquery?project={Gcp.Project}&ws=!1m4!1m3!3m2!1s{Gcp.Project}!2s{first}");
        if (ExampleQueries.For(args.Modules).FirstOrDefault() is { } q)
            program.Output("bigqueryExampleQuery", Qualified(q));
    }

    /// <summary>An example query with its tables written out in full, ready to paste into the BigQuery console.</summary>
    private string Qualified(ExampleQuery q)
    {
        var module = args.Modules.First(m => m.Name == q.Module);
        return TableReference().Replace(q.Sql, x => module.FindTable(x.Groups[2].Value) is null
            ? x.Value
            : $"{x.Groups[1].Value} `{Gcp.Project}.{DatasetId(args.Names, module)}.{x.Groups[2].Value}`");
    }

    [GeneratedRegex(@"(?m)^(FROM|JOIN) ([a-z_][a-z0-9_]*)\b")]
    private static partial Regex TableReference();
}
