namespace MimicInfra.Tests;

public class ResearcherImportPolicyTests
{
    [Fact]
    public void TheResearchersPolicyReadsTheAccessPointsAndWritesOnlyTheImportsPlaces()
    {
        var program = new ParsedProgram(Labs.Compile(Labs.Csv31()));
        var statements = program.Outputs["researcherImportPolicy"].At("fn::toJSON", "Statement").List().Select(s => s.Map()).ToDictionary(s => (string)s["Sid"]);
        Assert.Equal(["ReadTheSource", "ListTheSource1", "ListTheSource2", "WriteTheLabCopy", "ReadTheImportScript", "ListTheLabData", "WriteImportResults", "ListImportResults",
                      "RunTheImport", "ReadTheLabCatalog", "ReadTheDmlTimeout", "UseTheLabKey", "NothingOfTheLabAfterItExpires"], statements.Keys);
        Assert.Equal(new List<object> { "arn:${awsPartition.partition}:servicequotas:us-east-1:${awsAccount.accountId}:athena/L-E80DC288" }, statements["ReadTheDmlTimeout"]["Resource"]);
        // Through the access point, in the ARN forms IAM takes for it (objects under .../object/<prefix>*).
        Assert.Equal(new List<object>
        {
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimic-iv-ed-v2-2-01/object/mimic-iv-ed/2.2/ed/*",
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/mimiciv/3.1/hosp/*",
            "arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/mimiciv/3.1/icu/*",
        }, statements["ReadTheSource"]["Resource"]);
        Assert.Equal(new List<object> { "s3:GetObject" }, statements["ReadTheSource"]["Action"]);
        Assert.Equal(new List<object> { "${dataBucket.arn}/staging/*", "${dataBucket.arn}/tables/*", "${dataBucket.arn}/imports/*" }, statements["WriteTheLabCopy"]["Resource"]);
        Assert.Equal(new List<object> { "${importWorkgroup.arn}" }, statements["RunTheImport"]["Resource"]);
        // Nothing it allows reaches the lab workgroup (the expiry's Deny names it, to end the lab there too).
        Assert.DoesNotContain(statements.Values.Where(s => (string)s["Effect"] == "Allow").SelectMany(s => s["Resource"].List()), r => ((string)r).Contains("${workgroup.arn}") || (string)r == "*");
    }
}
