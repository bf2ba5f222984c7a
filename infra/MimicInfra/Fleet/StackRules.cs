using System.Globalization;
using System.Text.RegularExpressions;
using MimicInfra.Lab;

namespace MimicInfra.Fleet;

/// <summary>
/// Rules on a stack as a whole, before anything is built: a lab past its `expires` date is not deployed,
/// a value still holding an example stack's placeholder is not deployed, and a lab setting is never a
/// secret (lab settings end up in names, tags and descriptions, where Pulumi cannot keep them secret).
/// </summary>
public static partial class StackRules
{
    /// <summary>Days before `expires` from which `labs list` warns.</summary>
    public const int WarnDays = 14;

    private const string Ns = StackConfig.Project + ":";

    public static IEnumerable<string> Problems(StackConfig config, DateOnly? expires, DateOnly today)
    {
        if (expires is { } e && ExpiryDates.IsExpired(e, today))
            yield return $"{Ns}expires: the lab expired on {e:yyyy-MM-dd} ({today.DayNumber - e.DayNumber} day(s) ago) and stopped itself at 00:00 UTC that day. " +
                         "To continue the study, extend it (`pulumi config set expires YYYY-MM-DD`) and run `pulumi up`; to end it, run `pulumi destroy` (destroy does not run this program).";
        foreach (var (key, value) in config.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (config.Secrets.Contains(key))
            {
                if (key.StartsWith(Ns, StringComparison.Ordinal))
                    yield return $"{key}: is a secret, but lab settings go into resource names, tags and descriptions, where Pulumi cannot keep them secret. " +
                                 $"Set it in plain text (`pulumi config set {key[Ns.Length..]} VALUE`); secrets belong in provider keys such as aws:secretKey.";
                continue;   // never echoed, never inspected
            }
            if (Placeholder().IsMatch(value))
                yield return $"{key}: '{Shown(value)}' still holds the example's placeholder REPLACE; set the real value.";
        }
    }

    private static string Shown(string value) => value.Length > 80 ? value[..80] + "…" : value;

    // The marker the example stacks use for what each lab must set: REPLACE, replace-..., ...=REPLACE.
    [GeneratedRegex("(?i)(^|[^a-z])replace([^a-z]|$)")]
    private static partial Regex Placeholder();
}

/// <summary>When a lab stops: at 00:00 UTC on its `expires` date.</summary>
public static class ExpiryDates
{
    public static bool IsExpired(DateOnly expires, DateOnly today) => today >= expires;

    public static int DaysLeft(DateOnly expires, DateOnly today) => expires.DayNumber - today.DayNumber;

    /// <summary>The moment the lab stops itself, as EventBridge Scheduler's one-time expression wants it (UTC).</summary>
    public static string StopAt(DateOnly expires) => expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00";

    public static DateOnly Today() => DateOnly.FromDateTime(DateTime.UtcNow);
}
