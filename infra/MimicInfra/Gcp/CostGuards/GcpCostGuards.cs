using MimicInfra.Lab;

namespace MimicInfra.Gcp.CostGuards;

/// <summary>BigQuery cost guards of a GCP lab: a daily per-user query quota and a per-query byte cap.</summary>
public sealed record GcpCostGuards(long DailyQueryGibPerUser, long MaxBytesBilledPerQuery)
{
    public const long DefaultDailyQueryGibPerUser = 1024;          // 1 TiB a day per user
    public const long DefaultMaxBytesBilledPerQuery = 10L << 30;   // 10 GiB a query

    public static GcpCostGuards Default { get; } = new(DefaultDailyQueryGibPerUser, DefaultMaxBytesBilledPerQuery);
}

/// <summary>Reads the GCP cost guards (gcpDailyQueryGibPerUser, gcpMaxBytesBilledPerQuery).</summary>
public static class GcpCostGuardsReader
{
    public static GcpCostGuards Read(ConfigValues c) =>
        new(c.Integer("gcpDailyQueryGibPerUser", 1, 204_800), c.Integer("gcpMaxBytesBilledPerQuery", 10_485_760, long.MaxValue));
}
