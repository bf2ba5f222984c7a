using System.Globalization;
using MimicInfra.Lab;

namespace MimicInfra.Costs;

/// <summary>
/// One line of a lab's standing cost: a monthly figure with and without idle stop (the same figure for what is
/// billed whether or not anything runs, like storage), or why there is none.
/// </summary>
public sealed record CostLine(string Cloud, string Item, string Quantity, decimal? WithIdleStop, decimal? AlwaysOn, string? Missing)
{
    /// <summary>Set when the figure is not from the cloud's own page: its source and dates, which preview prints beside it.</summary>
    public string? ThirdParty { get; init; }
}

/// <summary>The one-off cost of the researcher's import: Athena's price per TB scanned times what the import reads.</summary>
public sealed record ImportCost(decimal? Usd, string Text);

/// <summary>A price per use (per TB scanned), which has no monthly figure.</summary>
public sealed record UsagePrice(string Cloud, string Item, string Text);

/// <summary>
/// The lab's standing cost per month, estimated from the dated price table: a pure function of the lab's
/// settings and the table. Lines whose price the table cannot vouch for are listed but left out of the totals.
/// </summary>
public sealed record CostEstimate(IReadOnlyList<CostLine> Lines, IReadOnlyList<UsagePrice> PerUse, IReadOnlyList<string> Notes)
{
    /// <summary>The one-off import (labs that own their copy), or null.</summary>
    public ImportCost? Import { get; init; }

    /// <summary>Athena bills at least 10 MB per query (athena-import-facts in the reference; Athena pricing page).</summary>
    public const long AthenaMinimumBytesPerQuery = 10_000_000;
    /// <summary>Assumed use with idle stop: a researcher's working month.</summary>
    public const int WorkingHoursPerDay = 8, WorkingDaysPerMonth = 22;
    public const int HoursWithIdleStop = WorkingHoursPerDay * WorkingDaysPerMonth;   // 176
    /// <summary>Hours in an average month (8,760 / 12): a notebook that never stops.</summary>
    public const int HoursAlwaysOn = 730;

    /// <summary>
    /// The boot disk Workbench gives an instance that names none: "defaults to the recommended value of 150GB"
    /// (gcp provider 9.37.0, workbench Instance gceSetup.bootDisk.diskSizeGb, in infra/provider-schemas/gcp.json).
    /// </summary>
    public const int WorkbenchDefaultBootDiskGb = 150;

    public decimal TotalWithIdleStop => Lines.Sum(l => l.WithIdleStop ?? 0);
    public decimal TotalAlwaysOn => Lines.Sum(l => l.AlwaysOn ?? 0);
    public bool Complete => Lines.All(l => l.Missing is null);

