using System.Text.RegularExpressions;
using MimicInfra.Costs;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Cli;

/// <summary>
/// The parts of `preview` a reader needs first and last: the lab at a glance (what, where, who may read the
/// data, cost, expiry, the next step), who does what after `pulumi up`, and what `pulumi destroy` deletes
/// and keeps. Pure functions of the lab and its program.
/// </summary>
public static partial class PreviewGuide
{
    public static IEnumerable<string> Glance(LabSettings lab, CostEstimate cost)
    {
        var tables = lab.Modules.Sum(m => m.Tables.Count);
        var derived = lab.Derived is null || (lab.AwsDerived is null && lab.Gcp?.Derived is null) ? "" : ", derived concepts";
        yield return $"  what        {lab.Release.Title} ({lab.Release.Access.ToString().ToLowerInvariant()}): {string.Join(", ", lab.Modules.Select(m => m.Name))}, {tables} tables{derived}";
        if (lab.Aws is { } aws)
            yield return $"  where       AWS region {aws.Region}, " + (lab.Providers.AwsAccountId is { } id ? $"account {id} only" : "whichever account the deploy's credentials reach (no awsAccountId)");
        if (lab.Gcp is { } gcp)
            yield return $"  where       GCP project {gcp.Project}, BigQuery location {gcp.Location}";
        if (lab.Aws is { } a)
            yield return a.Perimeter.ResearcherArn is { } arn
                ? $"  who         {arn} reads the data (and the lab's notebook{(a.Perimeter.DeployerReads ? " and the deployer" : "; the deployer only administers")}); no one else"
                : "  who         any principal that IAM allows in the account (no researcherPrincipalArn: open data only)";
        if (lab.Gcp is { } g)
            yield return $"  who         {string.Join(", ", g.Members)} on BigQuery, each with PhysioNet's own access to {Gcp.GcpLab.SourceProject}";
        yield return $"  cost        {CostText(cost)}";
        yield return $"  expires     {lab.Expires:yyyy-MM-dd} ({Fleet.FleetPreview.DaysLeft(lab, Fleet.ExpiryDates.Today())}): the lab stops itself at 00:00 UTC that day";
        yield return $"  next        `pulumi stack init {lab.Stack}` (once), then `pulumi up --stack {lab.Stack}`; after it, the steps at the end";
    }

    /// <summary>The monthly cost as CostEstimate gives it, saying plainly what it leaves out.</summary>
    private static string CostText(CostEstimate cost)
    {
        var missing = cost.Lines.Count(l => l.Missing is not null);
        var priced = cost.Lines.Count - missing;
        var totals = $"{CostEstimate.Usd(cost.TotalWithIdleStop)} a month with idle stop, {CostEstimate.Usd(cost.TotalAlwaysOn)} without";
        return cost.Complete ? totals + "; queries billed per use (Costs below)"
            : priced > 0 ? $"at least {totals}: {missing} item(s) have no verified price yet (Costs below)"
            : $"not estimated: {missing} item(s) have no verified price yet (Costs below)";
    }

    /// <summary>Who does what after `pulumi up`, in order, with the outputs each step uses.</summary>
    public static IEnumerable<string> NextSteps(LabSettings lab, PulumiProgram program)
    {
        var step = 0;
        string N() => $"  {++step}.";
        var first = ExampleQueries.For(lab.Modules).FirstOrDefault();
        var sql = first is null ? null : Space().Replace(first.Sql, " ").Trim();
        if (lab.Aws is { } aws)
        {
            var user = aws.Perimeter.ResearcherArn ?? "the researcher's IAM user";
            var signedIn = aws.Perimeter.ResearcherArn is { } arn ? $"signed in as {arn}" : "as their own IAM user";
            var policies = new[] { "researcherImportPolicy", "researcherPolicy" }.Where(program.Outputs.ContainsKey).ToList();
            if (policies.Count > 0)
                yield return $"{N()} The platform engineer attaches the output{(policies.Count > 1 ? "s" : "")} {string.Join(" and ", policies)} to {user} " +
                             $"(`pulumi stack output {policies[0]} --stack {lab.Stack}`).";
            if (aws.OwnsData)
                yield return $"{N()} The researcher, {signedIn}, opens AWS CloudShell in {aws.Region} and pastes the output importCommand, once: " +
                             "it copies every table into the lab's typed copy and prints rows, bytes scanned and cost per table.";
            yield return $"{N()} The first query: the Athena console, workgroup {lab.Names.Workgroup}, database {lab.Names.Database}" +
                         (aws.Notebook is null ? "" : ", or the notebook (output notebookUrl) and its example notebook") +
                         (sql is null ? "." : $": {sql}");
        }
        if (lab.Gcp is { } gcp)
        {
            var dataset = lab.Modules.FirstOrDefault(m => first is null || m.Name == first.Module) is { } m ? Gcp.GcpLab.DatasetOf(lab, m) : null;
            yield return $"{N()} Each member ({string.Join(", ", gcp.Members)}) queries BigQuery in project {gcp.Project}" +
                         (gcp.Workbench is null ? "" : $", or {gcp.Workbench.Owner} opens the Workbench instance {lab.Names.Lab}") +
                         (sql is null || dataset is null ? "." : $", e.g. with default dataset {gcp.Project}.{dataset}: {sql}");
        }
    }

    /// <summary>What `pulumi destroy` deletes and what it leaves, from the settings that decide it.</summary>
    public static IEnumerable<string> Destroy(LabSettings lab)
    {
        var deletes = new List<string>();
        var keeps = new List<string>();
        if (lab.Aws is { } aws)
        {
            if (aws.OwnsData) deletes.Add("the lab's data copy (data bucket)");
            (aws.KeepResultsOnDestroy ? keeps : deletes).Add("the query results (results bucket" + (aws.KeepResultsOnDestroy ? ", keepResultsOnDestroy)" : ")"));
            if (aws.Notebook is not null) deletes.Add("the notebook and its volume");
            deletes.Add("the Glue databases, the Athena workgroups with their query history" + (aws.Notebook?.LabVpc is not null ? ", the lab network" : "") + " and the expiry stop");
            if (aws.AuditTrail.CreatesTrail && aws.AuditTrail.KeepOnDestroy)
                keeps.Add($"the audit trail's bucket, its records expiring after {aws.AuditTrail.RetentionDays} days");
            if (aws.KmsEncryption)
                keeps.Add(Aws.Audit.LabAuditTrail.KeepsTheLabKey(lab) || aws.KeepResultsOnDestroy
                    ? $"the lab key {lab.Names.KmsAlias}, which the kept records need"
                    : $"the lab key {lab.Names.KmsAlias} for its {aws.Perimeter.KeyDeletionWindowDays}-day deletion window (restorable until then)");
            if (aws.Notebook is not null) keeps.Add($"the account's log group {Aws.Workspace.ResearcherWorkspace.NotebookLogGroup}");
        }
        if (lab.Gcp is { } gcp)
        {
            deletes.Add("the BigQuery lab datasets (views only: physionet-data is PhysioNet's)");
            (gcp.KeepScratchOnDestroy ? keeps : deletes).Add("the scratch dataset" + (gcp.KeepScratchOnDestroy ? " (gcpKeepScratchOnDestroy)" : ""));
            if (gcp.Workbench is not null) deletes.Add("the Workbench instance and its disks");
            keeps.Add("the GCP log bucket of BigQuery data-access entries");
        }
        yield return $"  deletes     {string.Join("; ", deletes)}";
        if (keeps.Count > 0) yield return $"  keeps       {string.Join("; ", keeps)}";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();
}
