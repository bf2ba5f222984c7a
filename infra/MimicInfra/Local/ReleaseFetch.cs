using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using MimicInfra.Catalog;
using MimicInfra.Cli;

namespace MimicInfra.Local;

/// <summary>How a fetch runs: where from, where to, how patiently.</summary>
public sealed record FetchOptions(Uri BaseUrl, string CacheRoot)
{
    /// <summary>Files downloaded at once: a few, so a slow file does not hold up the rest and the server is not flooded.</summary>
    public int Parallel { get; init; } = 3;
    public int Attempts { get; init; } = 5;
    /// <summary>The wait before the first retry; it doubles for each further one.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a response or a read may stall before the attempt counts as failed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// The user builds without missing files (--skip-missing): a file the server last answered 404 for is then taken as
    /// missing from the cache's record, so a rebuild needs no network; otherwise it is asked for again.
    /// </summary>
    public bool AcceptMissing { get; init; }
    /// <summary>The HTTP handler (a test may pass its own); null for the default.</summary>
    public HttpMessageHandler? Handler { get; init; }
}

public enum FileOutcome { Downloaded, Cached, Missing, Failed }

/// <summary>What became of one file of the release.</summary>
public sealed record FetchedFile(string File, FileOutcome Outcome, long Bytes, string? Reason);

/// <summary>The release in the cache: its folder (what --data would be), and what became of each file.</summary>
public sealed record FetchedRelease(string Folder, Uri Source, IReadOnlyList<FetchedFile> Files, double Seconds)
{
    public IEnumerable<FetchedFile> Missing => Files.Where(f => f.Outcome == FileOutcome.Missing);
    public IEnumerable<FetchedFile> Failed => Files.Where(f => f.Outcome == FileOutcome.Failed);
    public bool Offline => Files.All(f => f.Outcome is FileOutcome.Cached or FileOutcome.Missing);
}

/// <summary>What a fetch tells the user as it goes (a progress bar on a terminal, plain lines otherwise).</summary>
public interface IFetchProgress
{
    /// <summary>A file's transfer starts; <paramref name="total"/> is its full size when the server says, <paramref name="resumedAt"/> the bytes already held.</summary>
    void Started(string file, long? total, long resumedAt);
    void Advanced(string file, long bytes);
    void Finished(FetchedFile file);
    void Note(string line);
}

/// <summary>
/// Fetches an open release from PhysioNet into the per-user cache: PhysioNet's SHA256SUMS.txt first, then each file
/// the lab needs, a few at a time, each into a `.part` file that a later run resumes (HTTP Range), retried with
/// backoff on server and network errors, and moved to its name only once its SHA-256 matches the list. A file that
/// does not match is deleted and reported; nothing unverified is ever under a table file's name. A second run whose
/// files are all in the cache and still match needs no network at all.
/// </summary>
public static class ReleaseFetch
{
    public const string SumsFile = "SHA256SUMS.txt";

    /// <summary>The cache's record of the files the server answered 404 for at the last fetch.</summary>
    private const string NotOnServerFile = ".not-on-server";

    /// <summary>The files a local lab of these modules needs: each table's file, and the release's own extras (the licence).</summary>
    public static IReadOnlyList<string> FilesOf(Release release, IEnumerable<Module> modules) =>
        [.. modules.Where(m => !m.IsDerived).SelectMany(m => m.Tables.Select(m.FileOf)), .. release.Download?.Files ?? []];