    public static CostEstimate For(LabSettings lab, PriceTable table)
    {
        var lines = new List<CostLine>();
        var perUse = new List<UsagePrice>();
        var notes = new List<string>();
        ImportCost? import = null;
        if (lab.Aws is { } aws)
        {
            if (!table.Covers(aws.Region))
                notes.Add($"AWS: the price table has no prices for region {aws.Region} (it has {string.Join(", ", table.Regions)})");
            else
            {
                if (aws.Notebook is { } nb)
                {
                    lines.Add(Hourly("AWS", $"notebook {nb.InstanceType}", table.Find($"sagemaker-notebook/{nb.InstanceType}", aws.Region), nb.InstanceType));
                    lines.Add(Monthly("AWS", "notebook ML storage", nb.VolumeSizeGb, table.Find("sagemaker-ml-storage", aws.Region), "ML storage volume"));
                    if (nb.LabVpc is not null)
                    {
                        lines.Add(EndpointHours(Aws.Network.LabNetwork.InterfaceEndpoints.Count, Aws.Network.LabNetwork.Zones, table.Find("vpc-interface-endpoint", aws.Region)));
                        perUse.Add(PerUsePrice("AWS", "VPC interface endpoint data processed", table.Find("vpc-interface-endpoint-data", aws.Region), "VPC interface endpoint data processing"));
                        if (Aws.Network.LabDnsFirewall.Applies(lab))
                        {
                            lines.Add(PerMonth("AWS", "DNS Firewall domain names", Aws.Network.LabDnsFirewall.StoredDomains(aws.Region), "domain name",
                                table.Find("dns-firewall-domain", aws.Region), "DNS Firewall domain names", " (the allow list and '*')"));
                            perUse.Add(PerUsePrice("AWS", "DNS Firewall queries", table.Find("dns-firewall-queries", aws.Region), "DNS Firewall queries"));
                        }
                    }
                }
                if (aws.OwnsData)
                {
                    if (table.SizeOf(lab.Release.Id) is { } size)
                        lines.Add(Monthly("AWS", "S3 data copy", size.Gb, table.Find("s3-standard", aws.Region), "S3 Standard",
                            $" (estimated size: the catalog has none; {size.Basis})"));
                    else if (CatalogSizeOf(lab) is { } catalogSize)
                        lines.Add(Monthly("AWS", "S3 data copy", catalogSize.Gb, table.Find("s3-standard", aws.Region), "S3 Standard",
                            $" (estimated size: {catalogSize.Basis}; the typed Parquet copy is smaller than gzip CSV, so this errs high)"));
                    else
                        lines.Add(new("AWS", "S3 data copy", "size unknown", null, null,
                            $"no size estimate for {lab.Release.Id}'s data copy (the catalog has none)"));
                }
                // The lab's own key (resultsEncryption kms) is billed every month it exists, used or not.
                if (aws.KmsEncryption)
                    lines.Add(PerMonth("AWS", "lab KMS key", 1, "key", table.Find("kms-key", aws.Region), "the lab's KMS key",
                        " (enableKeyRotation: each yearly rotation adds a backing key, billed like the key)"));
                perUse.Add(PerUsePrice("AWS", "Athena queries", table.Find("athena-scan", aws.Region), "Athena"));
                if (aws.OwnsData) import = ImportOf(lab, table.SizeOf(lab.Release.Id) ?? CatalogSizeOf(lab), table.Find("athena-scan", aws.Region));
                if (aws.AuditTrail.CreatesTrail)
                    perUse.Add(PerUsePrice("AWS", "CloudTrail S3 data events of the lab trail", table.Find("cloudtrail-data-events", aws.Region), "CloudTrail data events"));
            }
        }
        if (lab.Gcp is { } gcp)
        {
            if (gcp.Workbench is { } wb)
            {
                if (!table.Covers(wb.Region))
                    notes.Add($"GCP: the price table has no prices for region {wb.Region} (it has {string.Join(", ", table.Regions)})");
                else
                {
                    lines.Add(Hourly("GCP", $"workbench {wb.MachineType} VM", table.Find($"compute-vm/{wb.MachineType}", wb.Region), wb.MachineType));
                    lines.Add(Hourly("GCP", "workbench management fee", table.Find($"workbench-management/{wb.MachineType}", wb.Region), $"Workbench management of {wb.MachineType}"));
                    // The lab sets no boot disk, so Workbench creates its default one, billed stopped or not.
                    lines.Add(Monthly("GCP", "workbench boot disk", WorkbenchDefaultBootDiskGb, table.Find("workbench-boot-disk", wb.Region),
                        "the Workbench boot disk", " (Workbench's default: the lab sets none)"));
                }
            }
            if (table.Covers(gcp.Location))
                perUse.Add(PerUsePrice("GCP", "BigQuery queries", table.Find("bigquery-on-demand", gcp.Location), "BigQuery on-demand"));
            else
                notes.Add($"GCP: the price table has no BigQuery price for location {gcp.Location}");
        }
        return new(lines, perUse, notes) { Import = import };
    }

    /// <summary>
    /// What the lab's source tables weigh by the catalog's own per-table sizes (gzip bytes), where the price table has no
    /// figure for the release: the credentialed releases. A floor when some tables have no size.
    /// </summary>
    private static ReleaseSize? CatalogSizeOf(LabSettings lab)
    {
        var sources = lab.Tables.Where(t => !t.Module.IsDerived).Select(t => t.Table).ToList();
        var sized = sources.Where(t => t.Size?.GzipBytes is not null).ToList();
        if (sized.Count == 0) return null;
        var bytes = MimicInfra.Import.ImportModel.SourceGzipBytes(lab.Release, lab.Modules);   // what the import's own model scans
        var basis = $"the catalog's gzip sizes of {sized.Count} of {sources.Count} source tables, themselves {sized[0].Size!.BytesSource.Split(':')[0]}" +
                    (sized.Count < sources.Count ? $"; the other {sources.Count - sized.Count} have none" : "");
        return new ReleaseSize(lab.Release.Id, bytes / 1_000_000_000m, basis) { SourceBytes = bytes };
    }

    /// <summary>
    /// One UNLOAD per table reads its source files once (Athena bills gzip CSV by the compressed bytes it reads), at least 10 MB
    /// a query; the import's row checks read the typed copy, a fraction of that. The figure is what the table's size and price
    /// give; the import prints what it measured.
    /// </summary>
    private static ImportCost ImportOf(LabSettings lab, ReleaseSize? size, Price? athena)
    {
        var tables = lab.Tables.Count();
        if (athena is not { Usd: { } perTb })
            return new(null, $"no price for Athena scans ({NoPrice(athena, "Athena")})");
        if (size?.SourceBytes is not { } bytes)
            return new(null, $"no sourced size for {lab.Release.Id}'s files yet: at {Usd(perTb)} per TB scanned, each 100 GB the import reads costs {Usd(perTb / 10)}; " +
                             "the import prints its own bytes scanned and cost per table");
        var scanned = Math.Max(bytes, tables * AthenaMinimumBytesPerQuery);
        var usd = perTb * scanned / 1_000_000_000_000m;
        return new(usd, $"{Usd(usd)} once: {tables} tables, {scanned:N0} bytes scanned ({size.Basis}; at least 10 MB a query) x {Usd(perTb)} per TB");
    }

