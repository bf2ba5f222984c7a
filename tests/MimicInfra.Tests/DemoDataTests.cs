using MimicInfra.Catalog;

namespace MimicInfra.Tests;

/// <summary>
/// Every real file of the open demos under ../shared/data against the catalog: the header is the catalog's
/// column order, and every non-empty value converts to its declared type with the cast the typed views use
/// (CAST(NULLIF(x, '') AS t)), without loss: no NULL from a failed cast, no rounding, no cut string.
/// </summary>
public class DemoDataTests(ITestOutputHelper output)
{
    private static readonly SchemaCatalog Catalog = CatalogLoader.LoadEmbedded();

    // Files of the releases that are not in ../shared/data; its README says why for each.
    private static readonly HashSet<string> DocumentedMissing =
        ["mimic-iv-demo-2.2/icu/chartevents.csv.gz", "mimic-iii-demo-1.4/CHARTEVENTS.csv", "mimic-iii-demo-1.4/LABEVENTS.csv"];

    // Files of the demos that are not tables: the list of demo subjects cut from MIMIC-IV.
    private static readonly HashSet<string> NotTables = ["mimic-iv-demo-2.2/demo_subject_id.csv"];

    public static TheoryData<string> Folders => new() { "mimic-iv-demo-2.2", "mimic-iv-ed-demo-2.2", "mimic-iii-demo-1.4" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryFileAndValueOfTheDemoParsesUnderTheCatalog(string folder)
    {
        var root = Shared.Require(Path.Combine("data", folder));
        var release = Catalog.Find(folder)!;

        // Derived tables are computed from these files, never shipped with them.
        var expected = release.AllTables.Where(x => !x.Module.IsDerived).ToDictionary(x => x.Module.FileOf(x.Table), x => x.Table);
        var present = Directory.GetFiles(root, "*.csv*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !NotTables.Contains($"{folder}/{f}"))
            .Order(StringComparer.Ordinal).ToList();
        var unknown = present.Where(f => !expected.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"files the catalog does not know: {string.Join(", ", unknown)}");
        var missing = expected.Keys.Where(f => !present.Contains(f) && !DocumentedMissing.Contains($"{folder}/{f}")).ToList();
        Assert.True(missing.Count == 0, $"catalog tables with no file and no documented reason: {string.Join(", ", missing)}");

        using var proof = new CsvProof();
        long rows = 0, values = 0;
        var failures = new List<string>();
        foreach (var file in present)
        {
            var result = proof.Check(Path.Combine(root, file), expected[file]);
            rows += result.Rows;
            values += result.Values;
            failures.AddRange(result.Failures.Select(f => $"{folder}/{file} {f}"));
        }
        output.WriteLine($"{folder}: {present.Count} files, {rows:N0} rows, {values:N0} non-empty values checked, {failures.Count} failures");
        Assert.Empty(failures);
    }
}
