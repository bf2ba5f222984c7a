using System.Globalization;
using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Import;

/// <summary>
/// How fast one Athena reader gets through a gzip CSV file (gzip is not splittable, so a file is one reader): CSV text
/// megabytes (10^6 bytes) per second, a central figure and a pessimistic one. No published Athena figure exists (Athena's
/// documentation gives none; see the README); the figures are an assumption, adjustable on the import's command line
/// (--reader-mbps), to be replaced by what a real import records (imports/tables/*.json: seconds and bytes per table).
/// </summary>
public sealed record ReaderAssumption(double CentralMBps, double PessimisticMBps, string Basis)
{
    public static readonly ReaderAssumption Default = new(25, 8,
        "assumption, no published Athena figure: one reader parses 25 MB/s of CSV text (pessimistic 8 MB/s, a factor 3 below); " +
        "`bench` measures DuckDB's single-thread rate on this machine as a local comparison");
}

/// <summary>One table's expected import: its source's size, minutes on one Athena reader, and Athena's scan cost.</summary>
/// <param name="ParallelRead">The source is Parquet, which Athena splits across readers: no one-reader time applies.</param>
public sealed record TableEstimate(string Name, long? Rows, long? GzipBytes, long? TextBytes, double? Minutes, double? PessimisticMinutes,
    double? CostUsd, bool Reencoded, bool ParallelRead)
{
    /// <summary>Whether the pessimistic time exceeds a DML timeout: the import refuses to start such a table.</summary>
    public bool Exceeds(int timeoutMinutes) => PessimisticMinutes > timeoutMinutes;
}

/// <summary>The whole import's estimate: per table, the totals, and the DML timeout the release needs.</summary>
public sealed record ImportEstimate(IReadOnlyList<TableEstimate> Tables, ReaderAssumption Reader)
{
    public double TotalCostUsd => Tables.Sum(t => t.CostUsd ?? 0);
    public double TotalMinutes => Tables.Sum(t => t.Minutes ?? 0);
    public long TotalGzipBytes => Tables.Sum(t => t.GzipBytes ?? 0);
    public IEnumerable<TableEstimate> Unknown => Tables.Where(t => t.Minutes is null && !t.ParallelRead);

    /// <summary>The DML timeout (minutes) the slowest table needs at the pessimistic rate, rounded up to a whole hour; null when 30 minutes do.</summary>
    public int? NeededDmlTimeoutMinutes
    {
        get
        {
            var worst = Tables.Max(t => t.PessimisticMinutes ?? 0);
            if (worst <= ImportModel.DefaultDmlTimeoutMinutes) return null;
            return (int)Math.Min(ImportModel.MaxDmlTimeoutMinutes, Math.Ceiling(worst / 60) * 60);
        }
    }
}

/// <summary>
/// The import's time and cost model, shown before anything runs (`preview`, the import's dry run): per table the
/// catalog's sizes, the minutes one Athena reader needs at the assumed rate, Athena's scan cost, and whether the
/// table can finish within the account's DML query timeout (quota L-E80DC288). No I/O.
/// </summary>
public static class ImportModel
{
    /// <summary>Athena's DML query timeout quota (Service Quotas, service athena): 30 minutes by default, adjustable up to 240.</summary>
    public const string DmlTimeoutQuotaCode = "L-E80DC288";
    public const int DefaultDmlTimeoutMinutes = 30;
    public const int MaxDmlTimeoutMinutes = 240;

    /// <summary>Athena's price per TB (10^12 bytes) scanned, and its 10 MB minimum per query.</summary>
    public const double UsdPerTb = 5.0;
    public const long MinBytesPerQuery = 10_000_000;

    /// <summary>The text in one staged part of a re-encoded table (the import script's PART_BYTES).</summary>
    public const long ReencodedPartBytes = 256L * 1024 * 1024;

    /// <summary>Text bytes per gzip byte where only the gzip size is known (MIMIC's CSV compresses about 5 to 10 times).</summary>
    private const double TextPerGzipByte = 6;

    /// <summary>The gzip bytes of a release's source files where the catalog knows them: what the one-off import scans, for cost estimates.</summary>
    public static long SourceGzipBytes(Release release, IEnumerable<Module> modules) =>
        modules.Where(m => !m.IsDerived && release.Modules.Contains(m)).SelectMany(m => m.Tables).Sum(t => t.Size?.GzipBytes ?? 0);

    public static ImportEstimate For(ImportPlanData plan, ReaderAssumption? reader = null)
    {
        var r = reader ?? ReaderAssumption.Default;
        return new ImportEstimate(plan.Tables.Select(t => Of(t, r)).ToList(), r);
    }

    public static TableEstimate Of(TableImport t, ReaderAssumption reader)
    {
        var name = $"{t.Module.Name}.{t.Table.Name}";
        var size = t.Table.Size;
        if (!t.Source.IsText)
            return new TableEstimate(name, size?.Rows, null, null, null, null, null, false, true);
        var gzip = size?.GzipBytes;
        var text = size?.TextBytes ?? (gzip is { } g ? (long)(g * TextPerGzipByte) : null);
        // A re-encoded table is staged as parts of at most ReencodedPartBytes of text, which Athena reads side by side.
        double? Minutes(double mbps) => text is { } x ? (t.Reencoded ? Math.Min(x, ReencodedPartBytes) : x) / (mbps * 1e6) / 60 : null;
        // The UNLOAD scans the gzip file (Athena bills compressed bytes); two counts scan the typed copy (at least 10 MB each).
        double? cost = gzip is { } gz ? (Math.Max(gz, MinBytesPerQuery) + 2 * MinBytesPerQuery) / 1e12 * UsdPerTb : null;
        return new TableEstimate(name, size?.Rows, gzip, text, Minutes(reader.CentralMBps), Minutes(reader.PessimisticMBps), cost, t.Reencoded, false);
    }

