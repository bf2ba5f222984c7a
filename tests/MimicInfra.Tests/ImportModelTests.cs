using MimicInfra.Catalog;
using MimicInfra.Import;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The import's time and cost model: the catalog's sizes and their sources, preview's table, the quota the lab requests.</summary>
public class ImportModelTests
{
    [Fact]
    public void TheCatalogCarriesEachReleasesOwnSizesWithTheirSources()
    {
        var catalog = Labs.Catalog;
        TableSize Size(string release, string module, string table) => catalog.Find(release)!.FindModule(module)!.FindTable(table)!.Size!;
        // Row counts as mimic-code's validation scripts give them, per release (never inherited from a base release).
        Assert.Equal(432_997_491, Size("mimic-iv-3.1", "icu", "chartevents").Rows);
        Assert.Equal(313_645_063, Size("mimic-iv-2.2", "icu", "chartevents").Rows);
        Assert.Equal(158_374_764, Size("mimic-iv-3.1", "hosp", "labevents").Rows);
        Assert.Equal(425_087, Size("mimic-iv-3.1", "ed", "edstays").Rows);            // borrowed with MIMIC-IV-ED 2.2's own sizes
        Assert.Equal(2_321_355, Size("mimic-iv-3.1", "note", "radiology").Rows);
        Assert.Equal(330_712_483, Size("mimic-iii-1.4", "clinical", "chartevents").Rows);
        Assert.Null(catalog.Find("mimic-iv-demo-2.2")!.FindModule("hosp")!.FindTable("admissions")!.Size);
        Assert.Contains("validate.sql", Size("mimic-iv-3.1", "hosp", "labevents").RowsSource);
        Assert.Contains("estimates", Size("mimic-iv-3.1", "hosp", "labevents").BytesSource);
        // The estimated gzip sizes of the two largest files are within a factor of 1.5 of the figures commonly given (about 3 and 2 GB).
        Assert.InRange(Size("mimic-iv-3.1", "icu", "chartevents").GzipBytes!.Value, 2_000_000_000, 4_500_000_000);
        Assert.InRange(Size("mimic-iv-3.1", "hosp", "labevents").GzipBytes!.Value, 1_350_000_000, 3_000_000_000);
        // Every table of 3.1's hosp and icu has a size except the three mimic-code does not count.
        var missing = catalog.Find("mimic-iv-3.1")!.Modules.Where(m => m.Name is "hosp" or "icu").SelectMany(m => m.Tables).Where(t => t.Size is null).Select(t => t.Name);
        Assert.Equal(["provider", "caregiver", "ingredientevents"], missing);
    }

    [Fact]
    public void PreviewShowsEachTablesTimeAndCostAndTheQuotaTheLabRequests()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        var settings = ImportScriptTests.Every31.Values.Select(kv => $"  {kv.Key}: {(kv.Value.StartsWith('[') ? kv.Value : $"\"{kv.Value}\"")}");
        File.WriteAllText(Path.Combine(dir, "Pulumi.every.yaml"), "config:\n  aws:region: us-east-1\n" + string.Join("\n", settings) + "\n");
        var (code, stdout, stderr) = Cli.Run(["preview", "--stack", "every", "--stacks-dir", dir]);
        Assert.True(code == 0, stderr);
        Assert.Matches(@"import time one-time import of 106 tables: about [0-9]+ minutes of Athena reading, [0-9.]+ GB of gzip scanned, about \$0\.[0-9]+", stdout);
        Assert.Contains("quota       requests Athena's DML query timeout (L-E80DC288) = 240 minutes for the account in us-east-1: an account-wide request " +
                        "that AWS approves in minutes to days; nothing is undone on destroy", stdout);
        Assert.Matches(@"icu\.chartevents +432,997,491 +3\.0 GB +47\.3 GB +32 \(99\) +\$0\.015", stdout);
        Assert.Contains("note.discharge", stdout);
        Assert.Matches(@"[0-9]+ Parquet tables .*\(derived: Athena splits Parquet across readers; not modelled\)", stdout);
        Assert.Contains("unknown: no size in the catalog for hosp.provider, icu.caregiver, icu.ingredientevents, note.discharge", stdout);

        // Without the quota, the model names the tables that may not finish in Athena's default 30 minutes.
        var lines = ImportModel.PreviewLines(LabSettingsReader.Read(Labs.Csv31(("athenaDmlTimeoutQuota", "0")), Labs.Catalog));
        Assert.Contains(lines, l => l.Contains("quota       none requested"));
        Assert.Contains(lines, l => l.Contains("icu.chartevents") && l.EndsWith("> 30 min DML timeout", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("DML timeout: hosp.labevents, icu.chartevents may need more than 30 minutes"));
    }

    [Fact]
    public void AReencodedTableIsReadInPartsSoItsTimeIsOnePartsNotTheWholeFiles()
    {
        var plan = ImportPlan.For(LabSettingsReader.Read(ImportScriptTests.Every31, Labs.Catalog));
        var discharge = plan.Tables.Single(t => t.Table.Name == "discharge");
        var sized = discharge with { Source = discharge.Source with { Table = discharge.Table with { Size = new TableSize(331_793, 1_000_000_000, 10_000_000_000, "r", "b") } } };
        var e = ImportModel.Of(sized, ReaderAssumption.Default);
        Assert.True(sized.Reencoded);
        Assert.Equal(ImportModel.ReencodedPartBytes / 25e6 / 60, e.Minutes!.Value, 6);
        Assert.False(e.Exceeds(30));
        var chartevents = ImportModel.Of(plan.Tables.Single(t => t.Table.Name == "chartevents"), ReaderAssumption.Default);
        Assert.True(chartevents.Exceeds(30));
        Assert.False(chartevents.Exceeds(240));
    }

    [Fact]
    public void TheLabRequestsTheDmlTimeoutItNeedsAndNothingElse()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Csv31()));
        var quota = program.Named("athenaDmlTimeoutQuota");
        Assert.Equal("athena", quota["serviceCode"]);
        Assert.Equal("L-E80DC288", quota["quotaCode"]);
        Assert.Equal("240", quota["value"].ToString());
        Assert.Contains("requestStatus", (string)program.Outputs["athenaDmlTimeoutQuota"]);
        Assert.DoesNotContain(new ParsedProgram(Labs.Compile(Labs.Csv31(("athenaDmlTimeoutQuota", "0")))).Resources, r => r.Name == "athenaDmlTimeoutQuota");
        Assert.Equal("120", new ParsedProgram(Labs.Compile(Labs.Csv31(("athenaDmlTimeoutQuota", "120")))).Named("athenaDmlTimeoutQuota")["value"].ToString());
        Assert.DoesNotContain(new ParsedProgram(Labs.Compile(Labs.Demo)).Resources, r => r.Name == "athenaDmlTimeoutQuota");   // the demo fits in 30 minutes
        var bad = Assert.ThrowsAny<Exception>(() => LabSettingsReader.Read(Labs.Csv31(("athenaDmlTimeoutQuota", "10")), Labs.Catalog));
        Assert.Contains("athenaDmlTimeoutQuota: 10 is below Athena's default of 30 minutes; use 30-240, or 0 for no request.", bad.Message);
    }
}
