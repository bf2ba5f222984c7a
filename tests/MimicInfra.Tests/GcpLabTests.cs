using MimicInfra.Check;
using MimicInfra.Cli;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class GcpLabTests(ITestOutputHelper output)
{
    public static TheoryData<string> Stacks => new() { "example-file", "gcp-only", "combined", "mimic-iii", "keep-scratch" };

    private static StackConfig Stack(string name) => name switch
    {
        "example-file" => Gcp.FromFile,
        "gcp-only" => Gcp.Only31(),
        "combined" => Gcp.Combined(),
        "mimic-iii" => Labs.Config("iii", [.. Labs.Basics, ("release", "mimic-iii-1.4"), ("aws", "false"), .. Gcp.Settings]),
        "keep-scratch" => Gcp.Only31([("gcpKeepScratchOnDestroy", "true"), .. Gcp.Workbench]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void GcpProgramConformsToTheProviderSchemas(string stack)
    {
        var report = new ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Stack(stack)));
        output.WriteLine($"{stack}: {report.Resources} resources; views {report.ResourcesByType.GetValueOrDefault("gcp:bigquery/table:Table")}");
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void FullMimicIv31LabHasAViewPerTable()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        Assert.Equal(41 + 65, p.OfType("gcp:bigquery/table:Table").Count);   // a view per table of hosp, icu, ed and note; one per derived concept
        Assert.Equal(6, p.OfType("gcp:bigquery/dataset:Dataset").Count);   // hosp, icu, ed, note, derived, scratch
    }

    [Fact]
    public void DerivedViewsArePinnedToTheVersionedDerivedDatasetAndCanBeSwitchedOff()
    {
        var views = new ParsedProgram(Labs.Compile(Gcp.Only31())).OfType("gcp:bigquery/table:Table")
            .Where(v => (string)v.Props["datasetId"] == "${dataset-derived.datasetId}").ToList();
        Assert.Equal(65, views.Count);
        Assert.All(views, v => Assert.Contains("FROM `physionet-data.mimiciv_3_1_derived.", (string)v.Props.At("view", "query")!));
        var sofa = (string)views.Single(v => (string)v.Props["tableId"] == "first_day_sofa").Props.At("view", "query")!;
        Assert.StartsWith("SELECT\n  subject_id,\n  hadm_id,\n  stay_id,\n  sofa,", sofa);

        var off = new ParsedProgram(Labs.Compile(Gcp.Only31([("gcpDerived", "false")])));
        Assert.Equal(41, off.OfType("gcp:bigquery/table:Table").Count);
        Assert.DoesNotContain(off.OfType("gcp:bigquery/dataset:Dataset"), d => ((string)d.Props["datasetId"]).EndsWith("_derived"));
        var left = new ParsedProgram(Labs.Compile(Gcp.Only31([("modules", "[\"hosp\", \"icu\"]")])));
        Assert.Equal(31, left.OfType("gcp:bigquery/table:Table").Count);
    }

    [Fact]
    public void MimicIv22PinsNoDerivedViewsAndSaysWhy()
    {
        var stack = Labs.Config("gcp22", [.. Labs.Basics, ("release", "mimic-iv-2.2"), ("aws", "false"), .. Gcp.Settings]);
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        var preview = LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("  derived     no views: physionet-data.mimiciv_2_2_derived lacks about 16 of the 65 concept tables upstream (MIT-LCP/mimic-code#1958", preview);
        Assert.Contains("Build them locally (`local --concepts`)", preview);
        var off = LabSettingsReader.Read(Gcp.Only31([("gcpDerived", "false")]), Labs.Catalog);
        Assert.Contains("  derived     no views: switched off (gcpDerived false).", LabPreview.Summary(off, LabCompiler.Compile(off)));
        var p = new ParsedProgram(Labs.Compile(stack));
        Assert.Equal(41, p.OfType("gcp:bigquery/table:Table").Count);
        Assert.DoesNotContain("_derived", Labs.Compile(stack));
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Labs.Config("gcp22", [.. Labs.Basics, ("release", "mimic-iv-2.2"), ("aws", "false"), .. Gcp.Settings, ("gcpDerived", "true")]), Labs.Catalog));
        Assert.Contains("mimic-infra:gcpDerived: release mimic-iv-2.2 pins no derived dataset in physionet-data (physionet-data.mimiciv_2_2_derived lacks", e.Message);
    }

    [Fact]
    public void EveryViewSelectsTheCatalogColumnsInOrderFromThePinnedDataset()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        var release = Labs.Catalog.Find("mimic-iv-3.1")!;
        var views = p.OfType("gcp:bigquery/table:Table");
        foreach (var (module, table) in release.AllTables)
        {
            var view = views.Single(v => (string)v.Props["tableId"] == table.Name && (string)v.Props["datasetId"] == $"${{dataset-{module.Name}.datasetId}}").Props;
            var sql = (string)view.At("view", "query")!;
            Assert.Equal("false", view.At("view", "useLegacySql"));
            Assert.Equal($"${{dataset-{module.Name}.datasetId}}", view["datasetId"]);
            var lines = sql.Split('\n');
            Assert.Equal("SELECT", lines[0]);
            Assert.Equal(table.Columns.Select(c => c.Name), lines[1..^1].Select(l => l.Trim().TrimEnd(',')));
            Assert.Equal($"FROM `physionet-data.{module.BigQueryDataset}.{table.Name}`", lines[^1]);
            Assert.DoesNotContain("*", sql);
            Assert.DoesNotMatch(@"mimiciv_v\d", sql);
        }
        Assert.Equal(["mimiciv_3_1_hosp", "mimiciv_3_1_icu", "mimiciv_ed", "mimiciv_note", "mimiciv_3_1_derived"], release.Modules.Select(m => m.BigQueryDataset));
    }

    [Fact]
    public void DatasetsAreInUsNamedPerLabAndDeletableOnDestroy()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        var datasets = p.OfType("gcp:bigquery/dataset:Dataset").Select(d => d.Props).ToList();
        Assert.All(datasets, d => Assert.Equal("US", d["location"]));
        Assert.All(datasets, d => Assert.StartsWith("mimic_jdoe_sepsis_", (string)d["datasetId"]));
        Assert.All(datasets, d => Assert.Equal("true", d["deleteContentsOnDestroy"]));
        Assert.All(p.OfType("gcp:bigquery/table:Table"), v => Assert.Equal("false", v.Props["deletionProtection"]));
        var scratch = datasets.Single(d => ((string)d["datasetId"]).EndsWith("_scratch"));
        Assert.Equal((30L * 24 * 3600 * 1000).ToString(), scratch["defaultTableExpirationMs"]);
        var kept = new ParsedProgram(Labs.Compile(Gcp.Only31(("gcpKeepScratchOnDestroy", "true"))))
            .Resources.Single(r => r.Name == "dataset-scratch");
        Assert.Equal("false", kept.Props["deleteContentsOnDestroy"]);
        Assert.Equal("true", kept.Options!["retainOnDelete"]);
        // Two labs in one project never share a dataset.
        var other = new ParsedProgram(Labs.Compile(Labs.Config("other", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("aws", "false"), .. Gcp.Settings])));
        Assert.Empty(other.OfType("gcp:bigquery/dataset:Dataset").Select(d => (string)d.Props["datasetId"]).Intersect(datasets.Select(d => (string)d["datasetId"])));
    }

    [Fact]
    public void MembersReadLabDatasetsWriteScratchAndRunJobs()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        static List<(string, string, string)> Access(Dictionary<object, object> dataset) =>
            dataset["accesses"].List().Select(e => e.Map()).Select(e => ((string)e["role"], e.Keys.Cast<string>().Single(k => k != "role"), (string)e.Values.Cast<object>().Last())).ToList();
        foreach (var (name, props) in p.OfType("gcp:bigquery/dataset:Dataset"))
        {
            var role = name == "dataset-scratch" ? "WRITER" : "READER";
            Assert.Equal([("OWNER", "userByEmail", "${gcpDeployer.email}"), (role, "userByEmail", "jdoe@example.org"), (role, "groupByEmail", "icu-lab@example.org")], Access(props));
        }
        foreach (var member in new[] { "user:jdoe@example.org", "group:icu-lab@example.org" })
            Assert.Contains(p.OfType("gcp:projects/iAMMember:IAMMember"), j => (string)j.Props["member"] == member && (string)j.Props["role"] == "roles/bigquery.jobUser");
        var sa = new ParsedProgram(Labs.Compile(Gcp.Only31([("gcpMembers", "[\"serviceAccount:etl@mimic-research-1.iam.gserviceaccount.com\"]")])));
        Assert.Contains(("WRITER", "userByEmail", "etl@mimic-research-1.iam.gserviceaccount.com"), Access(sa.Named("dataset-scratch")));   // BigQuery names service accounts by userByEmail
    }

    [Fact]
    public void OutputsGiveDatasetsConsoleLinkAndAReadyQuery()
    {
        var o = new ParsedProgram(Labs.Compile(Gcp.Only31(Gcp.Workbench))).Outputs;
        Assert.Equal(6, o["bigqueryDatasets"].List().Count + 1);
        Assert.Equal("${dataset-scratch.datasetId}", o["bigqueryScratchDataset"]);
        Assert.StartsWith("https://console.cloud.google.com/bigquery?project=mimic-research-1&ws=", (string)o["bigqueryConsoleUrl"]);
        var query = (string)o["bigqueryExampleQuery"];
        Assert.Contains("FROM `mimic-research-1.mimic_jdoe_sepsis_", query);
        Assert.Contains("_hosp.admissions`", query);
        Assert.Equal("https://${workbench.proxyUri}", o["workbenchUrl"]);
    }

    [Fact]
    public void PreviewShowsTheGcpSide()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        var text = File.ReadAllText(Path.Combine(Shared.RepoRoot, "stacks", "Pulumi.gcp-mimic-iv-3-1.yaml"));
        File.WriteAllText(Path.Combine(dir, "Pulumi.g.yaml"), text.Replace("replace-research-project", "mimic-research-1").Replace("REPLACE-jdoe", "jdoe"));
        var (code, stdout, _) = Cli.Run(["preview", "--stack", "g", "--stacks-dir", dir]);
        Directory.Delete(dir, true);
        Assert.Equal(0, code);
        Assert.Contains("GCP, project mimic-research-1, BigQuery location US", stdout);
        Assert.Contains("22 views over physionet-data.mimiciv_3_1_hosp", stdout);
        Assert.Contains("workbench", stdout);
    }

    [Theory]
    [InlineData("gcpProject", "My_Project", "mimic-infra:gcpProject: 'My_Project' is not a GCP project id")]
    [InlineData("gcpLocation", "EU", "mimic-infra:gcpLocation: 'EU' cannot work: physionet-data lives in the US multi-region")]
    [InlineData("gcpMembers", "[]", "mimic-infra:gcpMembers: required: who may use the lab")]
    [InlineData("gcpMembers", "[\"allUsers\"]", "mimic-infra:gcpMembers: 'allUsers' would make MIMIC data public")]
    [InlineData("gcpMembers", "[\"group:allAuthenticatedUsers\"]", "would make MIMIC data public")]
    [InlineData("gcpMembers", "[\"jdoe@example.org\"]", "mimic-infra:gcpMembers: 'jdoe@example.org' must be user:EMAIL, group:EMAIL or serviceAccount:EMAIL.")]
    [InlineData("gcpMembers", "[\"user:x${labKey.arn}@example.org\"]", "mimic-infra:gcpMembers: 'user:x${labKey.arn}@example.org' must be user:EMAIL")]   // never reaches Pulumi's interpolation
    [InlineData("gcpWorkbenchOwner", "someone@example.org", "mimic-infra:gcpWorkbench")]
    [InlineData("gcpWorkbenchZone", "europe-west1-b", "mimic-infra:gcpWorkbenchZone: 'europe-west1-b' is outside the US")]
    [InlineData("gcpWorkbenchSubnet", "lab-subnet", "mimic-infra:gcpWorkbenchSubnet: 'lab-subnet' must be projects/PROJECT/regions/REGION/subnetworks/NAME.")]
    [InlineData("gcpWorkbenchSubnet", "projects/mimic-research-1/regions/us-east1/subnetworks/lab", "is not in the region of gcpWorkbenchZone us-central1-a")]
    [InlineData("gcpWorkbenchSubnet", "", "mimic-infra:gcpWorkbenchSubnet: required.")]
    [InlineData("gcpWorkbenchNetwork", "", "mimic-infra:gcpWorkbenchNetwork: required.")]
    [InlineData("gcpWorkbenchNetwork", "default", "mimic-infra:gcpWorkbenchNetwork: 'default' must be projects/PROJECT/global/networks/NAME.")]
    [InlineData("gcpWorkbenchNetwork", "projects/other-project-9/global/networks/lab", "is in another project than gcpWorkbenchSubnet")]
    public void BadGcpSettingsAreRejected(string key, string value, string expected)
    {
        var settings = Gcp.Only31().Values.Where(kv => !kv.Key.EndsWith(":" + key)).Select(kv => (kv.Key, kv.Value)).ToList();
        if (key.StartsWith("gcpWorkbench"))
            settings.AddRange(Gcp.Workbench.Where(w => w.Item1 != key && w.Item1 != "gcpWorkbenchOwner").Select(w => ($"mimic-infra:{w.Item1}", w.Item2)));
        if (key is not "gcpWorkbenchOwner" && key.StartsWith("gcpWorkbench")) settings.Add(("mimic-infra:gcpWorkbenchOwner", "jdoe@example.org"));
        settings.Add(($"mimic-infra:{key}", value));
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Labs.Config("t", [.. settings]), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AReleaseWithoutBigQueryDatasetsIsRejectedForGcp()
    {
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Labs.Config("t", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"), .. Gcp.Settings]), Labs.Catalog));
        Assert.Contains("mimic-infra:gcp: release mimic-iv-demo-2.2 module hosp has no dataset in physionet-data", e.Message);
    }

    [Fact]
    public void LabelsAreValidGcpLabelsOnEverythingLabelable()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, ("tags", "[\"Cost Center=ICU 42\"]")])));
        var schemas = Labs.Schemas();
        var labelable = p.Resources.Where(r => schemas["gcp"].Resource(r.Type) is { } s && ProviderSchema.Inputs(s).Any(i => i.Name == "labels")).ToList();
        Assert.True(labelable.Count >= 46);
        foreach (var r in labelable)
        {
            var labels = r.Props["labels"].Map();
            Assert.Equal(["lab", "researcher", "study", "expires", "managed-by", "cost_center"], labels.Keys.Cast<string>());
            Assert.Equal("icu_42", labels["cost_center"]);
            Assert.All(labels, kv => Assert.Matches("^[a-z][a-z0-9_-]{0,62}$", (string)kv.Key));
            Assert.All(labels, kv => Assert.Matches("^[a-z0-9_-]{0,63}$", (string)kv.Value));
        }
    }

    [Fact]
    public void ResourceCountsFollowEachComponentsParts()
    {
        // BigQuery only: hosp, icu, ed and note (41 tables) and the derived concepts (65), two members, no Workbench.
        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["GcpLab"] = 1 + 1,                       // provider, the BigQuery API
            ["LabDatasets"] = 6 + 41 + 65 + 2,        // 4 module datasets, derived and scratch; a view per table and concept; a job user grant per member
            ["GcpQueryQuota"] = 1 + 1,                // the Service Usage API, the daily per-user query quota
            ["GcpDataAccessLog"] = 1 + 1 + 1,         // the Logging API, the log bucket, the sink
        }, ComponentCounts.Of(Gcp.Only31()));

        // A Workbench instance inside a perimeter, with the stack's own keys: the stop at expiry, the perimeter and restricted
        // Google APIs; the keys add no resource (the grants they need are an output).
        Assert.Equal(new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["GcpLab"] = 1 + 1,
            ["LabDatasets"] = 6 + 41 + 65 + 2,
            ["GcpWorkbench"] = 2 + 1 + 1,             // the Notebooks and Compute APIs, the instance, its owner's viewer grant
            ["GcpBoundary"] = 1 + 1 + 3 + 4 + 1,      // the perimeter; the DNS API, 3 private zones and their 4 records, the route to restricted.googleapis.com
            ["GcpQueryQuota"] = 1 + 1,
            ["GcpExpiryStop"] = 2 + 1 + 1 + 1 + 1 + 1 + 1,   // the Scheduler and Workflows APIs, a service account, its stop role and grant, the invoker grant, the workflow, the schedule
            ["GcpDataAccessLog"] = 1 + 1 + 1,
        }, ComponentCounts.Of(Gcp.Only31([.. Gcp.Workbench, ("gcpAccessPolicy", "123456789012"),
            ("gcpKmsKey", "projects/mimic-keys-1/locations/us/keyRings/labs/cryptoKeys/scratch"),
            ("gcpWorkbenchKmsKey", "projects/mimic-keys-1/locations/us-central1/keyRings/labs/cryptoKeys/disks")])));
    }
}
