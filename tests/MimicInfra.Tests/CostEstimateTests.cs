using MimicInfra.Costs;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

public class CostEstimateTests
{
    /// <summary>
    /// A table with round test figures (not real prices), so the arithmetic can be checked by hand; the
    /// committed table's figures are only those read on a pricing page.
    /// </summary>
    private static readonly PriceTable Fixture = PriceTable.Parse("""
        regions: [us-east-1, us-central1, US]
        prices:
          - {key: sagemaker-notebook/ml.t3.medium, what: notebook, region: us-east-1, unit: hour, usd: "0.10", source: https://example.org/a, read: 2026-12-01}
          - {key: sagemaker-ml-storage, what: ML storage, region: us-east-1, unit: GB-month, usd: "0.20", source: https://example.org/a, read: 2026-12-01}
          - {key: s3-standard, what: S3, region: us-east-1, unit: GB-month, usd: "0.50", source: https://example.org/b, read: 2026-12-01}
          - {key: athena-scan, what: Athena, region: us-east-1, unit: TB scanned, usd: "7", source: https://example.org/c, read: 2026-12-01}
          - {key: kms-key, what: key, region: us-east-1, unit: month, usd: "0.30", source: https://example.org/g, read: 2026-12-01}
          - {key: compute-vm/e2-standard-4, what: VM, region: us-central1, unit: hour, usd: "0.25", source: https://example.org/d, read: 2026-12-01}
          - {key: workbench-management/e2-standard-4, what: fee, region: us-central1, unit: hour, usd: null, source: https://example.org/e, read: 2026-12-01, note: not read}
          - {key: bigquery-on-demand, what: BigQuery, region: US, unit: TiB scanned, usd: "9", source: https://example.org/f, read: 2026-12-01}
        releaseSizes:
          - {release: mimic-iv-demo-2.2, gb: "0.011", sourceBytes: "10675058", basis: demo files}
        """);

    /// <summary>The demo stack file, with settings overridden (keys without a namespace are the project's).</summary>
    private static LabSettings Demo(params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string>(Labs.Demo.Values);
        foreach (var (key, value) in overrides) values[key.Contains(':') ? key : $"{StackConfig.Project}:{key}"] = value;
        return LabSettingsReader.Read(Labs.Demo with { Values = values }, Labs.Catalog);
    }

    [Fact]
    public void Demo_stack_figures_equal_the_hand_computed_ones()
    {
        var estimate = CostEstimate.For(Demo(), Fixture);
        var notebook = estimate.Lines.Single(l => l.Item == "notebook ml.t3.medium");
        Assert.Equal(0.10m * 8 * 22, notebook.WithIdleStop);        // 17.60
        Assert.Equal(0.10m * 730, notebook.AlwaysOn);               // 73.00
        var storage = estimate.Lines.Single(l => l.Item == "notebook ML storage");
        Assert.Equal(20 * 0.20m, storage.WithIdleStop);             // the demo's default 20 GB volume, billed stopped or not
        Assert.Equal(storage.WithIdleStop, storage.AlwaysOn);
        var s3 = estimate.Lines.Single(l => l.Item == "S3 data copy");
        Assert.Equal(0.011m * 0.50m, s3.AlwaysOn);
        Assert.Contains("estimated size: the catalog has none", s3.Quantity);
        var key = estimate.Lines.Single(l => l.Item == "lab KMS key");
        Assert.Equal(0.30m, key.WithIdleStop);                      // the demo's default resultsEncryption kms: one key, billed stopped or not
        Assert.Equal(key.WithIdleStop, key.AlwaysOn);
        Assert.Equal(17.6m + 4m + 0.0055m + 0.30m, estimate.TotalWithIdleStop);
        Assert.Equal(73m + 4m + 0.0055m + 0.30m, estimate.TotalAlwaysOn);
        Assert.True(estimate.Complete);
        var text = string.Join("\n", estimate.Render());
        Assert.Contains("AWS notebook ml.t3.medium: 176 h with idle stop, 730 h without: $17.60 with idle stop, $73.00 without", text);
        Assert.Contains("AWS lab KMS key: 1 key (enableKeyRotation: each yearly rotation adds a backing key, billed like the key): $0.30 with idle stop, $0.30 without", text);
        Assert.Contains("total: $21.91 a month with idle stop, $77.31 without\n", text + "\n");
        // The one-off import: 31 tables at least 10 MB each (310,000,000 bytes) beat the demo's 10,675,058 bytes; x $7 per TB.
        Assert.Equal(7m * 310_000_000 / 1_000_000_000_000m, estimate.Import!.Usd);
        Assert.Contains("AWS one-off import of the release: $0.00217 once: 31 tables, 310,000,000 bytes scanned", text);
        // Athena is per query: a price per TB scanned, never a monthly figure.
        Assert.Contains("AWS Athena queries: per use, not monthly: $7.00 per TB scanned (https://example.org/c, read 2026-12-01)", text);
    }

