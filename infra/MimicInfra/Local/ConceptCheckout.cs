using System.Diagnostics;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

/// <summary>
/// The mimic-code checkout whose concept scripts a build runs: its commit (recorded in the lab, so a result can be
/// traced to the SQL that made it) and whether the scripts differ from that commit. Third-party SQL from a tree with
/// local changes is refused unless the user says --allow-dirty.
/// </summary>
public sealed record ConceptCheckout(string? Commit, bool Dirty, string Description)
{
    public static ConceptCheckout Inspect(string scriptsFolder, Module derived, bool allowDirty)
    {
        var repository = derived.Concepts!.Repository;
        var head = Git(scriptsFolder, "rev-parse", "HEAD");
        if (head.Code != 0)
        {
            if (!allowDirty)
                throw new UserError($"--concepts {scriptsFolder} is not in a git checkout ({FirstLine(head.Error)}), so the commit of the SQL it would run cannot be recorded. " +
                                    $"Clone it (git clone https://github.com/{repository}.git) and point --concepts at the clone, or pass --allow-dirty to run it unrecorded.");
            return new ConceptCheckout(null, true, "not a git checkout (--allow-dirty)");
        }
        var commit = head.Output.Trim();
        // Only what runs counts: changes in the concept folder, untracked files included.
        var status = Git(scriptsFolder, "status", "--porcelain", "--untracked-files=all", "--", ".");
        var changes = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (status.Code != 0 || changes.Length > 0)
        {
            if (!allowDirty)
                throw new UserError(status.Code != 0
                    ? $"--concepts: git status failed in {scriptsFolder} ({FirstLine(status.Error)}); pass --allow-dirty to run the scripts anyway."
                    : $"--concepts: {changes.Length} file(s) in {scriptsFolder} differ from commit {commit[..Math.Min(12, commit.Length)]} (e.g. {changes[0].Trim()}), " +
                      "so the SQL that would run is not that commit's. Commit or stash the changes (git stash), or pass --allow-dirty to run them as they are (recorded as dirty).");
            return new ConceptCheckout(commit, true, $"{commit} with local changes (--allow-dirty)");
        }
        return new ConceptCheckout(commit, false, commit);
    }

    /// <summary>
    /// Runs git without a shell. The checkout is not ours: its config could name a program for git to run
    /// (core.fsmonitor), so that is switched off, and git never prompts.
    /// </summary>
    private static (int Code, string Output, string Error) Git(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "core.fsmonitor=false", "-C", folder, .. args]) start.ArgumentList.Add(a);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";   // status must not write the checkout's index
        try
        {
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEndAsync();
            var error = git.StandardError.ReadToEndAsync();
            git.WaitForExit();
            return (git.ExitCode, output.Result, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (127, "", $"git is not installed: {e.Message}");
        }
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "no output";
}
