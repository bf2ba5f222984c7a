using MimicInfra.Cli;
using MimicInfra.Costs;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>`preview` reads at a glance: a short summary first, details after, the next steps and what destroy does last.</summary>
public class PreviewGuideTests
{
    private static (LabSettings Lab, string Text) Preview(StackConfig config)
    {
        var lab = LabSettingsReader.Read(config, Labs.Catalog);
        return (lab, LabPreview.Summary(lab, LabCompiler.Compile(lab)));
    }

    private static string[] Glance(string text) =>
        text.Split('\n').Skip(1).TakeWhile(l => l.Length > 0).ToArray();

    [Fact]
    public void ACredentialedLabLeadsWithWhatWhereWhoCostExpiryAndTheNextStep()
    {
        var (lab, text) = Preview(Labs.Csv31(("awsAccountId", "012345678901")));
        var glance = Glance(text);
        Assert.Equal(["what", "where", "who", "cost", "expires", "next"], glance.Select(l => l.Trim().Split(' ')[0]));
        Assert.Contains("MIMIC-IV 3.1 (credentialed): hosp, icu, ed, 37 tables", glance[0]);
        Assert.Contains("AWS region us-east-1, account 012345678901 only", glance[1]);
        Assert.Contains($"{Labs.ResearcherArn} reads the data", glance[2]);
        // The total is CostEstimate's own, whatever its lines are.
        var cost = CostEstimate.For(lab, PriceTable.Embedded);
        Assert.Contains(CostEstimate.Usd(cost.TotalWithIdleStop) + " a month with idle stop", glance[3]);
        Assert.Contains("2027-06-30", glance[4]);
        Assert.Contains("`pulumi up --stack csv31`", glance[5]);
        Assert.All(glance, l => Assert.True(l.Length <= 160, l));
        Assert.True(text.IndexOf("\nDetails\n", StringComparison.Ordinal) > text.IndexOf(glance[^1], StringComparison.Ordinal));
    }

    [Fact]
    public void ItEndsWithWhoDoesWhatAfterUpAndWhatDestroyDoes()
    {
        var (lab, text) = Preview(Labs.Csv31());
        var after = text[text.IndexOf("After `pulumi up`:", StringComparison.Ordinal)..];
        Assert.Contains($"1. The platform engineer attaches the outputs researcherImportPolicy and researcherPolicy to {Labs.ResearcherArn}", after);
        Assert.Contains($"2. The researcher, signed in as {Labs.ResearcherArn}, opens AWS CloudShell in us-east-1 and pastes the output importCommand", after);
        Assert.Contains($"3. The first query: the Athena console, workgroup {lab.Names.Workgroup}, database {lab.Names.Database}", after);
        Assert.Contains("FROM admissions", after);
        var destroy = text[text.IndexOf("`pulumi destroy --stack csv31`:", StringComparison.Ordinal)..].Split('\n');
        Assert.StartsWith("  deletes     the lab's data copy (data bucket); the query results (results bucket); the notebook and its volume", destroy[1]);
        Assert.StartsWith("  keeps       the audit trail's bucket, its records expiring after 365 days; the lab key", destroy[2]);
        Assert.Equal("", destroy[^1]);
        Assert.Equal(4, destroy.Length);   // the last lines of the preview
    }

    [Fact]
    public void KeptResultsAndScratchAreSaidToBeKept()
    {
        var (_, aws) = Preview(Labs.Csv31(("keepResultsOnDestroy", "true")));
        Assert.Contains("keeps       the query results (results bucket, keepResultsOnDestroy)", aws);
        var (_, gcp) = Preview(Gcp.Only31(("gcpKeepScratchOnDestroy", "true")));
        var keeps = gcp.Split('\n').Single(l => l.StartsWith("  keeps ", StringComparison.Ordinal));
        Assert.Contains("the scratch dataset (gcpKeepScratchOnDestroy)", keeps);
        Assert.Contains("the GCP log bucket", keeps);
        Assert.Contains("Each member (", gcp);
    }

    [Fact]
    public void AnOpenLabSaysWhoMayReadItsData()
    {
        var (_, text) = Preview(Labs.Demo);
        var glance = Glance(text);
        Assert.Contains("MIMIC-IV Demo 2.2 (open)", glance[0]);
        Assert.Contains("whichever account the deploy's credentials reach (no awsAccountId)", glance[1]);
        Assert.Contains("any principal that IAM allows in the account", glance[2]);
        Assert.Contains("as their own IAM user", text);
        Assert.Contains("for its 30-day deletion window (restorable until then)", text);
    }

    [Fact]
    public void WarningsForLabsDeployedAlreadyHaveTheirOwnHeading()
    {
        var (_, text) = Preview(Labs.Csv31());
        var details = text[..text.IndexOf("Labs deployed already", StringComparison.Ordinal)];
        Assert.DoesNotContain("  upgrade ", details);
        var section = text[text.IndexOf("Labs deployed already (this update changes them):\n", StringComparison.Ordinal)..].Split("\n\n")[0];
        Assert.Contains("  upgrade     a lab first deployed with direct internet gets a new notebook", section);
    }
}
