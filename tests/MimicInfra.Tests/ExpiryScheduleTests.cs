using System.Text.Json;

namespace MimicInfra.Tests;

/// <summary>
/// Every schedule the lab emits fires once, at 00:00 UTC on `expires`, computed from the emitted expressions by an evaluator
/// of EventBridge Scheduler's `at()` and of unix-cron (Cloud Scheduler's format), for expiries a week, a year and two years
/// out, on 29 February and on 31 December.
/// </summary>
public class ExpiryScheduleTests
{
    private static readonly DateOnly Today = MimicInfra.Fleet.ExpiryDates.Today();

    private static DateOnly Next(int month, int day)
    {
        for (var year = Today.Year; ; year++)
            if (DateTime.DaysInMonth(year, month) >= day && new DateOnly(year, month, day) > Today) return new DateOnly(year, month, day);
    }

    public static TheoryData<string, string> Expiries => new()
    {
        { "next week", Today.AddDays(7).ToString("yyyy-MM-dd") },
        { "next year", Today.AddYears(1).ToString("yyyy-MM-dd") },
        { "two years out", Today.AddYears(2).ToString("yyyy-MM-dd") },
        { "three years and a day out", Today.AddYears(3).AddDays(1).ToString("yyyy-MM-dd") },
        { "29 February", Next(2, 29).ToString("yyyy-MM-dd") },
        { "29 February after next", Next(2, 29).AddYears(4).ToString("yyyy-MM-dd") },
        { "31 December", Next(12, 31).ToString("yyyy-MM-dd") },
        { "31 December next year", Next(12, 31).AddYears(1).ToString("yyyy-MM-dd") },
    };

