using MimicInfra.Aws.Workspace;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// The workspace's settings reader (Aws/Workspace/WorkspaceSettingsReader.cs) on its own: from the stack's config values
/// to the notebook and budget settings, and each bad value a problem naming its key.
/// </summary>
public sealed class WorkspaceSettingsReaderTests
{
    private static ConfigValues Values(params (string, string)[] settings) => new(Labs.Config("workspace", settings));

    [Fact]
    public void ANotebookLeftToItsDefaultsIsTheDocumentedOne()
    {
        var c = Values();
        var notebook = WorkspaceSettingsReader.ReadNotebook(c, () => (true, null, [], null));
        Assert.Empty(c.Problems);
        Assert.Equal(("ml.t3.medium", 20, 60), (notebook.InstanceType, notebook.VolumeSizeGb, notebook.IdleMinutes));
        Assert.True(notebook.DirectInternetAccess);
    }

    [Fact]
    public void TheNotebooksNetworkIsReadAfterItsOwnKeysAndKeptAsRead()
    {
        var c = Values(("notebookInstanceType", "t3.medium"), ("notebookIdleMinutes", "2"));
        var notebook = WorkspaceSettingsReader.ReadNotebook(c, () =>
        {
            c.Problem("notebookNetwork", "the network's own problem");
            return (false, "subnet-0123abcd", ["sg-0123abcd"], null);
        });
        Assert.Equal(["mimic-infra:notebookInstanceType", "mimic-infra:notebookIdleMinutes", "mimic-infra:notebookNetwork"],
            c.Problems.Select(p => p[..p.IndexOf(':', "mimic-infra:".Length)]));
        Assert.Equal(("subnet-0123abcd", false), (notebook.SubnetId, notebook.DirectInternetAccess));
        Assert.Equal(["sg-0123abcd"], notebook.SecurityGroupIds);
    }

    [Fact]
    public void NoBudgetIsNullAndABudgetIsItsAmountAndAddresses()
    {
        var none = Values();
        Assert.Null(WorkspaceSettingsReader.ReadBudget(none));
        Assert.Empty(none.Problems);

        var c = Values(("budgetMonthlyUsd", "250"), ("budgetEmails", "[\"pi@example.org\",\"ops@example.org\"]"));
        var budget = WorkspaceSettingsReader.ReadBudget(c);
        Assert.Empty(c.Problems);
        Assert.Equal(250, budget!.MonthlyUsd);
        Assert.Equal(["pi@example.org", "ops@example.org"], budget.Emails);
    }

    [Theory]
    [InlineData("budgetEmails", "[\"pi@example.org\"]", "budgetEmails: set budgetMonthlyUsd too")]
    [InlineData("budgetMonthlyUsd", "100", "budgetEmails: budgetMonthlyUsd needs at least one address")]
    [InlineData("budgetEmails", "[\"${labKey.arn}@example.org\"]", "is not an e-mail address")]
    public void AnIncompleteOrBadBudgetIsAProblemNamingItsKey(string key, string value, string expected)
    {
        var c = Values((key, value));
        WorkspaceSettingsReader.ReadBudget(c);
        Assert.Contains(c.Problems, p => p.Contains(expected, StringComparison.Ordinal));
    }
}
