using MimicInfra.Lab;

namespace MimicInfra.Aws.Workspace;

/// <summary>What `preview` says of the researcher's workspace: the notebook, its logs, how it is destroyed, the budget.</summary>
public static class WorkspacePreview
{
    /// <summary>The workspace's lines; the notebook's network lines (the network concern's) follow the notebook's own.</summary>
    public static IEnumerable<string> Lines(LabSettings lab, IEnumerable<string> network)
    {
        if (lab.Aws is not { } aws) yield break;
        if (aws.Notebook is { } nb)
        {
            yield return $"  notebook    {lab.Names.Lab}: {nb.InstanceType}, {ResearcherWorkspace.PlatformIdentifier}, {nb.VolumeSizeGb} GB encrypted, root off, IMDSv2, " +
                         $"{(nb.DirectInternetAccess ? "direct internet" : "VPC only")}, stops after {nb.IdleMinutes} idle minutes (systemd timer, not as root)";
            foreach (var line in network) yield return line;
            yield return $"  logs        {ResearcherWorkspace.NotebookLogGroup} is the account's, shared by every notebook in {aws.Region}, and kept forever unless it has a retention: " +
                         $"{ResearcherWorkspace.LogRetentionCommand(aws.Region)}";
            yield return "  destroy     fails while the notebook is Pending or Stopping (the provider stops only InService notebooks): wait, then run it again (output notebookBeforeDestroy)";
        }
        if (aws.Budget is { } budget)
            yield return $"  budget      {budget.MonthlyUsd} USD a month on the lab tag, alerts at 80 % and 100 % to {string.Join(", ", budget.Emails)}";
    }
}
