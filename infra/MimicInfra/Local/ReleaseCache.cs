using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

/// <summary>
/// Where `local` keeps the open releases it fetched, and where it fetches them from. The cache is per user, in the
/// platform's cache folder (XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on
/// Windows), one folder per release; `--cache` or MIMICINFRA_CACHE move it. `--physionet-url` or
/// MIMICINFRA_PHYSIONET_URL replace https://physionet.org/files/ (a mirror, or a test server on the loopback address).
/// </summary>
public static class ReleaseCache
{
    public const string CacheVariable = "MIMICINFRA_CACHE";
    public const string UrlVariable = "MIMICINFRA_PHYSIONET_URL";
    public const string PhysioNetFiles = "https://physionet.org/files/";

    /// <summary>The cache root: the flag, else the variable, else the platform's per-user cache folder.</summary>
    public static string Root(string? flag, Func<string, string?> env)
    {
        if (NonEmpty(flag) is { } f) return Path.GetFullPath(f);
        if (NonEmpty(env(CacheVariable)) is { } e) return Path.GetFullPath(e);
        var home = NonEmpty(env("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(NonEmpty(env("LOCALAPPDATA")) ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "mimicinfra", "cache");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Caches", "mimicinfra");
        // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
        var xdg = NonEmpty(env("XDG_CACHE_HOME"));
        return Path.Combine(xdg is not null && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".cache"), "mimicinfra");
    }

    /// <summary>The folder of one release in the cache.</summary>
    public static string ReleaseFolder(string root, Release release) => Path.Combine(root, release.Id);

    /// <summary>
    /// The base URL files are fetched under: PhysioNet's, or the flag's or variable's. Only HTTPS, except on the
    /// loopback address (a test server), so data never crosses a network in clear text.
    /// </summary>
    public static Uri BaseUrl(string? flag, Func<string, string?> env)
    {
        var (text, source) = NonEmpty(flag) is { } f ? (f, "--physionet-url") : NonEmpty(env(UrlVariable)) is { } e ? (e, UrlVariable) : (PhysioNetFiles, "");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !text.EndsWith('/'))
            throw new UserError($"{source} {Input.Shown.Quote(text)} must be an https:// URL ending in '/', the folder that holds <project>/<version>/ (PhysioNet's is {PhysioNetFiles}).");
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            throw new UserError($"{source} {Input.Shown.Quote(text)}: plain http is allowed only on the loopback address; use https://.");
        return uri;
    }

    /// <summary>The URL of one file of the release under the base URL.</summary>
    public static Uri FileUrl(Uri baseUrl, PhysioNetFiles download, string file) =>
        new(baseUrl, download.ProjectPath + string.Join('/', file.Split('/').Select(Uri.EscapeDataString)));

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
