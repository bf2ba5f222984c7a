using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Local;

/// <summary>
/// A credentialed release is never fetched by the lab: PhysioNet gives its files only to a credentialed user who signed
/// its data use agreement, under that user's own account. This says exactly how to get them: PhysioNet's documented
/// recursive wget, the user's name and a password prompt (never a password on the command line, where other
/// accounts can read it in the process list and the shell keeps it in its history).
/// </summary>
public static class CredentialedDownload
{
    /// <summary>Each PhysioNet project the lab's modules come from (a borrowed module, e.g. ED in MIMIC-IV, has its own), with its modules.</summary>
    public static IReadOnlyList<(string Url, IReadOnlyList<Module> Modules)> Projects(LabSettings lab) =>
        lab.Modules
            .Where(m => (m.Project ?? lab.Release.Project) is not null)
            .GroupBy(m => PhysioNetFiles.FilesRoot + (m.Project ?? lab.Release.Project)!.Prefix)
            .Select(g => (g.Key, (IReadOnlyList<Module>)g.ToList()))
            .ToList();

    public static string Instructions(LabSettings lab)
    {
        var projects = Projects(lab);
        var lines = new List<string>
        {
            $"{lab.Release.Title} ({lab.Release.Id}) is credentialed: PhysioNet gives its files only to credentialed users who signed its data use agreement, " +
            "so `local` never downloads it for you. Download it with your own PhysioNet account (wget asks for your password; never put it on the command line):",
        };
        foreach (var (url, modules) in projects)
            lines.Add($"  wget -r -N -c -np --user YOUR_PHYSIONET_USERNAME --ask-password {url}   # {string.Join(", ", modules.Select(m => m.Name))}");
        var main = projects.Count > 0 ? projects[0].Url : "https://physionet.org/files/<project>/<version>/";
        var folder = main["https://".Length..].TrimEnd('/');
        lines.Add($"then build the lab from that copy: local --stack {lab.Stack} --data {folder}");
        foreach (var (url, modules) in projects.Skip(1))
            lines.Add($"  (first copy or link {string.Join(", ", modules.Select(m => $"{url["https://".Length..]}{m.Folder}/"))} into {folder}/)");
        lines.Add("Keep the copy private: it is credentialed data under PhysioNet's data use agreement (see \"The local lab\" in the README for where the lab keeps its files and how to delete them).");
        return string.Join("\n", lines);
    }
}
