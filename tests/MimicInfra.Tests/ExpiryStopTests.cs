using System.Text.Json;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The lab stops itself at 00:00 UTC on `expires`, and comes back when `expires` moves.</summary>
public class ExpiryStopTests
{
    private static ParsedProgram Program(string expires = "2027-06-30", params (string, string)[] extra) =>
        new(Labs.Compile(Labs.Config("exp", [("researcher", "jdoe"), ("study", "sepsis"), ("expires", expires), ("release", "mimic-iv-demo-2.2"), .. extra])));

    private static JsonElement Json(object? fnToJson) => JsonSerializer.SerializeToElement(fnToJson.Map()["fn::toJSON"]);

    [Fact]
    public void TwoOneTimeSchedulesStopTheWorkgroupAndTheNotebookAtMidnightUtc()
    {
        var p = Program();
        var schedules = p.OfType("aws:scheduler/schedule:Schedule").ToDictionary(s => s.Name, s => s.Props);
        Assert.Equal(["expiryStopWorkgroup", "expiryStopImportWorkgroup", "expiryStopNotebook"], schedules.Keys);
        foreach (var s in schedules.Values)
        {
            Assert.Equal("at(2027-06-30T00:00:00)", s["scheduleExpression"]);
            Assert.Equal("UTC", s["scheduleExpressionTimezone"]);
            Assert.Equal("OFF", s["flexibleTimeWindow"].At("mode"));
            Assert.Equal("NONE", s["actionAfterCompletion"]);
            Assert.Equal("${expiryRole.arn}", s["target"].At("roleArn"));
        }
        var wg = schedules["expiryStopWorkgroup"]["target"].Map();
        Assert.Equal("arn:${awsPartition.partition}:scheduler:::aws-sdk:athena:updateWorkGroup", wg["arn"]);
        var input = Json(wg["input"]);
        Assert.Equal("${workgroup.name}", input.GetProperty("WorkGroup").GetString());
        Assert.Equal("DISABLED", input.GetProperty("State").GetString());
        var nb = schedules["expiryStopNotebook"]["target"].Map();
        Assert.Equal("${expiryNotebookStop.arn}", nb["arn"]);   // the state machine that tolerates a stopped notebook
        Assert.Equal("${notebook.name}", Json(nb["input"]).GetProperty("NotebookInstanceName").GetString());
        Assert.Equal("2027-06-30T00:00:00Z", p.Outputs["expiryStopsAt"]);
    }

