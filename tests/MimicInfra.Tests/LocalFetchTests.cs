using MimicInfra.Local;

namespace MimicInfra.Tests;

/// <summary>
/// `local --stack S` without --data: the open release fetched from a PhysioNet stand-in on 127.0.0.1 (the real demo
/// files from ../shared/data and PhysioNet's own checksums), verified, cached, resumed, retried; never the internet.
/// </summary>
public class LocalFetchTests(ITestOutputHelper output)
{
    private const string EdProject = "mimic-iv-ed-demo/2.2/";
    private const string DemoProject = "mimic-iv-demo/2.2/";

    private static string TempDir() => Directory.CreateTempSubdirectory("fetch-").FullName;

    private static FetchOptions Fast(FakePhysioNet server, string cache) =>
        new(server.BaseUrl, cache) { FirstRetryDelay = TimeSpan.FromMilliseconds(5), StallTimeout = TimeSpan.FromSeconds(20) };

    private static Task<FetchedRelease> Fetch(string releaseId, FetchOptions options, List<string>? notes = null)
    {
        var release = Labs.Catalog.Find(releaseId)!;
        return ReleaseFetch.FetchAsync(release, release.Modules, options, new Recorder(notes ?? []));
    }

    private sealed class Recorder(List<string> notes) : IFetchProgress
    {
        public void Started(string file, long? total, long resumedAt) { lock (notes) notes.Add($"start {file} at {resumedAt}"); }
        public void Advanced(string file, long bytes) { }
        public void Finished(FetchedFile file) { lock (notes) notes.Add($"{file.Outcome} {file.File}"); }
        public void Note(string line) { lock (notes) notes.Add(line); }
    }

