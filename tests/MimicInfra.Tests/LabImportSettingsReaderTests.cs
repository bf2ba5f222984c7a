using MimicInfra.Aws.Data;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The import's settings reader alone, on the stack's config values: athenaDmlTimeoutQuota.</summary>
public class LabImportSettingsReaderTests
{
    private static (int? Minutes, List<string> Problems) Read(params (string, string)[] settings)
    {
        var c = new ConfigValues(Labs.Config("s", settings));
        return (LabImportSettingsReader.DmlTimeoutQuota(c), c.Problems);
    }

    [Fact]
    public void UnsetLeavesTheChoiceToTheImportModel()
    {
        var (minutes, problems) = Read();
        Assert.Null(minutes);
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("30", 30)]
    [InlineData("240", 240)]
    public void AValueInRangeIsTaken(string value, int expected)
    {
        var (minutes, problems) = Read(("athenaDmlTimeoutQuota", value));
        Assert.Equal(expected, minutes);
        Assert.Empty(problems);
    }

    [Fact]
    public void AValueBelowAthenasDefaultIsAProblemNamingTheKeyAndTheRange()
    {
        var (_, problems) = Read(("athenaDmlTimeoutQuota", "10"));
        var problem = Assert.Single(problems);
        Assert.StartsWith("mimic-infra:athenaDmlTimeoutQuota: 10 is below Athena's default of 30 minutes", problem);
        Assert.Contains("use 30-240, or 0 for no request", problem);
    }

    [Fact]
    public void AValueAboveAthenasMaximumIsAProblem() => Assert.Single(Read(("athenaDmlTimeoutQuota", "241")).Problems, p => p.StartsWith("mimic-infra:athenaDmlTimeoutQuota:", StringComparison.Ordinal));
}