    [Fact]
    public void TheScheduleRoleIsForSchedulerOnlyAndMayDoExactlyTheTwoStops()
    {
        var p = Program();
        var trust = Json(p.Resources.Single(r => r.Name == "expiryRole").Props["assumeRolePolicy"]).GetProperty("Statement")[0];
        Assert.Equal("scheduler.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("${awsAccount.accountId}", trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount").GetString());
        var statements = Json(p.Resources.Single(r => r.Name == "expiryRolePolicy").Props["policy"]).GetProperty("Statement").EnumerateArray().ToList();
        Assert.Equal(["athena:UpdateWorkGroup", "states:StartExecution"], statements.Select(s => s.GetProperty("Action").GetString()));
        Assert.Equal(["${workgroup.arn}", "${importWorkgroup.arn}"], statements[0].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("${expiryNotebookStop.arn}", statements[1].GetProperty("Resource").GetString());
        // The state machine's own role: describe and stop the lab's notebook, nothing else.
        var machine = Json(p.Resources.Single(r => r.Name == "expiryNotebookStopRolePolicy").Props["policy"]).GetProperty("Statement")[0];
        Assert.Equal(["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"], machine.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Matches(@"^arn:\$\{awsPartition\.partition\}:sagemaker:us-east-1:\$\{awsAccount\.accountId\}:notebook-instance/mimic-jdoe-sepsis-[0-9a-f]{8}$", machine.GetProperty("Resource").GetString());
        Assert.Equal("states.amazonaws.com", Json(p.Resources.Single(r => r.Name == "expiryNotebookStopRole").Props["assumeRolePolicy"]).GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
    }

    [Fact]
    public void WithoutANotebookOnlyTheWorkgroupIsStopped()
    {
        var p = Program(extra: ("notebook", "false"));
        Assert.Equal(["expiryStopWorkgroup", "expiryStopImportWorkgroup"], p.OfType("aws:scheduler/schedule:Schedule").Select(s => s.Name));
        var statements = Json(p.Resources.Single(r => r.Name == "expiryRolePolicy").Props["policy"]).GetProperty("Statement").EnumerateArray();
        Assert.Equal(["athena:UpdateWorkGroup"], statements.Select(s => s.GetProperty("Action").GetString()));
    }

    /// <summary>
    /// Pulumi diffs the program against its last saved inputs (no refresh), so the stop made by the schedule
    /// is invisible to it. Extending `expires` changes the workgroup's description, which is marked
    /// replaceOnChanges: Pulumi replaces the workgroup (deleting first, as its name is fixed) and the new one
    /// is created ENABLED. The schedules move to the new date in place.
    /// </summary>
    [Fact]
    public void ExtendingExpiresReplacesTheWorkgroupSoItComesBackEnabledWithoutARefresh()
    {
        var before = Program("2027-06-30").Resources.ToDictionary(r => r.Name);
        var after = Program("2027-12-31").Resources.ToDictionary(r => r.Name);
        var (old, now) = (before["workgroup"], after["workgroup"]);
        Assert.Equal("ENABLED", now.Props["state"]);
        Assert.NotEqual(old.Props["description"], now.Props["description"]);
        Assert.EndsWith("(lab expires 2027-12-31)", (string)now.Props["description"]);
        Assert.Equal(["description"], now.Options!["replaceOnChanges"].List());
        Assert.Equal(["description"], after["importWorkgroup"].Options!["replaceOnChanges"].List());
        Assert.Equal("true", now.Options["deleteBeforeReplace"]);
        Assert.Equal(old.Props["name"], now.Props["name"]);   // same name: results and links keep working
        Assert.Equal("at(2027-12-31T00:00:00)", after["expiryStopWorkgroup"].Props["scheduleExpression"]);
        Assert.Equal(before["expiryStopWorkgroup"].Props["name"], after["expiryStopWorkgroup"].Props["name"]);   // moved in place
        // Nothing else the researcher keeps changes with the date: the buckets and the data stay.
        foreach (var name in before.Keys.Where(k => k.Contains("Bucket") && !k.Contains("Policy")))
            Assert.Equal(before[name].Props.GetValueOrDefault("bucketPrefix"), after[name].Props.GetValueOrDefault("bucketPrefix"));
    }

    [Fact]
    public void SchedulesConformToTheProviderSchema()
    {
        var report = new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Labs.Config("exp", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2")])));
        Assert.Empty(report.Problems);
        Assert.Equal(3, report.ResourcesByType["aws:scheduler/schedule:Schedule"]);
        Assert.Equal(1, report.ResourcesByType["aws:sfn/stateMachine:StateMachine"]);
    }
}

public class FleetPreviewTests
{
    [Fact]
    public void PreviewShowsTheAccountBindingProviderKeysExpiryStopAndCostGuards()
    {
        var lab = LabSettingsReader.Read(Labs.Config("pv", [.. Labs.Basics, ("release", "mimic-iv-3.1"), ("modules", "[\"hosp\"]"),
            ("sourceUri", "s3://my-mimic-copy/mimiciv/3.1/"), ("awsAccountId", "012345678901"), ("aws:profile", "lab-jdoe"), .. Gcp.Settings]), Labs.Catalog);
        var text = MimicInfra.Cli.LabPreview.Summary(lab, LabCompiler.Compile(lab));
        Assert.Contains("  account     012345678901 only: the provider refuses other credentials before any change", text);
        Assert.Contains("  provider    from the stack, by reference: aws:profile", text);
        Assert.Contains("  expiry      stops itself at 2027-06-30T00:00:00Z (EventBridge Scheduler): workgroup disabled, notebook stopped if it is running", text);
        Assert.Contains("  cost guard  BigQuery quota 1024 GiB processed per user per day; the example notebook caps a query at 10240 MiB billed", text);
    }
}

public class GcpExpiryStopTests
{
    [Fact]
    public void ACloudSchedulerJobStopsTheWorkbenchAtMidnightUtcWithOnePermission()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31([.. Gcp.Workbench, ("expires", "2027-06-30")])));
        var job = p.Single("gcp:cloudscheduler/job:Job");
        Assert.Equal("0 0 30 6 *", job["schedule"]);
        Assert.Equal("Etc/UTC", job["timeZone"]);
        Assert.Equal("us-central1", job["region"]);
        Assert.Equal("POST", job["httpTarget"].At("httpMethod"));
        var workflow = p.Single("gcp:workflows/workflow:Workflow");
        Assert.Equal($"https://workflowexecutions.googleapis.com/v1/projects/mimic-research-1/locations/us-central1/workflows/{workflow["name"]}/executions", job["httpTarget"].At("uri"));
        Assert.Equal("${expiryServiceAccount.email}", job["httpTarget"].At("oauthToken", "serviceAccountEmail"));
        Assert.Equal("${expiryServiceAccount.email}", workflow["serviceAccount"]);
        Assert.Contains("https://notebooks.googleapis.com/v2/projects/mimic-research-1/locations/us-central1-a/instances/mimic-jdoe-sepsis-", (string)workflow["sourceContents"]);
        Assert.Equal(["notebooks.instances.get", "notebooks.instances.stop"], p.Single("gcp:projects/iAMCustomRole:IAMCustomRole")["permissions"].List());
        Assert.Equal("roles/workflows.invoker", p.Named("expiryWorkflowInvoker")["role"]);
        var grant = p.Single("gcp:workbench/instanceIamMember:InstanceIamMember");
        Assert.Equal("${workbench.name}", grant["name"]);
        Assert.Equal("${expiryStopRole.name}", grant["role"]);
        Assert.Equal("serviceAccount:${expiryServiceAccount.email}", grant["member"]);
        Assert.Empty(new MimicInfra.Check.ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Gcp.Only31([.. Gcp.Workbench]))).Problems);
    }

    [Fact]
    public void WithoutAWorkbenchThereIsNothingToStop()
    {
        var p = new ParsedProgram(Labs.Compile(Gcp.Only31()));
        Assert.Empty(p.OfType("gcp:cloudscheduler/job:Job"));
        Assert.Empty(p.OfType("gcp:projects/iAMCustomRole:IAMCustomRole"));
    }
}

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

