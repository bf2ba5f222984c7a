using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Aws.Workspace;

/// <summary>Reads the workspace's settings (the notebook, the budget); a bad value is a problem naming its key and the fix.</summary>
public static partial class WorkspaceSettingsReader
{
    /// <summary>
    /// The notebook. Its network (lab-vpc, vpc or internet) is the network concern's to read; it is read after the
    /// notebook's own keys, so its problems follow theirs.
    /// </summary>
    public static NotebookSettings ReadNotebook(
        ConfigValues c, Func<(bool DirectInternet, string? Subnet, IReadOnlyList<string> Groups, Network.LabVpcSettings? LabVpc)> readNetwork)
    {
        var type = c.Str("notebookInstanceType") ?? "ml.t3.medium";
        if (!InstanceType().IsMatch(type)) c.Problem("notebookInstanceType", $"{ConfigValues.Q(type)} is not a SageMaker instance type such as ml.t3.medium.");
        var volume = (int)c.Integer("notebookVolumeSizeGb", 5, 16384);
        var idle = (int)c.Integer("notebookIdleMinutes", 5, 1440);
        var (internet, subnet, groups, labVpc) = readNetwork();
        return new NotebookSettings(type, volume, idle, internet, subnet, groups) { LabVpc = labVpc };
    }

    /// <summary>The monthly budget, or null when the stack sets none.</summary>
    public static BudgetSettings? ReadBudget(ConfigValues c)
    {
        var emails = c.List("budgetEmails");
        foreach (var e in emails.Where(e => !Email().IsMatch(e))) c.Problem("budgetEmails", $"{ConfigValues.Q(e)} is not an e-mail address.");
        if (!c.Has("budgetMonthlyUsd"))
        {
            if (emails.Count > 0) c.Problem("budgetEmails", "set budgetMonthlyUsd too, or remove budgetEmails.");
            return null;
        }
        var usd = (int)c.Integer("budgetMonthlyUsd", 1, 1_000_000);
        if (emails.Count == 0) c.Problem("budgetEmails", "budgetMonthlyUsd needs at least one address to alert.");
        return new BudgetSettings(usd, emails);
    }

    [GeneratedRegex(@"^ml\.[a-z0-9]+\.[a-z0-9]+$")]
    private static partial Regex InstanceType();

    // No `$ { } * ?`: they would mean something to Pulumi's interpolation or to IAM, and no address needs them.
    [GeneratedRegex(@"^[^@\s${}*?]+@[^@\s${}*?]+\.[^@\s${}*?]+$")]
    private static partial Regex Email();
}