    public static async Task<FetchedRelease> FetchAsync(Release release, IReadOnlyList<Module> modules, FetchOptions options, IFetchProgress progress, CancellationToken cancel = default)
    {
        var download = release.Download ?? throw new UserError($"the catalog gives no download location for {release.Id}; pass --data with its files.");
        if (release.Access != Access.Open) throw new InvalidOperationException($"{release.Id} is credentialed; it is never fetched without the user's own account");
        var clock = Stopwatch.StartNew();
        PrivateFiles.CreateFolder(options.CacheRoot);
        var folder = PrivateFiles.OwnFolder(ReleaseCache.ReleaseFolder(options.CacheRoot, release));
        var source = new Uri(options.BaseUrl, download.ProjectPath);
        var wanted = FilesOf(release, modules);

        // Offline first: a complete, verified copy needs no network.
        var sumsPath = Path.Combine(folder, SumsFile);
        if (File.Exists(sumsPath) && Sums.Parse(await File.ReadAllTextAsync(sumsPath, cancel)) is { } cachedSums)
        {
            var notOnServer = options.AcceptMissing && File.Exists(Path.Combine(folder, NotOnServerFile))
                ? (await File.ReadAllLinesAsync(Path.Combine(folder, NotOnServerFile), cancel)).ToHashSet(StringComparer.Ordinal) : [];
            var cached = wanted.Select(f => Cached(folder, f, cachedSums, progress) ??
                (notOnServer.Contains(f) ? new FetchedFile(f, FileOutcome.Missing, 0, "HTTP 404: not on the server at the last fetch") : null)).ToList();
            if (cached.All(c => c is not null))
            {
                foreach (var c in cached) progress.Finished(c!);
                return new FetchedRelease(folder, source, cached!, clock.Elapsed.TotalSeconds);
            }
        }

        using var http = Client(options);
        var sumsBytes = await GetSmall(http, ReleaseCache.FileUrl(options.BaseUrl, download, SumsFile), options, progress, cancel);
        var sums = Sums.Parse(System.Text.Encoding.UTF8.GetString(sumsBytes))
                   ?? throw new UserError($"{ReleaseCache.FileUrl(options.BaseUrl, download, SumsFile)} is not a SHA256SUMS list (lines of '<sha256> <file>'); nothing was fetched.");
        PrivateFiles.WriteAllBytes(sumsPath, sumsBytes);

        var results = new FetchedFile[wanted.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, wanted.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Parallel, CancellationToken = cancel }, async (i, ct) =>
        {
            var file = wanted[i];
            var result = Cached(folder, file, sums, progress) ?? (sums.ContainsKey(file)
                ? await Download(http, ReleaseCache.FileUrl(options.BaseUrl, download, file), Path.Combine(folder, file), file, sums[file], options, progress, ct)
                : new FetchedFile(file, FileOutcome.Missing, 0, $"not in the release's {SumsFile}"));
            results[i] = result;
            progress.Finished(result);
        });
        PrivateFiles.WriteAllBytes(Path.Combine(folder, NotOnServerFile), System.Text.Encoding.UTF8.GetBytes(
            string.Concat(results.Where(r => r.Outcome == FileOutcome.Missing && r.Reason!.StartsWith("HTTP", StringComparison.Ordinal)).Select(r => r.File + "\n"))));
        return new FetchedRelease(folder, source, results, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The file as the cache holds it, when it matches the list (or is known not to be in the release); null when it must be fetched.</summary>
    private static FetchedFile? Cached(string folder, string file, IReadOnlyDictionary<string, string> sums, IFetchProgress progress)
    {
        var path = Path.Combine(folder, file);
        if (!sums.TryGetValue(file, out var expected))
        {
            // Not published: a file left under its name from an earlier list is unverified now, so it goes.
            if (File.Exists(path)) { File.Delete(path); progress.Note($"{file}: not in {SumsFile} any more, removed from the cache"); }
            return new FetchedFile(file, FileOutcome.Missing, 0, $"not in the release's {SumsFile}");
        }
        if (!File.Exists(path)) return null;
        if (Sha256Of(path) == expected) return new FetchedFile(file, FileOutcome.Cached, new FileInfo(path).Length, null);
        File.Delete(path);
        progress.Note($"{file}: the cached copy does not match {SumsFile}; deleted, fetching it again");
        return null;
    }

    private static HttpClient Client(FetchOptions options)
    {
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,   // the bytes as published: the checksums are of those
            ConnectTimeout = options.StallTimeout,
            MaxConnectionsPerServer = options.Parallel,
        };
        // Buffered reads (the checksum list) are capped: a server cannot make the list eat the machine's memory.
        var http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = 1 << 20 };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("mimicinfra-local/1.0");
        return http;
    }

    /// <summary>A small file (the checksum list) read whole, with the same retries as the data files.</summary>
    private static async Task<byte[]> GetSmall(HttpClient http, Uri url, FetchOptions options, IFetchProgress progress, CancellationToken cancel)
    {
        string? why = null;
        for (var attempt = 1; attempt <= options.Attempts; attempt++)
        {
            if (attempt > 1) await Backoff(url.ToString(), attempt, why!, options, progress, cancel);
            try
            {
                using var stall = Stall(options, cancel);
                using var response = await http.GetAsync(url, stall.Token);
                if (response.IsSuccessStatusCode) return await response.Content.ReadAsByteArrayAsync(stall.Token);
                why = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if (!Retryable(response.StatusCode)) break;
            }
            catch (Exception e) when (Transient(e, cancel)) { why = Describe(e); }
        }
        throw new UserError($"could not fetch {url}: {why}; nothing was fetched. Check the connection (or --physionet-url), or pass --data with a folder of the release's files.");
    }

    /// <summary>One file, resumed from its `.part` file when there is one, verified before it takes its name.</summary>
    private static async Task<FetchedFile> Download(HttpClient http, Uri url, string path, string file, string expected, FetchOptions options, IFetchProgress progress, CancellationToken cancel)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        var part = path + ".part";
        string? why = null;
        for (var attempt = 1; attempt <= options.Attempts; attempt++)
        {
            if (attempt > 1) await Backoff(file, attempt, why!, options, progress, cancel);
            var have = File.Exists(part) ? new FileInfo(part).Length : 0;
            try
            {
                using var stall = Stall(options, cancel);
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (have > 0) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(have, null);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                    return new FetchedFile(file, FileOutcome.Missing, 0, $"HTTP {(int)response.StatusCode}: not on the server");
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
                {
                    // The part may already be whole (an earlier run stopped before checking it).
                    if (Sha256Of(part) == expected) return Verified(part, path, file);
                    File.Delete(part);
                    why = "the partial download did not fit the file; starting it afresh";
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    why = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                    if (Retryable(response.StatusCode)) continue;
                    return new FetchedFile(file, FileOutcome.Failed, 0, why);
                }
                // 206 continues the part; 200 (a server that ignores Range) starts it again.
                var resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
                if (response.StatusCode == HttpStatusCode.PartialContent && !resumed)
                {
                    File.Delete(part);
                    why = "the server answered another byte range than asked; starting the file afresh";
                    continue;
                }
                if (!resumed) have = 0;
                var total = response.Content.Headers.ContentLength is { } length ? length + have : (long?)null;
                progress.Started(file, total, have);
                await using (var target = new FileStream(part, PrivateFiles.Writing(resumed ? FileMode.Append : FileMode.Create)))
                await using (var body = await response.Content.ReadAsStreamAsync(stall.Token))
                {
                    var buffer = new byte[81920];
                    while (true)
                    {
                        stall.CancelAfter(options.StallTimeout);
                        var n = await body.ReadAsync(buffer, stall.Token);
                        if (n == 0) break;
                        await target.WriteAsync(buffer.AsMemory(0, n), stall.Token);
                        progress.Advanced(file, n);
                    }
                }
                if (total is { } t && new FileInfo(part).Length != t)
                {
                    why = $"the connection closed after {new FileInfo(part).Length:N0} of {t:N0} bytes";
                    continue;
                }
                var actual = Sha256Of(part);
                if (actual == expected) return Verified(part, path, file);
                File.Delete(part);
                var mismatch = $"checksum mismatch (SHA-256 {actual}, {SumsFile} says {expected}): the download was deleted";
                progress.Note($"{file}: {mismatch}");
                // A resumed part may have held stale bytes: one fresh download settles it; a fresh one that fails is final.
                if (have > 0) { why = mismatch; continue; }
                return new FetchedFile(file, FileOutcome.Failed, 0, mismatch);
            }
            catch (Exception e) when (Transient(e, cancel)) { why = Describe(e); }
        }
        return new FetchedFile(file, FileOutcome.Failed, 0, $"{why} (after {options.Attempts} attempts; the part is kept and the next run resumes it)");
    }

    private static FetchedFile Verified(string part, string path, string file)
    {
        PrivateFiles.Restrict(part);
        File.Move(part, path, overwrite: true);
        return new FetchedFile(file, FileOutcome.Downloaded, new FileInfo(path).Length, null);
    }

    private static async Task Backoff(string what, int attempt, string why, FetchOptions options, IFetchProgress progress, CancellationToken cancel)
    {
        var delay = options.FirstRetryDelay * Math.Pow(2, attempt - 2);
        progress.Note($"{what}: {why}; retry {attempt - 1} of {options.Attempts - 1} in {delay.TotalSeconds:0.#} s");
        await Task.Delay(delay, cancel);
    }

    private static CancellationTokenSource Stall(FetchOptions options, CancellationToken cancel)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(options.StallTimeout);
        return cts;
    }

    private static bool Retryable(HttpStatusCode code) =>
        (int)code >= 500 || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>Network trouble worth another attempt (the user's own cancel is not).</summary>
    private static bool Transient(Exception e, CancellationToken cancel) =>
        !cancel.IsCancellationRequested && e is HttpRequestException or IOException or OperationCanceledException;

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "no data for too long",
        HttpRequestException { InnerException: { } inner } h when !h.Message.Contains(inner.Message, StringComparison.Ordinal) => $"{h.Message} ({inner.Message})",
        _ => e.Message,
    };

    public static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>PhysioNet's SHA256SUMS.txt: one "&lt;sha256&gt; &lt;path&gt;" per line (sha256sum's "  " and "*" forms too).</summary>
    public static class Sums
    {
        public static IReadOnlyDictionary<string, string>? Parse(string text)
        {
            var sums = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.Trim().Length == 0) continue;
                var space = line.IndexOf(' ');
                if (space != 64 || !line[..64].All(Uri.IsHexDigit)) return null;
                var name = line[(space + 1)..].TrimStart(' ').TrimStart('*');
                if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
                if (name.Length == 0) return null;
                sums[name] = line[..64].ToLowerInvariant();
            }
            return sums.Count == 0 ? null : sums;
        }
    }
}