    /// <summary>The DML timeout quota a lab requests (athenaDmlTimeoutQuota): the setting, else what its import needs; null for none.</summary>
    public static int? QuotaRequest(LabSettings lab) =>
        lab.Aws is not { OwnsData: true } ? null
        : lab.Aws.DmlTimeoutQuota is { } set ? (set == 0 ? null : set)
        : For(ImportPlan.For(lab)).NeededDmlTimeoutMinutes is null ? null : MaxDmlTimeoutMinutes;

    /// <summary>The per-table table and totals, as `preview` and the import's dry run print them.</summary>
    public static IReadOnlyList<string> Lines(ImportEstimate e, int timeoutMinutes, string indent = "  ")
    {
        var lines = new List<string>
        {
            $"{indent}{"table",-30} {"rows",13} {"gzip",9} {"text",9} {"minutes",14} {"cost",8}",
        };
        foreach (var t in e.Tables.Where(t => !t.ParallelRead))
        {
            var minutes = t.Minutes is { } m ? $"{Num(m)} ({Num(t.PessimisticMinutes!.Value)})" : "?";
            var flag = t.Exceeds(timeoutMinutes) ? $"  > {timeoutMinutes} min DML timeout" : "";
            var note = t.Reencoded ? "  re-encoded in CloudShell into 256 MB parts, read by several readers" : "";
            lines.Add($"{indent}{t.Name,-30} {Rows(t.Rows),13} {Bytes(t.GzipBytes),9} {Bytes(t.TextBytes),9} {minutes,14} {Usd(t.CostUsd),8}{flag}{note}");
        }
        var parallel = e.Tables.Where(t => t.ParallelRead).ToList();
        if (parallel.Count > 0)
            lines.Add($"{indent}{$"{parallel.Count} Parquet tables",-30} {"",13} {"",9} {"",9} {"parallel",14} {"?",8}  " +
                      $"({string.Join(", ", parallel.Select(t => t.Name.Split('.')[0]).Distinct())}: Athena splits Parquet across readers; not modelled)");
        lines.Add($"{indent}{"total",-30} {Rows(e.Tables.All(t => t.Rows is not null) ? e.Tables.Sum(t => t.Rows) : null),13} {Bytes(e.TotalGzipBytes),9} {"",9} " +
                  $"{Num(e.TotalMinutes),14} {Usd(e.TotalCostUsd),8}");
        var over = e.Tables.Where(t => t.Exceeds(timeoutMinutes)).Select(t => t.Name).ToList();
        lines.Add($"{indent}minutes: one Athena reader at {Num(e.Reader.CentralMBps)} MB/s of CSV text (pessimistic {Num(e.Reader.PessimisticMBps)} MB/s in brackets); " +
                  $"total = one table after another; cost: Athena's {UsdPerTb:0} USD per TB scanned");
        lines.Add(over.Count == 0
            ? $"{indent}DML timeout: every table with a known size fits in {timeoutMinutes} minutes at the pessimistic rate"
            : $"{indent}DML timeout: {string.Join(", ", over)} may need more than {timeoutMinutes} minutes; the import refuses to start them under a shorter timeout");
        if (e.Unknown.Any())
            lines.Add($"{indent}unknown: no size in the catalog for {string.Join(", ", e.Unknown.Select(t => t.Name))}; their time is not estimated");
        return lines;
    }

    /// <summary>The lines `preview` shows for an AWS lab that imports: the model under the DML timeout the lab will have.</summary>
    public static IReadOnlyList<string> PreviewLines(LabSettings lab)
    {
        if (lab.Aws is not { OwnsData: true }) return [];
        var estimate = For(ImportPlan.For(lab));
        var quota = QuotaRequest(lab);
        var timeout = quota ?? DefaultDmlTimeoutMinutes;
        var lines = new List<string>
        {
            $"  import time one-time import of {estimate.Tables.Count} tables: about {Num(estimate.TotalMinutes)} minutes of Athena reading, " +
            $"{Bytes(estimate.TotalGzipBytes)} of gzip scanned, about {Usd(estimate.TotalCostUsd)} (sizes: the catalog's, see schemas/)",
            quota is { } q
                ? $"  quota       requests Athena's DML query timeout ({DmlTimeoutQuotaCode}) = {q} minutes for the account in {lab.Aws.Region}: " +
                  "an account-wide request that AWS approves in minutes to days; nothing is undone on destroy (athenaDmlTimeoutQuota)"
                : $"  quota       none requested: every table fits Athena's default {DefaultDmlTimeoutMinutes}-minute DML timeout (athenaDmlTimeoutQuota)",
        };
        lines.AddRange(Lines(estimate, timeout, "    "));
        return lines;
    }

    private static string Num(double v) => v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Usd(double? v) => v is { } x ? "$" + x.ToString(x < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) : "?";

    private static string Rows(long? v) => v is { } x ? x.ToString("N0", CultureInfo.InvariantCulture) : "?";

    public static string Bytes(long? v) => v switch
    {
        null => "?",
        >= 1_000_000_000 => (v.Value / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (v.Value / 1e6).ToString("0", CultureInfo.InvariantCulture) + " MB",
        _ => (v.Value / 1e3).ToString("0", CultureInfo.InvariantCulture) + " kB",
    };
}