/// <summary>
/// Firing times of a schedule expression: EventBridge Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)` in its time zone, or
/// a five-field unix-cron (minute hour day-of-month month day-of-week; numbers, `*`, lists, ranges and steps; day of month
/// and day of week OR-ed when both are restricted, as Cloud Scheduler's documentation describes) in a time zone.
/// </summary>
internal static class ScheduleEvaluator
{
    public static List<DateTime> Firings(string expression, string timeZone, DateTime fromUtc, DateTime toUtc)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var at = System.Text.RegularExpressions.Regex.Match(expression, @"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$");
        if (at.Success)
        {
            var local = DateTime.ParseExact(at.Groups[1].Value, "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
            return utc >= fromUtc && utc <= toUtc ? [utc] : [];
        }
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(fields.Length == 5, $"not a five-field cron: {expression}");
        var (minutes, hours, days, months, weekdays) = (Field(fields[0], 0, 59), Field(fields[1], 0, 23), Field(fields[2], 1, 31), Field(fields[3], 1, 12), Field(fields[4], 0, 7));
        if (weekdays.Contains(7)) weekdays.Add(0);
        var firings = new List<DateTime>();
        var start = TimeZoneInfo.ConvertTimeFromUtc(fromUtc, zone).Date.AddDays(-1);
        var end = TimeZoneInfo.ConvertTimeFromUtc(toUtc, zone).Date.AddDays(1);
        for (var day = start; day <= end; day = day.AddDays(1))
        {
            var dayOfMonth = days.Contains(day.Day);
            var dayOfWeek = weekdays.Contains((int)day.DayOfWeek);
            var dayMatches = fields[2] != "*" && fields[4] != "*" ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
            if (!months.Contains(day.Month) || !dayMatches) continue;
            foreach (var h in hours.Order())
                foreach (var m in minutes.Order())
                {
                    var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(day.AddHours(h).AddMinutes(m), DateTimeKind.Unspecified), zone);
                    if (utc >= fromUtc && utc <= toUtc) firings.Add(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
                }
        }
        return firings;
    }

    private static HashSet<int> Field(string text, int min, int max)
    {
        var values = new HashSet<int>();
        foreach (var part in text.Split(','))
        {
            var (range, step) = part.Split('/') is [var r, var s] ? (r, int.Parse(s)) : (part, 1);
            var (lo, hi) = range == "*" ? (min, max) : range.Split('-') is [var a, var b] ? (int.Parse(a), int.Parse(b)) : (int.Parse(range), int.Parse(range));
            Assert.True(lo >= min && hi <= max && lo <= hi, $"field '{text}' is outside {min}-{max}");
            for (var v = lo; v <= hi; v += step) values.Add(v);
        }
        return values;
    }
}
