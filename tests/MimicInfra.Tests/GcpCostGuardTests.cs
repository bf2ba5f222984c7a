using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class GcpCostGuardTests
{
    [Fact]
    public void TheLabProjectGetsADailyPerUserQueryQuota()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        var quota = p.Single("gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride");
        Assert.Equal("mimic-research-1", quota["project"]);
        Assert.Equal("bigquery.googleapis.com", quota["service"]);
        Assert.Equal("bigquery.googleapis.com%2Fquota%2Fquery%2Fusage", quota["metric"]);
        Assert.Equal("%2Fd%2Fproject%2Fuser", quota["limit"]);
        Assert.Equal("1048576", quota["overrideValue"]);   // 1 TiB in MiB, the quota's unit
        Assert.Equal("true", quota["force"]);
        Assert.Contains(p.OfType("gcp:projects/service:Service"), s => (string)s.Props["service"] == "serviceusage.googleapis.com");
    }

    [Fact]
    public void TheQuotaAndTheNotebookCapFollowTheSettings()
    {
        var config = Gcp.Only31([("gcpDailyQueryGibPerUser", "100"), ("gcpMaxBytesBilledPerQuery", "5368709120")]);
        var quota = new ParsedProgram(Labs.Compile(config)).Single("gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride");
        Assert.Equal("102400", quota["overrideValue"]);
        var notebook = ExampleNotebook.BuildForBigQuery(LabSettingsReader.Read(config, Labs.Catalog));
        Assert.Contains("MAX_BYTES_BILLED = 5368709120", notebook);
        Assert.Contains("maximum_bytes_billed=MAX_BYTES_BILLED", notebook);
    }

    [Theory]
    [InlineData("gcpDailyQueryGibPerUser", "0", "mimic-infra:gcpDailyQueryGibPerUser: 0 is out of range")]
    [InlineData("gcpMaxBytesBilledPerQuery", "1000", "mimic-infra:gcpMaxBytesBilledPerQuery: 1000 is out of range")]
    public void OutOfRangeGuardsAreRefused(string key, string value, string expected)
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Gcp.Only31([(key, value)]), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }
}
