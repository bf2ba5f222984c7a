using System.Globalization;
using MimicInfra.Program;

namespace MimicInfra.Gcp.CostGuards;

/// <summary>What the quota needs: the lab's project, its cost guards, and the BigQuery API it waits for.</summary>
public sealed record GcpQueryQuotaArgs
{
    public required string Project { get; init; }
    public required GcpCostGuards CostGuards { get; init; }
    public required Handle BigQueryService { get; init; }
}

/// <summary>
/// A consumer quota override on the lab's project: BigQuery's "Query usage per day per user"
/// (metric bigquery.googleapis.com/quota/query/usage, limit /d/project/user, in MiB), so no member's
/// queries can bill more than the lab allows in one day, whatever tool they use. BigQuery resets it at
/// midnight Pacific time. The deployer needs serviceusage.quotas.update (Quota Administrator).
/// </summary>
public sealed class GcpQueryQuota(ProgramBuilder program, GcpQueryQuotaArgs args)
{
    public void Build()
    {
        var serviceUsage = GcpProvider.Service(program, "service-serviceusage", "serviceusage.googleapis.com");
        program.Add("bigqueryDailyQuotaPerUser", "gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride", YMap.Of(
            ("project", args.Project),
            ("service", "bigquery.googleapis.com"),
            // The provider takes both names URL-encoded (its documented examples encode them).
            ("metric", Uri.EscapeDataString("bigquery.googleapis.com/quota/query/usage")),
            ("limit", Uri.EscapeDataString("/d/project/user")),
            ("overrideValue", (args.CostGuards.DailyQueryGibPerUser * 1024).ToString(CultureInfo.InvariantCulture)),
            // Lowering a quota by more than 10 % is refused without force (the default is 200 TiB a day).
            ("force", true)), GcpProvider.OptionsAfter(serviceUsage, args.BigQueryService));
    }
}
