using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class WorkspaceCheckTests
{
    public static TheoryData<string> Variants => new() { "internet", "vpc", "off", "budget", "sse-s3-vpc-budget" };

    private static StackConfig Stack(string variant) => variant switch
    {
        "internet" => Labs.Csv31(),
        "vpc" => Labs.Full31(Workspace.Vpc),
        "off" => Labs.Full31(("notebook", "false")),
        "budget" => Labs.Csv31(Workspace.Budget),
        "sse-s3-vpc-budget" => Labs.Full31([("resultsEncryption", "s3"), .. Workspace.Vpc, .. Workspace.Budget]),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void WorkspaceConformsToTheProviderSchemas(string variant)
    {
        var report = new ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Stack(variant)));
        Assert.Empty(report.Problems);
        var notebooks = report.ResourcesByType.GetValueOrDefault("aws:sagemaker/notebookInstance:NotebookInstance");
        Assert.Equal(variant == "off" ? 0 : 1, notebooks);
        Assert.Equal(variant.Contains("budget") ? 1 : 0, report.ResourcesByType.GetValueOrDefault("aws:budgets/budget:Budget"));
    }

    [Fact]
    public void NotebookOffLeavesNoRoleAndNoNotebookOutputs()
    {
        var p = new ParsedProgram(Labs.Compile(Labs.Full31(("notebook", "false"))));
        Assert.Equal(["expiryRole"], p.OfType("aws:iam/role:Role").Select(r => r.Name));   // the expiry stop's own role only
        Assert.False(p.Outputs.ContainsKey("notebookUrl"));
    }

    [Fact]
    public void OutputsSayWhereToClick()
    {
        var o = Workspace.Demo.Outputs;
        Assert.Equal("https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/${notebook.name}?view=lab", o["notebookUrl"]);
        Assert.Equal("${notebook.name}", o["notebookName"]);
        Assert.Equal("${notebookRole.arn}", o["notebookRoleArn"]);
    }

    [Fact]
    public void BudgetAlertsAt80And100PercentOnTheLabTag()
    {
        var b = new ParsedProgram(Labs.Compile(Labs.Csv31(Workspace.Budget))).Single("aws:budgets/budget:Budget");
        Assert.Equal("250", b["limitAmount"]);
        Assert.Equal("MONTHLY", b["timeUnit"]);
        Assert.Equal(["80", "100"], b["notifications"].List().Select(n => (string)n.At("threshold")!));
        Assert.All(b["notifications"].List(), n => Assert.Equal(new List<object> { "pi@example.org", "ops@example.org" }, n.At("subscriberEmailAddresses")));
        Assert.StartsWith("user:lab$$mimic-jdoe-sepsis-", (string)b.At("costFilters", 0, "values", 0)!);
    }

    [Theory]
    [InlineData("notebookNetwork", "vpc", "mimic-infra:notebookNetwork: vpc needs notebookSubnetId and notebookSecurityGroupIds")]
    [InlineData("notebookSubnetId", "subnet-0123456789abcdef0", "apply only with notebookNetwork vpc")]
    [InlineData("notebookInstanceType", "t3.medium", "mimic-infra:notebookInstanceType: 't3.medium' is not a SageMaker instance type")]
    [InlineData("notebookIdleMinutes", "1", "mimic-infra:notebookIdleMinutes: 1 is out of range; use 5..1440.")]
    [InlineData("budgetMonthlyUsd", "100", "mimic-infra:budgetEmails: budgetMonthlyUsd needs at least one address")]
    [InlineData("budgetEmails", "[\"not-an-address\"]", "mimic-infra:budgetEmails: 'not-an-address' is not an e-mail address.")]
    public void BadWorkspaceSettingsAreRejected(string key, string value, string expected)
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Full31((key, value)), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }
}
