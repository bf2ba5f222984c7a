namespace MimicInfra.Tests;

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