    [Fact]
    public void Idle_stop_lowers_the_notebook_figure()
    {
        var notebook = CostEstimate.For(Demo(), Fixture).Lines.Single(l => l.Item.StartsWith("notebook ml.", StringComparison.Ordinal));
        Assert.True(notebook.WithIdleStop < notebook.AlwaysOn, $"{notebook.WithIdleStop} !< {notebook.AlwaysOn}");
    }

    [Fact]
    public void An_instance_type_the_table_lacks_has_no_price_and_stays_out_of_the_total()
    {
        var estimate = CostEstimate.For(Demo(("notebookInstanceType", "ml.m5.xlarge")), Fixture);
        var notebook = estimate.Lines.Single(l => l.Item == "notebook ml.m5.xlarge");
        Assert.Null(notebook.AlwaysOn);
        Assert.Equal("no verified price for ml.m5.xlarge (not in the price table)", notebook.Missing);
        Assert.Equal(4m + 0.0055m + 0.30m, estimate.TotalAlwaysOn);
        // The headline never reads as complete when a line (here the notebook) has no price: it says so and names it.
        Assert.Contains("total: incomplete, at least $4.31 a month with idle stop, $4.31 without; not counted (no price or size, see the line): AWS notebook ml.m5.xlarge",
            string.Join("\n", estimate.Render()));
    }

    [Fact]
    public void A_lab_with_S3_managed_keys_has_no_key_line()
    {
        var estimate = CostEstimate.For(Demo(("resultsEncryption", "s3")), Fixture);
        Assert.DoesNotContain(estimate.Lines, l => l.Item.Contains("KMS", StringComparison.Ordinal));
        Assert.Equal(73m + 4m + 0.0055m, estimate.TotalAlwaysOn);
    }

    [Fact]
    public void A_key_price_the_table_lacks_is_listed_and_left_out_of_the_total()
    {
        var table = Fixture with { Prices = Fixture.Prices.Where(p => p.Key != "kms-key").ToList() };
        var key = CostEstimate.For(Demo(), table).Lines.Single(l => l.Item == "lab KMS key");
        Assert.Null(key.AlwaysOn);
        Assert.Equal("no verified price for the lab's KMS key (not in the price table)", key.Missing);
    }

    [Fact]
    public void A_region_outside_the_table_is_told_so()
    {
        var estimate = CostEstimate.For(Demo(("aws:region", "eu-west-1")), Fixture);
        Assert.Empty(estimate.Lines);
        Assert.Contains("AWS: the price table has no prices for region eu-west-1 (it has us-east-1, us-central1, US)", estimate.Notes);
    }

