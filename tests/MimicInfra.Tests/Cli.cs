namespace MimicInfra.Tests;

/// <summary>Runs the command line in process with captured streams.</summary>
internal static class Cli
{
    private static readonly Lock CurrentDirectory = new();

    /// <summary>Runs from the repository root (the working directory is process-wide, so runs take turns).</summary>
    public static (int Code, string Out, string Err) Run(string[] args, Func<string, string?>? env = null) => RunIn(Shared.RepoRoot, args, env);

    /// <summary>Runs in <paramref name="folder"/> as the working directory (a scratch copy of the repository).</summary>
    public static (int Code, string Out, string Err) RunIn(string folder, string[] args, Func<string, string?>? env = null)
    {
        lock (CurrentDirectory) return RunInFolder(folder, args, env);
    }

    private static (int Code, string Out, string Err) RunInFolder(string folder, string[] args, Func<string, string?>? env)
    {
        var (o, e) = (new StringWriter { NewLine = "\n" }, new StringWriter { NewLine = "\n" });
        var cwd = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(folder);
        try
        {
            var code = MimicInfra.Cli.App.Run(args, new MimicInfra.Cli.Console(o, e), env ?? (_ => null));
            return (code, o.ToString(), e.ToString());
        }
        finally { Directory.SetCurrentDirectory(cwd); }
    }
}
