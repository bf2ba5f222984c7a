namespace MimicInfra.Local;

/// <summary>
/// Files and folders of the local lab are its owner's alone (0600, 0700): a MIMIC copy on a shared machine must not
/// be readable by other accounts. On Windows the user profile's ACLs already do this, so only Unix modes are set.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parents as 0700; a folder that already exists keeps its mode (it is the user's).</summary>
    public static string CreateFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(full).FullName;
        // .NET gives the mode to the last folder only; every folder created here gets it.
        var missing = new Stack<string>();
        for (var d = full; !Directory.Exists(d); d = Path.GetDirectoryName(d)!) missing.Push(d);
        while (missing.TryPop(out var d)) Directory.CreateDirectory(d, FolderMode);
        return full;
    }

    /// <summary>Creates the folder, or makes an existing one 0700 (a folder the lab alone owns, e.g. its cache or build folder).</summary>
    public static string OwnFolder(string path)
    {
        var full = CreateFolder(path);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, FolderMode);
        return full;
    }

    /// <summary>Makes a file the lab wrote 0600.</summary>
    public static void Restrict(string file)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(file)) File.SetUnixFileMode(file, FileMode);
    }

    /// <summary>Options for a file stream whose file, when created, is 0600 from the first byte.</summary>
    public static FileStreamOptions Writing(System.IO.FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        return options;
    }

    /// <summary>Writes a whole file as 0600, through a temporary name so a reader never sees it half-written.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var temp = $"{path}.tmp-{Environment.ProcessId}";
        using (var s = new FileStream(temp, Writing(System.IO.FileMode.Create))) s.Write(bytes);
        File.Move(temp, path, overwrite: true);
    }
}