    private static CostLine Hourly(string cloud, string item, Price? price, string what)
    {
        var quantity = $"{HoursWithIdleStop} h with idle stop, {HoursAlwaysOn} h without";
        return price is { Usd: { } usd }
            ? new(cloud, item, quantity, usd * HoursWithIdleStop, usd * HoursAlwaysOn, null) { ThirdParty = price.ThirdPartyLabel }
            : new(cloud, item, quantity, null, null, NoPrice(price, what));
    }

    /// <summary>Interface endpoints bill every hour they exist, per endpoint per zone, whether or not the notebook runs.</summary>
    private static CostLine EndpointHours(int endpoints, int zones, Price? price)
    {
        var hours = endpoints * zones * HoursAlwaysOn;
        var quantity = $"{endpoints} endpoints x {zones} zone x {HoursAlwaysOn} h = {hours:N0} endpoint-hours (billed while they exist, idle stop or not)";
        return price is { Usd: { } usd }
            ? new("AWS", "lab VPC interface endpoints", quantity, usd * hours, usd * hours, null) { ThirdParty = price.ThirdPartyLabel }
            : new("AWS", "lab VPC interface endpoints", quantity, null, null, NoPrice(price, "VPC interface endpoints"));
    }

    private static CostLine Monthly(string cloud, string item, decimal gb, Price? price, string what, string basis = "")
    {
        var quantity = $"{Number(gb)} GB{basis}";
        return price is { Usd: { } usd }
            ? new(cloud, item, quantity, usd * gb, usd * gb, null) { ThirdParty = price.ThirdPartyLabel }
            : new(cloud, item, quantity, null, null, NoPrice(price, what));
    }

    /// <summary>A thing billed per month it exists, whatever it does (a key, an endpoint).</summary>
    private static CostLine PerMonth(string cloud, string item, int count, string noun, Price? price, string what, string basis = "")
    {
        var quantity = $"{count} {noun}{(count == 1 ? "" : "s")}{basis}";
        return price is { Usd: { } usd }
            ? new(cloud, item, quantity, usd * count, usd * count, null) { ThirdParty = price.ThirdPartyLabel }
            : new(cloud, item, quantity, null, null, NoPrice(price, what));
    }

    private static UsagePrice PerUsePrice(string cloud, string item, Price? price, string what) => price is { Usd: { } usd }
        ? new(cloud, item, $"{Usd(usd)} per {price.Unit} ({price.ThirdPartyLabel ?? $"{price.Source}, read {price.Read:yyyy-MM-dd}"})")
        : new(cloud, item, NoPrice(price, what) + (price is null ? "" : $"; billed per {price.Unit}"));

    private static string NoPrice(Price? price, string what) => price is null
        ? $"no verified price for {what} (not in the price table)"
        : $"no verified price for {price.What} ({price.Note}; {price.Source}, looked for {price.Read:yyyy-MM-dd})";

    public static string Usd(decimal value) => "$" + value.ToString(value < 1 ? "0.00####" : "N2", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The estimate as preview prints it, labelled as an estimate, with its assumption stated.</summary>
    public IEnumerable<string> Render()
    {
        yield return $"Estimated standing cost per month (an estimate from the price table in infra/MimicInfra/Costs/prices.yaml, list prices in USD;";
        yield return $"  idle stop assumed to leave {WorkingHoursPerDay} working hours a day on {WorkingDaysPerMonth} days = {HoursWithIdleStop} h, without it {HoursAlwaysOn} h):";
        foreach (var l in Lines)
            yield return l.Missing is null
                ? $"  {l.Cloud} {l.Item}: {l.Quantity}: {Usd(l.WithIdleStop!.Value)} with idle stop, {Usd(l.AlwaysOn!.Value)} without" + (l.ThirdParty is { } tp ? $" ({tp})" : "")
                : $"  {l.Cloud} {l.Item}: {l.Quantity}: {l.Missing}";
        foreach (var p in PerUse) yield return $"  {p.Cloud} {p.Item}: per use, not monthly: {p.Text}";
        foreach (var n in Notes) yield return $"  {n}";
        var unpriced = Lines.Where(l => l.Missing is not null).Select(l => $"{l.Cloud} {l.Item}").ToList();
        if (Lines.Count == 0)
            yield return "  total: none: the price table has no prices for this lab's regions";
        else if (unpriced.Count == 0)
            yield return $"  total: {Usd(TotalWithIdleStop)} a month with idle stop, {Usd(TotalAlwaysOn)} without";
        else
            // Never a headline that reads as complete: it says it is a floor and names what it leaves out.
            yield return $"  total: incomplete, at least {Usd(TotalWithIdleStop)} a month with idle stop, {Usd(TotalAlwaysOn)} without; not counted (no price or size, see the line): {string.Join(", ", unpriced)}";
        if (Import is { } import) yield return $"  AWS one-off import of the release: {import.Text}";
    }
}