    [Fact]
    public void CleanFetchBuildsTheLabPrivatelyAndTheSecondBuildNeedsNoServer()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = TempDir();
        try
        {
            var cache = Path.Combine(dir, "cache");
            var db = Path.Combine(dir, "ed.duckdb");
            string[] args = ["local", "--stack", "mimic-iv-ed-demo", "--cache", cache, "--db", db];
            using (var server = new FakePhysioNet(data, EdProject))
            {
                var (code, stdout, stderr) = Cli.Run([.. args, "--physionet-url", server.BaseUrl.ToString()]);
                output.WriteLine(stderr);
                Assert.True(code == 0, stderr);
                Assert.Contains("stack mimic-iv-ed-demo is a local lab (no cloud side)", stderr);
                Assert.Contains("[7/7]", stderr);                       // plain progress lines off a terminal
                Assert.Contains("7 files verified against SHA256SUMS.txt (7 downloaded", stderr);
                Assert.Contains("built 6 tables, 5,873 rows", stdout);
                Assert.Equal(7, server.Log.Count(l => l.Status == 200 && l.File != "SHA256SUMS.txt"));
            }
            // Every file the fetch and the build made is the user's alone.
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(cache));
                var release = Path.Combine(cache, "mimic-iv-ed-demo-2.2");
                Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(Path.Combine(release, "ed")));
                foreach (var f in Directory.GetFiles(release, "*", SearchOption.AllDirectories))
                    Assert.True(File.GetUnixFileMode(f) == PrivateFiles.FileMode, $"{f}: {File.GetUnixFileMode(f)}");
                Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(db));
            }
            Assert.Empty(Directory.GetFiles(cache, "*.part", SearchOption.AllDirectories));

            // The server is gone: the second build comes from the cache, every file checked again.
            File.Delete(db);
            var (code2, stdout2, stderr2) = Cli.Run([.. args, "--physionet-url", "http://127.0.0.1:9/files/"]);
            Assert.True(code2 == 0, stderr2);
            var bytes = ReleaseFetch.FilesOf(Labs.Catalog.Find("mimic-iv-ed-demo-2.2")!, Labs.Catalog.Find("mimic-iv-ed-demo-2.2")!.Modules).Sum(f => new FileInfo(Path.Combine(data, f)).Length);
            Assert.Contains($"7 files ({bytes:N0} bytes) from the cache, each matching SHA256SUMS.txt; no network needed", stderr2);
            Assert.Contains("built 6 tables, 5,873 rows", stdout2);
            var (code3, stdout3, _) = Cli.Run(["query", "--db", db, "SELECT count(*) AS n FROM edstays"]);
            Assert.Equal(0, code3);
            Assert.Contains("222", stdout3);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheMimicIvDemoIsFetchedThroughTheEnvironmentAndItsMissingTableIsNamed()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var dir = TempDir();
        try
        {
            // PhysioNet's full list names icu/chartevents.csv.gz, which our copy (and so this server) lacks: a 404.
            var env = new Dictionary<string, string> { [ReleaseCache.CacheVariable] = Path.Combine(dir, "cache") };
            var db = Path.Combine(dir, "demo.duckdb");
            using (var server = new FakePhysioNet(data, DemoProject, File.ReadAllText(Path.Combine(data, "SHA256SUMS.txt"))))
            {
                env[ReleaseCache.UrlVariable] = server.BaseUrl.ToString();
                var (code, _, stderr) = Cli.Run(["local", "--stack", "demo", "--db", db], k => env.GetValueOrDefault(k));
                Assert.Equal(2, code);
                Assert.Contains("1 file(s) of the lab are not published at", stderr);
                Assert.Contains("icu/chartevents.csv.gz: HTTP 404: not on the server", stderr);
                Assert.Contains("Pass --skip-missing to build without them.", stderr);
                Assert.False(File.Exists(db));

                // Built without it: the cache records the 404, so the file is not asked for again (nor retried within a run).
                var (code2, stdout2, stderr2) = Cli.Run(["local", "--stack", "demo", "--db", db, "--skip-missing"], k => env.GetValueOrDefault(k));
                Assert.True(code2 == 0, stderr2);
                Assert.Contains("missing, not built: icu/chartevents.csv.gz", stdout2);
                Assert.Contains("built 30 tables", stdout2);
                Assert.Equal(1, server.RequestsFor("icu/chartevents.csv.gz"));
            }
            // The server is gone: with --skip-missing the cache's record of the 404 is enough, no network needed.
            File.Delete(db);
            var (code3, stdout3, stderr3) = Cli.Run(["local", "--stack", "demo", "--db", db, "--skip-missing"], k => env.GetValueOrDefault(k));
            Assert.True(code3 == 0, stderr3);
            Assert.Contains("31 files (", stderr3);
            Assert.Contains("no network needed", stderr3);
            Assert.Contains("built 30 tables", stdout3);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task AnInterruptedDownloadResumesWhereItStopped()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = TempDir();
        try
        {
            using var server = new FakePhysioNet(data, EdProject);
            // The connection drops after 4,000 bytes of medrecon; an earlier run left the first 1,000 bytes of pyxis.
            server.Behaviour = (file, n) => file == "ed/medrecon.csv.gz" && n == 1 ? new Reply.CutReply(4000) : Reply.Serve;
            var cache = Path.Combine(dir, "cache");
            var folder = PrivateFiles.CreateFolder(Path.Combine(cache, "mimic-iv-ed-demo-2.2", "ed"));
            File.WriteAllBytes(Path.Combine(folder, "pyxis.csv.gz.part"), File.ReadAllBytes(Path.Combine(data, "ed", "pyxis.csv.gz"))[..1000]);

            var notes = new List<string>();
            var fetched = await Fetch("mimic-iv-ed-demo-2.2", Fast(server, cache), notes);
            foreach (var n in notes) output.WriteLine(n);
            Assert.All(fetched.Files, f => Assert.Equal(FileOutcome.Downloaded, f.Outcome));
            var medrecon = server.Log.Where(l => l.File == "ed/medrecon.csv.gz").ToList();
            Assert.Equal([(null, -1), ("bytes=4000-", 206)], medrecon.Select(l => (l.Range, l.Status)));
            Assert.Equal([("bytes=1000-", 206)], server.Log.Where(l => l.File == "ed/pyxis.csv.gz").Select(l => (l.Range, l.Status)));
            Assert.Contains("start ed/pyxis.csv.gz at 1000", notes);
            foreach (var f in new[] { "ed/medrecon.csv.gz", "ed/pyxis.csv.gz" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(data, f)), File.ReadAllBytes(Path.Combine(fetched.Folder, f)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task ACorruptedFileIsDeletedAndNamedAndNothingIsBuilt()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = TempDir();
        try
        {
            using var server = new FakePhysioNet(data, EdProject) { Behaviour = (file, _) => file == "ed/triage.csv.gz" ? new Reply.CorruptReply() : Reply.Serve };
            var cache = Path.Combine(dir, "cache");
            var fetched = await Fetch("mimic-iv-ed-demo-2.2", Fast(server, cache));
            var triage = Assert.Single(fetched.Failed);
            Assert.Equal("ed/triage.csv.gz", triage.File);
            Assert.StartsWith("checksum mismatch (SHA-256 ", triage.Reason);
            Assert.EndsWith("SHA256SUMS.txt says 086dadcb49adc5f24bdda0e342ec9cf0fbcb2e9595516c5c101d408434e1e09b): the download was deleted", triage.Reason);
            Assert.False(File.Exists(Path.Combine(fetched.Folder, "ed", "triage.csv.gz")));
            Assert.False(File.Exists(Path.Combine(fetched.Folder, "ed", "triage.csv.gz.part")));

            // Through the command: exit 2, the file named, no lab written.
            var db = Path.Combine(dir, "ed.duckdb");
            var (code, _, stderr) = Cli.Run(["local", "--stack", "mimic-iv-ed-demo", "--cache", cache, "--physionet-url", server.BaseUrl.ToString(), "--db", db]);
            Assert.Equal(2, code);
            Assert.Contains("1 file(s) of mimic-iv-ed-demo-2.2 could not be fetched", stderr);
            Assert.Contains("ed/triage.csv.gz: checksum mismatch", stderr);
            Assert.Contains("nothing was built", stderr);
            Assert.False(File.Exists(db));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task ServerErrorsAreRetriedWithBackoffAndGiveUpClearly()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = TempDir();
        try
        {
            using var server = new FakePhysioNet(data, EdProject)
            {
                Behaviour = (file, n) => file switch
                {
                    "ed/vitalsign.csv.gz" when n <= 2 => new Reply.StatusReply(503),
                    "ed/diagnosis.csv.gz" => new Reply.StatusReply(500),
                    _ => Reply.Serve,
                },
            };
            var notes = new List<string>();
            var fetched = await Fetch("mimic-iv-ed-demo-2.2", Fast(server, Path.Combine(dir, "cache")) with { Attempts = 3 }, notes);
            Assert.Equal(3, server.RequestsFor("ed/vitalsign.csv.gz"));
            Assert.Equal(FileOutcome.Downloaded, fetched.Files.Single(f => f.File == "ed/vitalsign.csv.gz").Outcome);
            Assert.Contains("ed/vitalsign.csv.gz: HTTP 503 Service Unavailable; retry 1 of 2 in 0 s", notes);
            Assert.Equal(3, server.RequestsFor("ed/diagnosis.csv.gz"));
            var failed = Assert.Single(fetched.Failed);
            Assert.Equal(("ed/diagnosis.csv.gz", "HTTP 500 Internal Server Error (after 3 attempts; the part is kept and the next run resumes it)"), (failed.File, failed.Reason));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ACredentialedReleaseIsNeverFetchedAndTheCommandSaysHowToGetIt()
    {
        var dir = TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "Pulumi.cred.yaml"), StackSettingsTests.Demo.Replace("mimic-iv-demo-2.2", "mimic-iv-3.1") + "  mimic-infra:modules: [hosp, icu, ed]\n");
            var cache = Path.Combine(dir, "cache");
            var (code, stdout, stderr) = Cli.Run(["local", "--stack", "cred", "--stacks-dir", dir, "--cache", cache]);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("MIMIC-IV 3.1 (mimic-iv-3.1) is credentialed", stderr);
            Assert.Contains("wget -r -N -c -np --user YOUR_PHYSIONET_USERNAME --ask-password https://physionet.org/files/mimiciv/3.1/   # hosp, icu", stderr);
            Assert.Contains("wget -r -N -c -np --user YOUR_PHYSIONET_USERNAME --ask-password https://physionet.org/files/mimic-iv-ed/2.2/   # ed", stderr);
            Assert.Contains("local --stack cred --data physionet.org/files/mimiciv/3.1", stderr);
            Assert.DoesNotContain("--password ", stderr);
            Assert.False(Directory.Exists(cache));   // not a byte fetched
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CacheAndUrlFollowThePlatformAndRefuseCleartextOffTheLoopback()
    {
        var env = new Dictionary<string, string> { ["HOME"] = "/home/r", ["XDG_CACHE_HOME"] = "/x/cache" };
        string? Env(string k) => env.GetValueOrDefault(k);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal("/x/cache/mimicinfra", ReleaseCache.Root(null, Env));
            env["XDG_CACHE_HOME"] = "relative";   // invalid per the XDG spec: ignored
            Assert.Equal("/home/r/.cache/mimicinfra", ReleaseCache.Root(null, Env));
        }
        env[ReleaseCache.CacheVariable] = "/y";
        Assert.Equal(Path.GetFullPath("/y"), ReleaseCache.Root(null, Env));
        Assert.Equal(Path.GetFullPath("/z"), ReleaseCache.Root("/z", Env));

        Assert.Equal("https://physionet.org/files/", ReleaseCache.BaseUrl(null, Env).ToString());
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => ReleaseCache.BaseUrl("http://mirror.example.org/files/", Env));
        Assert.Contains("plain http is allowed only on the loopback address", e.Message);
        Assert.Contains("must be an https:// URL ending in '/'", Assert.Throws<MimicInfra.Cli.UserError>(() => ReleaseCache.BaseUrl("https://mirror.example.org/files", Env)).Message);
        var release = Labs.Catalog.Find("mimic-iv-demo-2.2")!;
        Assert.Equal("https://physionet.org/files/mimic-iv-demo/2.2/hosp/admissions.csv.gz",
            ReleaseCache.FileUrl(ReleaseCache.BaseUrl(null, Env), release.Download!, "hosp/admissions.csv.gz").ToString());
    }

    [Fact]
    public void EveryOpenReleaseSaysWhereToFetchItAndEveryFileItNeedsIsInItsPublishedChecksums()
    {
        foreach (var release in Labs.Catalog.Releases.Where(r => r.Access == MimicInfra.Catalog.Access.Open))
        {
            Assert.NotNull(release.Download);
            Assert.Matches("^https://physionet.org/files/[a-z0-9-]+/[0-9.]+/$", release.Download!.Url);
            var folder = Path.Combine(Shared.Root, "data", release.Id);
            if (!Directory.Exists(folder)) continue;
            var sums = ReleaseFetch.Sums.Parse(File.ReadAllText(Path.Combine(folder, "SHA256SUMS.txt")))!;
            Assert.All(ReleaseFetch.FilesOf(release, release.Modules), f => Assert.True(sums.ContainsKey(f), $"{release.Id}: {f} is not in PhysioNet's SHA256SUMS.txt"));
        }
    }

    /// <summary>The README quick start's local-lab lines, run as written (the fetch pointed at the stand-in through the environment).</summary>
    [Fact]
    public void TheQuickStartsLocalLabLinesRunAsTheReadmeShowsThem()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-demo-2.2"));
        var readme = File.ReadAllText(Path.Combine(Shared.RepoRoot, "README.md"));
        var quickStart = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        quickStart = quickStart[..quickStart.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        var lines = quickStart.Split('\n').Select(l => l.Split(" #")[0].Trim())
            .Where(l => l.StartsWith("dotnet run --project infra/MimicInfra -- local ", StringComparison.Ordinal) ||
                        l.StartsWith("dotnet run --project infra/MimicInfra -- query ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["dotnet run --project infra/MimicInfra -- local --stack demo", "dotnet run --project infra/MimicInfra -- query --stack demo --examples"], lines);

        // Our copy of the demo lacks icu/chartevents.csv.gz; the stand-in serves it with its header only, listed with its own hash.
        var chartevents = Labs.Catalog.Find("mimic-iv-demo-2.2")!.FindModule("icu")!.FindTable("chartevents")!;
        using var server = new FakePhysioNet(data, DemoProject, standIns: new Dictionary<string, byte[]> { ["icu/chartevents.csv.gz"] = FakePhysioNet.HeaderOnly(chartevents) });
        // A fresh checkout's working directory: Pulumi.yaml and the demo stack.
        var dir = TempDir();
        File.Copy(Path.Combine(Shared.RepoRoot, "Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
        Directory.CreateDirectory(Path.Combine(dir, "stacks"));
        File.Copy(Path.Combine(Shared.RepoRoot, "stacks", "Pulumi.demo.yaml"), Path.Combine(dir, "stacks", "Pulumi.demo.yaml"));
        var env = new Dictionary<string, string> { [ReleaseCache.CacheVariable] = Path.Combine(dir, "cache"), [ReleaseCache.UrlVariable] = server.BaseUrl.ToString() };
        try
        {
            var (code, stdout, stderr) = Cli.RunIn(dir, lines[0].Split(' ')[5..], k => env.GetValueOrDefault(k));
            Assert.True(code == 0, stderr);
            Assert.Contains("32 files verified against SHA256SUMS.txt (32 downloaded", stderr);
            Assert.Contains("built 31 tables", stdout);
            Assert.True(File.Exists(Path.Combine(dir, "mimic-demo.duckdb")));
            (code, stdout, stderr) = Cli.RunIn(dir, lines[1].Split(' ')[5..], k => env.GetValueOrDefault(k));
            Assert.True(code == 0, stderr);
            Assert.Contains("-- Admissions per year", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task TheTerminalProgressFollowsRetriesResumesAndTheCache()
    {
        var data = Shared.Require(Path.Combine("data", "mimic-iv-ed-demo-2.2"));
        var dir = TempDir();
        try
        {
            using var server = new FakePhysioNet(data, EdProject)
            {
                Behaviour = (file, n) => (file, n) switch
                {
                    ("ed/triage.csv.gz", 1) => new Reply.StatusReply(503),
                    ("ed/medrecon.csv.gz", 1) => new Reply.CutReply(3000),
                    _ => Reply.Serve,
                },
            };
            var release = Labs.Catalog.Find("mimic-iv-ed-demo-2.2")!;
            var options = Fast(server, Path.Combine(dir, "cache"));
            foreach (var round in new[] { "downloaded", "cached" })
            {
                var screen = new StringWriter();
                var fetched = await FetchProgress.Show(screen, terminal: true, 7, p => ReleaseFetch.FetchAsync(release, release.Modules, options, p));
                Assert.All(fetched.Files, f => Assert.Equal(round == "downloaded" ? FileOutcome.Downloaded : FileOutcome.Cached, f.Outcome));
                Assert.Contains("7/7 files", screen.ToString());
                if (round == "downloaded") Assert.Contains("ed/triage.csv.gz: HTTP 503 Service Unavailable; retry 1 of 4", screen.ToString());
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
