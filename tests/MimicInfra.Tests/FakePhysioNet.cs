using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MimicInfra.Tests;

/// <summary>What the test server does with one request for a file: serve it, or misbehave.</summary>
internal abstract record Reply
{
    public static readonly Reply Serve = new ServeReply();
    public sealed record ServeReply : Reply;
    public sealed record StatusReply(int Code) : Reply;
    /// <summary>Promise the whole body, send this many bytes, then drop the connection.</summary>
    public sealed record CutReply(int Bytes) : Reply;
    /// <summary>Serve the file with one byte changed.</summary>
    public sealed record CorruptReply : Reply;
}

/// <summary>
/// PhysioNet's files folder on the loopback address, inside the test: serves a release folder (../shared/data/...)
/// under /files/&lt;project&gt;/&lt;version&gt;/ with a SHA256SUMS.txt, honours Range like PhysioNet's server, logs every
/// request, and misbehaves per file and attempt as the test says. Nothing here reaches the internet.
/// </summary>
internal sealed class FakePhysioNet : IDisposable
{
    private readonly HttpListener _listener;
    private readonly string _root;
    private readonly string _project;
    private readonly string _sums;
    private readonly IReadOnlyDictionary<string, byte[]> _standIns;
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly Task _loop;

    public ConcurrentQueue<(string File, string? Range, int Status)> Log { get; } = new();

    /// <summary>The reply to the n-th request (from 1) for a file; default: serve it.</summary>
    public Func<string, int, Reply> Behaviour { get; set; } = (_, _) => Reply.Serve;

    public Uri BaseUrl { get; }

    /// <param name="sums">The SHA256SUMS.txt to serve (default: the folder's own, without the files it lacks).</param>
    /// <param name="standIns">Files to serve although the folder lacks them (listed in the served SHA256SUMS.txt with their own hashes).</param>
    public FakePhysioNet(string root, string project, string? sums = null, IReadOnlyDictionary<string, byte[]>? standIns = null)
    {
        (_root, _project, _standIns) = (root, project, standIns ?? new Dictionary<string, byte[]>());
        _sums = (sums ?? PresentSums(root)) + string.Concat(_standIns.Select(kv =>
            $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(kv.Value))} {kv.Key}\n"));
        // A free port can be taken by another test between the probe and the bind: try another, a few times.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { listener.Start(); }
            catch (HttpListenerException) when (attempt < 5) { try { listener.Close(); } catch (HttpListenerException) { } continue; }
            (_listener, BaseUrl) = (listener, new Uri($"http://127.0.0.1:{port}/files/"));
            break;
        }
        _loop = Task.Run(Loop);
    }

    /// <summary>The folder's SHA256SUMS.txt lines for the files it holds (PhysioNet's own hashes).</summary>
    public static string PresentSums(string root) => string.Join("\n", File.ReadAllLines(Path.Combine(root, "SHA256SUMS.txt"))
        .Where(l => l.Length > 65 && File.Exists(Path.Combine(root, l[65..])))) + "\n";

    /// <summary>A gzip CSV file holding only the header of a catalog table: a stand-in for a file our copy of a demo lacks.</summary>
    public static byte[] HeaderOnly(MimicInfra.Catalog.Table table)
    {
        using var bytes = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(bytes, System.IO.Compression.CompressionLevel.Optimal))
            gz.Write(System.Text.Encoding.UTF8.GetBytes(string.Join(",", table.Columns.Select(c => c.Name)) + "\n"));
        return bytes.ToArray();
    }

    public int RequestsFor(string file) => _requests.GetValueOrDefault(file);

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        var response = ctx.Response;
        try
        {
            var prefix = $"/files/{_project}";
            var path = Uri.UnescapeDataString(ctx.Request.Url!.AbsolutePath);
            var file = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : "";
            var range = ctx.Request.Headers["Range"];
            if (file == "SHA256SUMS.txt") { Send(response, 200, System.Text.Encoding.UTF8.GetBytes(_sums), file, range); return; }
            var n = _requests.AddOrUpdate(file, 1, (_, c) => c + 1);
            var local = Path.Combine(_root, file);
            var reply = Behaviour(file, n);
            if (reply is Reply.StatusReply s) { Send(response, s.Code, [], file, range); return; }
            var standIn = _standIns.GetValueOrDefault(file);
            if (standIn is null && (file.Length == 0 || file.Contains("..") || !File.Exists(local))) { Send(response, 404, [], file, range); return; }
            var bytes = standIn is null ? File.ReadAllBytes(local) : (byte[])standIn.Clone();
            if (reply is Reply.CorruptReply) bytes[bytes.Length / 2] ^= 0xFF;
            long from = 0;
            if (range is { } r && r.StartsWith("bytes=", StringComparison.Ordinal) && r.EndsWith('-') && long.TryParse(r[6..^1], out var start))
            {
                if (start >= bytes.Length) { response.AddHeader("Content-Range", $"bytes */{bytes.Length}"); Send(response, 416, [], file, range); return; }
                from = start;
                response.AddHeader("Content-Range", $"bytes {start}-{bytes.Length - 1}/{bytes.Length}");
            }
            var body = bytes[(int)from..];
            if (reply is Reply.CutReply cut)
            {
                Log.Enqueue((file, range, -1));
                response.StatusCode = from > 0 ? 206 : 200;
                response.ContentLength64 = body.Length;
                response.OutputStream.Write(body, 0, Math.Min(cut.Bytes, body.Length));
                response.OutputStream.Flush();
                response.Abort();
                return;
            }
            Send(response, from > 0 ? 206 : 200, body, file, range);
        }
        catch (Exception) { try { response.Abort(); } catch (Exception) { } }
    }

    private void Send(HttpListenerResponse response, int status, byte[] body, string file, string? range)
    {
        Log.Enqueue((file, range, status));
        response.StatusCode = status;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        // Stop frees the port, and another test may bind it at once; Close then removes the prefix through a lookup
        // that binds the port again and fails. The listener is stopped either way, so that failure is harmless.
        try { _listener.Close(); } catch (HttpListenerException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
