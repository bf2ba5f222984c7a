using System.Text;
using System.Text.RegularExpressions;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The GCP side of a lab in the researcher's project: per module a BigQuery dataset of views, each
/// selecting the catalog's columns by name from the release's pinned physionet-data dataset (so SQL
/// never moves when PhysioNet's "current" datasets do, and upstream drift breaks loudly); a scratch
/// dataset whose tables expire; read, write and job-user access for the lab's members only (each dataset's
/// access list is authoritative: members and the deployer, see <see cref="DatasetAccessList"/>); and an
/// optional Workbench instance. Views hold no data, so nothing here needs PhysioNet's data copied.
/// </summary>
public sealed partial class GcpLab(LabSettings lab, ProgramBuilder program)
{
    public const string SourceProject = "physionet-data";

    private readonly GcpSettings _gcp = lab.Gcp!;
    private readonly GcpLabResources _resources = GcpLabResources.Declare(program);

    /// <summary>The handles its components share, for the components wired after it (the expiry stop).</summary>
    public GcpLabResources Resources => _resources;
    private readonly IReadOnlyList<Module> _modules = ModulesOf(lab);

    /// <summary>The modules the GCP side offers: the lab's, then the derived concepts when their views are on.</summary>
    public static IReadOnlyList<Module> ModulesOf(LabSettings lab) => [.. lab.Modules, .. lab.Gcp?.Derived is { } d ? [d] : Array.Empty<Module>()];

    private static ResourceOptions Options(params string[] dependsOn) => GcpProvider.Options(dependsOn);

    /// <summary>Dataset id of a module's views: the lab's name, then the module.</summary>
    public static string DatasetOf(LabSettings lab, Module m) => $"{lab.Names.Database}_{m.Name}";

    public static string ScratchDataset(LabSettings lab) => $"{lab.Names.Database}_scratch";

    private static string Key(Module m) => $"dataset-{m.Name}";

    public void Build()
    {
        using var _ = program.Component(nameof(GcpLab));
        GcpProvider.Add(program, lab);
        Service("bigquery", "bigquery.googleapis.com");
        program.Variable(_resources.Deployer, DatasetAccessList.DeployerInvoke());

        foreach (var m in _modules)
        {
            program.Add(new PulumiResource(Key(m), "gcp:bigquery/dataset:Dataset", YMap.Of(
                ("datasetId", DatasetOf(lab, m)),
                ("friendlyName", $"{lab.Release.Title} {m.Name}"),
                ("description", $"{lab.Release.Title} module {m.Name} for {lab.ResearcherInCloud}, study {lab.Study}: views over {SourceProject}.{m.BigQueryDataset}. Managed by MimicInfra."),
                ("location", _gcp.Location),
                ("deleteContentsOnDestroy", true),   // views only: nothing of the researcher's is lost
                ("accesses", DatasetAccessList.For(_gcp.Members, DatasetAccessList.Reader)),
                ("labels", Labels())), Options("service-bigquery")));
            foreach (var t in m.Tables) ViewFor(m, t);
        }
        ScratchDatasetResource();
        Access();
        if (_gcp.Workbench is { } wb) Workbench(wb);
        Outputs();
        using (program.Component(nameof(CustomerKeys))) CustomerKeys.Build(lab, program);
        using (program.Component(nameof(GcpBoundary))) new GcpBoundary(lab, program).Build();
    }

    private void Service(string key, string api) =>
        program.Add(new PulumiResource($"service-{key}", "gcp:projects/service:Service", YMap.Of(
            ("service", api),
            // The project may use the API for other work: leaving the lab never switches it off.
            ("disableOnDestroy", false)), Options()));

    /// <summary>The view of one table: the catalog's column list, in catalog order, from the pinned dataset.</summary>
    public static string ViewSql(Module m, Table t) =>
        "SELECT\n  " + string.Join(",\n  ", t.Columns.Select(c => c.Name)) + $"\nFROM `{SourceProject}.{m.BigQueryDataset}.{t.Name}`";

    private void ViewFor(Module m, Table t) =>
        program.Add(new PulumiResource($"view-{m.Name}-{t.Name.Replace('_', '-')}", "gcp:bigquery/table:Table", YMap.Of(
            ("datasetId", $"${{{Key(m)}.datasetId}}"),
            ("tableId", t.Name),
            ("description", t.Description ?? $"{lab.Release.Title} {m.Name}.{t.Name}, pinned to {SourceProject}.{m.BigQueryDataset}"),
            ("deletionProtection", false),
            ("view", YMap.Of(("query", ViewSql(m, t)), ("useLegacySql", false))),
            ("labels", Labels())), Options()));

    private void ScratchDatasetResource()
    {
        var keep = _gcp.KeepScratchOnDestroy;
        program.Add(new PulumiResource("dataset-scratch", "gcp:bigquery/dataset:Dataset", YMap.Of(
            ("datasetId", ScratchDataset(lab)),
            ("friendlyName", $"Scratch of MIMIC lab {lab.Names.Lab}"),
            ("description", $"The researcher's own tables; each expires {_gcp.ScratchExpirationDays} days after it is written unless set otherwise."),
            ("location", _gcp.Location),
            ("defaultTableExpirationMs", (long)_gcp.ScratchExpirationDays * 24 * 60 * 60 * 1000),
            ("deleteContentsOnDestroy", !keep),
            ("accesses", DatasetAccessList.For(_gcp.Members, DatasetAccessList.Writer)),
            // The stack's own key when it names one (the lab never creates one: a KMS key cannot be deleted).
            ("defaultEncryptionConfiguration", _gcp.Hardening.ScratchKmsKey is { } key ? YMap.Of(("kmsKeyName", key)) : null),
            ("labels", Labels())), Options("service-bigquery") with { RetainOnDelete = keep }));
    }