    private static DateTime Midnight(string expires) => DateOnly.ParseExact(expires, "yyyy-MM-dd").ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Expiries))]
    public void EveryAwsScheduleFiresOnceAtExpiry(string what, string expires)
    {
        var p = new ParsedProgram(Labs.Compile(Labs.Csv31(("expires", expires))));
        var schedules = p.OfType("aws:scheduler/schedule:Schedule");
        Assert.Equal(3, schedules.Count);
        foreach (var (name, props) in schedules)
        {
            var firings = ScheduleEvaluator.Firings((string)props["scheduleExpression"], (string)props["scheduleExpressionTimezone"],
                Today.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Midnight(expires).AddYears(10));
            Assert.True(firings.Count == 1 && firings[0] == Midnight(expires), $"{what}: {name} fires at {string.Join(", ", firings.Select(f => f.ToString("u")))}");
        }
    }

    [Theory]
    [MemberData(nameof(Expiries))]
    public void TheGcpStopActsOnceAtExpiryThoughItsCronFiresEveryYear(string what, string expires)
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, ("expires", expires)])));
        var job = p.Single("gcp:cloudscheduler/job:Job");
        var source = (string)p.Single("gcp:workflows/workflow:Workflow")["sourceContents"];
        var firings = ScheduleEvaluator.Firings((string)job["schedule"], (string)job["timeZone"],
            Today.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), Midnight(expires).AddYears(10));
        // What the workflow does on each firing, read from its emitted guard (sys.now() in Unix seconds).
        var guard = System.Text.RegularExpressions.Regex.Match(source, @"condition: \$\$\{sys\.now\(\) < (\d+) or sys\.now\(\) >= (\d+)\}");
        Assert.True(guard.Success, source);
        var (from, to) = (long.Parse(guard.Groups[1].Value), long.Parse(guard.Groups[2].Value));
        bool Acts(DateTime t) => new DateTimeOffset(t).ToUnixTimeSeconds() is var s && s >= from && s < to;
        Assert.Contains(Midnight(expires), firings);
        var acting = firings.Where(Acts).ToList();
        Assert.True(acting.Count == 1 && acting[0] == Midnight(expires),
            $"{what}: the cron fires at {string.Join(", ", firings.Select(f => f.ToString("u")))}; the workflow acts at {string.Join(", ", acting.Select(f => f.ToString("u")))}");
        // Cron has no year: where the day comes round before `expires` (any expiry more than a year ahead), the cron fires
        // there too, and each such firing is a no-op.
        var e = DateOnly.ParseExact(expires, "yyyy-MM-dd");
        var earlier = Enumerable.Range(Today.Year, e.Year - Today.Year).Where(y => DateTime.DaysInMonth(y, e.Month) >= e.Day)
            .Select(y => new DateOnly(y, e.Month, e.Day)).Where(d => d >= Today).ToList();
        Assert.Equal(earlier.Select(d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), firings.Where(f => f < Midnight(expires)));
        Assert.DoesNotContain(firings, f => f < Midnight(expires) && Acts(f));
        // A firing a few seconds early, or retried minutes late, still acts.
        Assert.True(Acts(Midnight(expires).AddSeconds(-30)) && Acts(Midnight(expires).AddMinutes(30)));
    }

    /// <summary>The notebook's stop reads its status first: only InService is stopped, a starting one is waited out, the rest is success.</summary>
    [Theory]
    [InlineData("InService", "Stop")]
    [InlineData("Pending", "Wait")]
    [InlineData("Updating", "Wait")]
    [InlineData("Stopped", "NotRunning")]
    [InlineData("Stopping", "NotRunning")]
    [InlineData("Failed", "NotRunning")]
    [InlineData("Deleting", "NotRunning")]
    public void AnAlreadyStoppedNotebookEndsTheStopInSuccess(string status, string next)
    {
        var p = new ParsedProgram(Labs.Compile(Labs.Csv31()));
        var definition = JsonSerializer.SerializeToElement(p.Named("expiryNotebookStop")["definition"].Map()["fn::toJSON"]);
        var states = definition.GetProperty("States");
        var choice = states.GetProperty("ByStatus");
        string? Matches(JsonElement rule) => rule.TryGetProperty("Or", out var any)
            ? any.EnumerateArray().Any(r => Matches(r) is not null) ? "match" : null
            : rule.GetProperty("Variable").GetString() == "$.Notebook.Status" && rule.GetProperty("StringEquals").GetString() == status ? "match" : null;
        var chosen = choice.GetProperty("Choices").EnumerateArray().FirstOrDefault(r => Matches(r) is not null) is { ValueKind: JsonValueKind.Object } hit
            ? hit.GetProperty("Next").GetString() : choice.GetProperty("Default").GetString();
        Assert.Equal(next, chosen);
        if (next == "NotRunning") Assert.Equal("Succeed", states.GetProperty("NotRunning").GetProperty("Type").GetString());
        Assert.Equal("arn:aws:states:::aws-sdk:sagemaker:stopNotebookInstance", states.GetProperty("Stop").GetProperty("Resource").GetString());
        Assert.Equal("Describe", states.GetProperty("Stop").GetProperty("Catch")[0].GetProperty("Next").GetString());
    }

    [Fact]
    public void TheGcpWorkflowStopsOnlyARunningInstanceAndSucceedsOnAStoppedOne()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench])));
        var source = (string)p.Single("gcp:workflows/workflow:Workflow")["sourceContents"];
        var steps = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(source.Replace("$$", "$"))
            .At("main", "steps").List().Select(s => s.Map().Single()).ToDictionary(kv => (string)kv.Key, kv => kv.Value);
        var byState = steps["byState"].At("switch").List().Select(c => c.Map()).ToList();
        Assert.Equal("${instance.body.state == \"ACTIVE\"}", byState[0]["condition"]);
        Assert.Equal("stop", byState[0]["next"]);
        Assert.Equal("true", byState[^1]["condition"]);
        Assert.StartsWith("${\"nothing to stop", (string)byState[^1]["return"]);
        Assert.Equal("${sys.now() < ", ((string)steps["notTheDay"].At("switch", 0, "condition")!)[..14]);
        Assert.EndsWith(":stop", (string)steps["stop"].At("args", "url")!);
    }
}
