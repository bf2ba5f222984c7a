namespace MimicInfra.Tests;

/// <summary>
/// Finds the repository and the reference folder ../shared beside it. Tests that need ../shared call
/// <see cref="Require"/>, which skips them with the reason when it is absent; the core suite never needs it.
/// </summary>
internal static class Shared
{
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MimicInfra.sln")))
                return dir.FullName;
        throw new InvalidOperationException("MimicInfra.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Root => Environment.GetEnvironmentVariable("MIMICINFRA_SHARED")
        ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The path of ../shared/<paramref name="relative"/>, or a skip naming what is missing.</summary>
    public static string Require(string relative)
    {
        var path = Path.Combine(Root, relative);
        if (!Directory.Exists(path) && !File.Exists(path))
            Assert.Skip($"needs the reference folder {path} (../shared beside the checkout, or MIMICINFRA_SHARED); it is absent here");
        return path;
    }
}
