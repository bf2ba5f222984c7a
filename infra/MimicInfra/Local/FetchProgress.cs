using System.Diagnostics;
using Spectre.Console;

namespace MimicInfra.Local;

/// <summary>Progress of a fetch: a live bar on a terminal (files, bytes, rate), plain lines in a log or a pipe.</summary>
public static class FetchProgress
{
    public static async Task<T> Show<T>(TextWriter error, bool terminal, int files, Func<IFetchProgress, Task<T>> work)
    {
        if (!terminal) return await work(new PlainLines(error, files));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error), Interactive = InteractionSupport.Yes });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx => await work(new Bars(ctx, files)));
    }

    /// <summary>One line per file when it is done, and every retry and problem as it happens.</summary>
    private sealed class PlainLines(TextWriter error, int files) : IFetchProgress
    {
        private readonly Lock _gate = new();
        private int _done;
        private long _bytes;
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Started(string file, long? total, long resumedAt)
        {
            if (resumedAt > 0) Note($"{file}: resuming at {resumedAt:N0} bytes");
        }

        public void Advanced(string file, long bytes) => Interlocked.Add(ref _bytes, bytes);

        public void Finished(FetchedFile file)
        {
            lock (_gate)
            {
                var what = file.Outcome switch
                {
                    FileOutcome.Downloaded => $"{file.Bytes:N0} bytes, verified",
                    FileOutcome.Cached => $"{file.Bytes:N0} bytes, in the cache, verified",
                    FileOutcome.Missing => $"missing: {file.Reason}",
                    _ => $"failed: {file.Reason}",
                };
                var rate = _clock.Elapsed.TotalSeconds > 0 ? Interlocked.Read(ref _bytes) / _clock.Elapsed.TotalSeconds : 0;
                error.WriteLine($"[{++_done}/{files}] {file.File}: {what}" + (file.Outcome == FileOutcome.Downloaded ? $" ({Rate(rate)})" : ""));
            }
        }

        public void Note(string line)
        {
            lock (_gate) error.WriteLine(line);
        }
    }

    /// <summary>A bar per file and one for the whole release (files done of all, bytes, rate); a retried file starts its bar again.</summary>
    private sealed class Bars(ProgressContext ctx, int files) : IFetchProgress
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ProgressTask> _tasks = new();
        private readonly Dictionary<string, (long Total, long Done)> _bytes = new();
        private readonly ProgressTask _all = ctx.AddTask($"0/{files} files", maxValue: 1);
        private int _done;

        public void Started(string file, long? total, long resumedAt)
        {
            lock (_gate)
            {
                if (!_tasks.TryGetValue(file, out var task)) _tasks[file] = task = ctx.AddTask(Markup.Escape(file), maxValue: 1);
                task.MaxValue = Math.Max(1, total ?? 1);
                task.Value = resumedAt;
                _bytes[file] = (total ?? 0, resumedAt);
                Update();
            }
        }

        public void Advanced(string file, long bytes)
        {
            lock (_gate)
            {
                if (_tasks.TryGetValue(file, out var task)) task.Increment(bytes);
                var (total, done) = _bytes.GetValueOrDefault(file);
                _bytes[file] = (total, done + bytes);
                _all.Increment(bytes);
            }
        }

        public void Finished(FetchedFile file)
        {
            lock (_gate)
            {
                _done++;
                _all.Description = $"{_done}/{files} files";
                if (file.Outcome == FileOutcome.Cached) _bytes[file.File] = (file.Bytes, file.Bytes);
                if (_tasks.TryGetValue(file.File, out var task))
                {
                    task.Description = Markup.Escape(file.Outcome switch
                    {
                        FileOutcome.Downloaded => $"{file.File} verified",
                        FileOutcome.Missing => $"{file.File} missing: {file.Reason}",
                        FileOutcome.Failed => $"{file.File} failed: {file.Reason}",
                        _ => file.File,
                    });
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
                Update();
                if (_done == files) { _all.Value = _all.MaxValue; _all.StopTask(); }
            }
        }

        /// <summary>The release's bar from the files' own: sizes as the server announced them, bytes held so far.</summary>
        private void Update()
        {
            _all.MaxValue = Math.Max(1, _bytes.Values.Sum(b => b.Total));
            _all.Value = _bytes.Values.Sum(b => b.Done);
        }

        public void Note(string line)
        {
            lock (_gate) ctx.AddTask(Markup.Escape(line), autoStart: false, maxValue: 1).StopTask();
        }
    }

    public static string Rate(double bytesPerSecond) => bytesPerSecond switch
    {
        >= 1 << 20 => $"{bytesPerSecond / (1 << 20):F1} MiB/s",
        >= 1 << 10 => $"{bytesPerSecond / (1 << 10):F0} KiB/s",
        _ => $"{bytesPerSecond:F0} B/s",
    };
}
