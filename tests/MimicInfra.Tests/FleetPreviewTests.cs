using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class FleetPreviewTests
{
    [Fact]
    public void PreviewShowsTheAccountBindingProviderKeysExpiryStopAndCostGuards()
    {
        var lab = LabSettingsReader.Read(Labs.Config("pv", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\"]"),
            ("sourceUri", "s3://my-mimic-copy/mimiciv/3.1/"), ("awsAccountId", "012345678901"), ("aws:profile", "lab-jdoe"), .. Gcp.Settings]), Labs.Catalog);
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("  account     012345678901 only: the provider refuses other credentials before any change", text);
        Assert.Contains("  provider    from the stack, by reference: aws:profile", text);
        Assert.Contains("  expiry      stops itself at 2027-06-30T00:00:00Z (EventBridge Scheduler): workgroup disabled, notebook stopped if it is running", text);
        Assert.Contains("  cost guard  BigQuery quota 1024 GiB processed per user per day; the example notebook caps a query at 10240 MiB billed", text);
    }
}