    /// <summary>
    /// Members run jobs in the project; what they read and write is each dataset's own access list (READER on the
    /// views, WRITER on scratch), set on the dataset itself. Nothing public.
    /// </summary>
    private void Access()
    {
        foreach (var (member, i) in _gcp.Members.Select((m, i) => (m, i + 1)))
        {
            program.Add(new PulumiResource($"jobuser-{i}", "gcp:projects/iAMMember:IAMMember", YMap.Of(
                ("project", _gcp.Project),
                ("role", "roles/bigquery.jobUser"),
                ("member", member)), Options("service-bigquery")));
        }
    }

    private void Workbench(WorkbenchSettings wb)
    {
        Service("notebooks", "notebooks.googleapis.com");
        Service("compute", "compute.googleapis.com");
        // Queries run with the owner's own credentials (managed end-user credentials), which PhysioNet granted.
        // With them on, the VM runs as Google's Workbench service agent and a service account of our own is
        // refused ("Users can't specify a different service account"), so none is set.
        program.Add(new PulumiResource("workbench", "gcp:workbench/instance:Instance", YMap.Of(
            ("name", lab.Names.Lab),
            ("location", wb.Zone),
            ("instanceOwners", new object[] { wb.Owner }),
            ("enableManagedEuc", true),
            ("desiredState", "ACTIVE"),
            ("gceSetup", YMap.Of(
                ("machineType", wb.MachineType),
                ("disablePublicIp", true),
                ("shieldedInstanceConfig", YMap.Of(("enableSecureBoot", true), ("enableVtpm", true), ("enableIntegrityMonitoring", true))),
                // No public IP: the subnet must have Private Google Access (BigQuery, the Workbench proxy); pip from
                // the internet needs Cloud NAT on its network, which the lab leaves to the project's network admin.
                ("networkInterfaces", new object[] { YMap.Of(("network", wb.Network), ("subnet", wb.Subnet)) }),
                ("bootDisk", WorkbenchHardening.BootDisk(_gcp.Hardening)),
                ("dataDisks", WorkbenchHardening.DataDisks(_gcp.Hardening)),
                ("metadata", WorkbenchHardening.Metadata(wb, _gcp.Hardening)))),
            ("labels", Labels())), Options("service-notebooks", "service-compute")));
        // The owner may see the instance and its state in the console and open it from there; JupyterLab itself
        // admits only the instance owner (single-user access mode).
        program.Add(new PulumiResource("workbench-viewer", "gcp:projects/iAMMember:IAMMember", YMap.Of(
            ("project", _gcp.Project),
            ("role", "roles/notebooks.viewer"),
            ("member", $"user:{wb.Owner}")), Options("service-notebooks")));
    }

    /// <summary>
    /// Who can deploy the views: BigQuery resolves a view's query when the view is created (it stores the source
    /// tables' schema with it), so whoever runs `pulumi up` must be able to read physionet-data themselves.
    /// </summary>
    public static string DeployerRequirement(LabSettings lab) =>
        "the account that runs `pulumi up` must itself have PhysioNet's BigQuery access to " +
        string.Join(", ", ModulesOf(lab).Select(m => $"{SourceProject}.{m.BigQueryDataset}").Distinct()) +
        " (a credentialed PhysioNet user's Google account); a CI service account or an admin without it fails on the first view with Access Denied";

    private void Outputs()
    {
        program.Output("gcpProject", _gcp.Project);
        program.Output("bigqueryDeployerNeeds", DeployerRequirement(lab));
        program.Output("bigqueryDatasets", _modules.Select(m => (object)$"${{{Key(m)}.datasetId}}").ToList());
        program.Output("bigqueryScratchDataset", "${dataset-scratch.datasetId}");
        var first = DatasetOf(lab, lab.Modules[0]);
        program.Output("bigqueryConsoleUrl", $"https://console.cloud.google.com/bigquery?project={_gcp.Project}&ws=!1m4!1m3!3m2!1s{_gcp.Project}!2s{first}");
        if (ExampleQueries.For(_modules).FirstOrDefault() is { } q)
            program.Output("bigqueryExampleQuery", Qualified(q));
        if (_gcp.Workbench is not null) program.Output("workbenchUrl", "https://${workbench.proxyUri}");
    }

    /// <summary>An example query with its tables written out in full, ready to paste into the BigQuery console.</summary>
    public string Qualified(ExampleQuery q)
    {
        var module = _modules.First(m => m.Name == q.Module);
        return TableReference().Replace(q.Sql, x => module.FindTable(x.Groups[2].Value) is null
            ? x.Value
            : $"{x.Groups[1].Value} `{_gcp.Project}.{DatasetOf(lab, module)}.{x.Groups[2].Value}`");
    }

    [GeneratedRegex(@"(?m)^(FROM|JOIN) ([a-z_][a-z0-9_]*)\b")]
    private static partial Regex TableReference();

    /// <summary>GCP labels: lower-case keys and values of letters, digits, _ and -, at most 63 characters.</summary>
    private YMap Labels() => LabelsOf(lab);

    internal static YMap LabelsOf(LabSettings lab) => lab.Tags.Aggregate(new YMap(), (map, t) => { map[Label(t.Key, true)] = Label(t.Value, false); return map; });

    internal static string Label(string text, bool key)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant()) sb.Append(ch is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' ? ch : '_');
        var s = sb.ToString();
        if (key && (s.Length == 0 || s[0] is < 'a' or > 'z')) s = "k" + s;
        return s.Length > 63 ? s[..63] : s;
    }
}