    [Fact]
    public void Workbench_hours_are_priced_and_unverified_lines_say_so()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31(Gcp.Workbench), Labs.Catalog);
        var estimate = CostEstimate.For(lab, Fixture);
        var vm = estimate.Lines.Single(l => l.Item == "workbench e2-standard-4 VM");
        Assert.Equal(0.25m * 176, vm.WithIdleStop);
        Assert.Equal(0.25m * 730, vm.AlwaysOn);
        Assert.StartsWith("no verified price for fee (not read;", estimate.Lines.Single(l => l.Item == "workbench management fee").Missing);
        var disk = estimate.Lines.Single(l => l.Item == "workbench boot disk");
        Assert.Equal("150 GB (Workbench's default: the lab sets none)", disk.Quantity);
        Assert.Equal("no verified price for the Workbench boot disk (not in the price table)", disk.Missing);
        Assert.Equal(0.25m * 176, estimate.TotalWithIdleStop);
        Assert.Contains(estimate.PerUse, p => p.Item == "BigQuery queries" && p.Text.StartsWith("$9.00 per TiB scanned", StringComparison.Ordinal));
    }

    /// <summary>The pages a figure may be read on: the clouds' own sites (localized copies are paths on them).</summary>
    private static readonly string[] OfficialHosts = ["aws.amazon.com", "docs.aws.amazon.com", "cloud.google.com"];

    [Fact]
    public void Lab_vpc_interface_endpoints_cost_every_hour_per_endpoint_per_zone_idle_stop_or_not()
    {
        var table = PriceTable.Parse("""
            regions: [us-east-1]
            prices:
              - {key: vpc-interface-endpoint, what: endpoint, region: us-east-1, unit: hour, usd: "0.5", source: https://example.org/g, read: 2026-12-01}
              - {key: vpc-interface-endpoint-data, what: endpoint data, region: us-east-1, unit: GB, usd: "0.25", source: https://example.org/g, read: 2026-12-01}
            """);
        var line = CostEstimate.For(Demo(("notebookNetwork", "lab-vpc")), table).Lines.Single(l => l.Item == "lab VPC interface endpoints");
        Assert.Equal(0.5m * 4 * 1 * 730, line.AlwaysOn);            // 4 endpoints, 1 zone, 730 h: 1,460.00 at this made-up figure
        Assert.Equal(line.AlwaysOn, line.WithIdleStop);              // endpoints bill while they exist
        Assert.Contains("4 endpoints x 1 zone x 730 h", line.Quantity);
        Assert.Contains(CostEstimate.For(Demo(("notebookNetwork", "lab-vpc")), table).PerUse,
            p => p.Item == "VPC interface endpoint data processed" && p.Text.StartsWith("$0.25 per GB", StringComparison.Ordinal));
        // No lab VPC, no endpoint line; and the committed table has no figure yet, so the line says so.
        Assert.DoesNotContain(CostEstimate.For(Demo(), table).Lines, l => l.Item == "lab VPC interface endpoints");
        var committed = CostEstimate.For(Demo(("notebookNetwork", "lab-vpc")), PriceTable.Embedded).Lines.Single(l => l.Item == "lab VPC interface endpoints");
        if (PriceTable.Embedded.Find("vpc-interface-endpoint", "us-east-1") is { Usd: null } unpriced)
            Assert.StartsWith($"no verified price for {unpriced.What}", committed.Missing);
    }

    [Fact]
    public void The_committed_table_names_a_source_and_date_for_every_price()
    {
        var table = PriceTable.Embedded;
        Assert.NotEmpty(table.Prices);
        foreach (var p in table.Prices)
        {
            Assert.StartsWith("https://", p.Source, StringComparison.Ordinal);
            if (p.Basis == PriceBasis.Official) Assert.Contains(new Uri(p.Source).Host, OfficialHosts);
            else
            {
                Assert.DoesNotContain(new Uri(p.Source).Host, OfficialHosts);   // a third-party figure says it is one
                Assert.False(string.IsNullOrWhiteSpace(p.Note), $"{p.Key}: a third-party figure says why the official page was not used");
                Assert.True(p.SourceDate is null || p.SourceDate <= p.Read, p.Key);
            }
            Assert.True(p.Read.Year >= 2026, p.Key);
            Assert.True(p.Verified || !string.IsNullOrWhiteSpace(p.Note), $"{p.Key}: no figure and no reason");
            Assert.Contains(p.Region, table.Regions);
        }
        Assert.Equal(table.Prices.Count, table.Prices.Select(p => (p.Key, p.Region)).Distinct().Count());
    }

    /// <summary>
    /// Every figure in the committed table was read on a stated day, on the cloud's page or a labelled third-party one, and the
    /// sentence it was read in is quoted in the comment above it (the file's rule), so a reviewer can check it against the page.
    /// </summary>
    [Fact]
    public void Every_committed_figure_has_a_source_a_read_date_and_a_quoted_sentence()
    {
        var table = PriceTable.Embedded;
        var verified = table.Prices.Where(p => p.Verified).ToList();
        Assert.NotEmpty(verified);
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("costs/prices.yaml")!;
        var lines = new StreamReader(stream).ReadToEnd().Split('\n');
        foreach (var p in verified)
        {
            var source = new Uri(p.Source);
            Assert.Equal("https", source.Scheme);
            Assert.True(p.Basis == PriceBasis.ThirdParty || OfficialHosts.Contains(source.Host), $"{p.Key}: {source.Host} is not the cloud's own site; mark it third-party");
            Assert.InRange(p.Read, new DateOnly(2026, 1, 1), DateOnly.FromDateTime(DateTime.UtcNow));
            Assert.True(p.Usd > 0, $"{p.Key}: {p.Usd}");
            var at = Array.FindIndex(lines, l => l.Trim() == $"- key: {p.Key}");
            Assert.True(at > 0, $"{p.Key}: not found as a '- key:' line");
            var comment = lines[..at].Reverse().TakeWhile(l => l.TrimStart().StartsWith('#')).ToList();
            Assert.True(comment.Count > 0 && comment.Any(l => l.Contains('"')), $"{p.Key}: no quoted sentence in a comment above it");
        }
    }

    /// <summary>The lines a credentialed lab in its own VPC shows on AWS all have a figure, the notebook's first; third-party ones say so.</summary>
    [Fact]
    public void Every_AWS_line_of_a_lab_vpc_lab_has_a_price_and_third_party_figures_are_labelled()
    {
        var lab = Demo(("notebookNetwork", "lab-vpc"), ("auditTrail", "lab"));
        var estimate = CostEstimate.For(lab, PriceTable.Embedded);
        Assert.All(estimate.Lines, l => Assert.Null(l.Missing));
        Assert.StartsWith("notebook ml.t3.medium", estimate.Lines[0].Item);
        Assert.True(estimate.Complete);
        var text = string.Join("\n", estimate.Render());
        foreach (var l in estimate.Lines.Where(l => l.ThirdParty is not null))
            Assert.Matches(@"\(third-party figure: https://\S+, (dated \d{4}-\d{2}-\d{2}|undated), read \d{4}-\d{2}-\d{2}\)", text.Split('\n').Single(x => x.Contains($" {l.Item}: ")));
        Assert.Contains("AWS DNS Firewall domain names: 11 domain names", CostEstimate.For(LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog), PriceTable.Embedded).Render().Aggregate((a, b) => a + "\n" + b));
        // With and without idle stop differ by the notebook's hours only.
        Assert.Equal((730 - 176) * 0.05m, estimate.TotalAlwaysOn - estimate.TotalWithIdleStop);
    }

    [Fact]
    public void The_import_cost_comes_from_the_releases_size_or_says_it_has_none()
    {
        var demo = CostEstimate.For(Demo(), PriceTable.Embedded).Import!;
        Assert.Equal(5m * 310_000_000 / 1_000_000_000_000m, demo.Usd);   // 31 tables x the 10 MB minimum > 10,675,058 bytes
        // A credentialed release is priced from the catalog's per-table gzip sizes (the import's time model reads the same).
        var csv31 = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var credentialed = CostEstimate.For(csv31, PriceTable.Embedded).Import!;
        var gzip = csv31.Tables.Where(t => !t.Module.IsDerived).Sum(t => t.Table.Size?.GzipBytes ?? 0);
        Assert.True(gzip > 1_000_000_000, $"{gzip} bytes");
        Assert.Equal(5m * Math.Max(gzip, csv31.Tables.Count() * 10_000_000L) / 1_000_000_000_000m, credentialed.Usd);
        Assert.Contains("the catalog's gzip sizes of", credentialed.Text);
        var s3 = CostEstimate.For(csv31, PriceTable.Embedded).Lines.Single(l => l.Item == "S3 data copy");
        Assert.NotNull(s3.WithIdleStop);
        Assert.Contains($"{gzip / 1_000_000_000m:0.###} GB (estimated size: the catalog's gzip sizes of", s3.Quantity);
        // A release whose catalog has no byte sizes says so, with the price per 100 GB instead.
        var notes = LabSettingsReader.Read(Labs.Config("notes", [.. Labs.Basics, ("release", "mimic-iv-note-2.2"),
            ("sourceUri", "s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-note-v2-2-01/mimic-iv-note/2.2/")]), Labs.Catalog);
        var unknown = CostEstimate.For(notes, PriceTable.Embedded).Import!;
        Assert.Null(unknown.Usd);
        Assert.StartsWith("no sourced size for mimic-iv-note-2.2's files yet: at $5.00 per TB scanned, each 100 GB the import reads costs $0.50", unknown.Text);
        Assert.Null(CostEstimate.For(LabSettingsReader.Read(Labs.Full31(("sourceInPlace", "true")), Labs.Catalog), PriceTable.Embedded).Import);   // nothing imported
    }

    [Fact]
    public void Preview_shows_the_estimate_labelled_as_one_and_never_a_figure_the_table_cannot_vouch_for()
    {
        // The demo with the lab trail and the lab's own VPC, so every AWS price line (the trail's, the endpoints') shows.
        var lab = Demo(("auditTrail", "lab"), ("notebookNetwork", "lab-vpc"));
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("Estimated standing cost per month (an estimate from the price table", text);
        Assert.Contains("8 working hours a day on 22 days = 176 h, without it 730 h", text);
        var estimate = CostEstimate.For(lab, PriceTable.Embedded);
        foreach (var l in estimate.Lines.Where(l => l.Missing is not null))
            Assert.Contains($"  {l.Cloud} {l.Item}: {l.Quantity}: {l.Missing}", text);
    }

    [Fact]
    public void Preview_prints_the_totals_of_the_lines_the_table_prices()
    {
        var lab = Demo();
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        var estimate = CostEstimate.For(lab, PriceTable.Embedded);
        var priced = estimate.Lines.Where(l => l.Missing is null).ToList();
        Assert.NotEmpty(priced);   // the committed table prices at least the demo lab's key
        foreach (var l in priced)
            Assert.Contains($"  {l.Cloud} {l.Item}: {l.Quantity}: {CostEstimate.Usd(l.WithIdleStop!.Value)} with idle stop, {CostEstimate.Usd(l.AlwaysOn!.Value)} without" + (l.ThirdParty is { } tp ? $" ({tp})" : ""), text);
        Assert.Equal(priced.Sum(l => l.AlwaysOn!.Value), estimate.TotalAlwaysOn);
        Assert.Contains($"total: {CostEstimate.Usd(estimate.TotalWithIdleStop)} a month with idle stop, {CostEstimate.Usd(estimate.TotalAlwaysOn)} without", text);
        Assert.DoesNotContain("total: none", text);
        Assert.Contains("AWS Athena queries: per use, not monthly: $5.00 per TB scanned (https://aws.amazon.com/", text);
    }
}
