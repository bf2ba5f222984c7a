using System.Text.Json;
using MimicInfra.Catalog;
using MimicInfra.Lab;

namespace MimicInfra.Fleet;

public enum LabState { Active, Expiring, Expired, Problems }

/// <summary>One lab of the fleet as `labs list` shows it.</summary>
public sealed record LabStatus(
    string Stack,
    string? Researcher,
    string? Study,
    string? Release,
    IReadOnlyList<string> Modules,
    IReadOnlyList<string> Clouds,
    string? AwsAccountId,
    string? GcpProject,
    DateOnly? Expires,
    int? DaysLeft,
    LabState State,
    IReadOnlyList<string> Problems)
{
    public string StateText => State switch
    {
        LabState.Active => "active",
        LabState.Expiring => $"expires within {StackRules.WarnDays} days",
        LabState.Expired => "expired",
        _ => "has problems",
    };
}

/// <summary>The state of each lab from its stack config alone (no cloud call): pure, so a scheduled job can trust it.</summary>
public static class FleetStatus
{
    private const string Ns = StackConfig.Project + ":";

    public static LabStatus Of(StackConfig config, SchemaCatalog catalog, DateOnly today)
    {
        string? Get(string key) => config.Values.TryGetValue(Ns + key, out var v) && v.Length > 0 && !config.Secrets.Contains(Ns + key) ? v : null;
        List<string> problems = [];
        LabSettings? lab = null;
        try
        {
            // Expiry is this view's own column, so the settings are judged as if on day one.
            lab = LabSettingsReader.Read(config, catalog, DateOnly.MinValue);
        }
        catch (Cli.UserError e)
        {
            problems = e.Message.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (problems.Count == 0) problems.Add(e.Message);
        }
        DateOnly? expires = lab?.Expires ?? (DateOnly.TryParseExact(Get("expires") ?? "", "yyyy-MM-dd", out var d) ? d : null);
        int? left = expires is { } e2 ? ExpiryDates.DaysLeft(e2, today) : null;
        var state = expires is { } x && ExpiryDates.IsExpired(x, today) ? LabState.Expired
            : problems.Count > 0 ? LabState.Problems
            : left <= StackRules.WarnDays ? LabState.Expiring
            : LabState.Active;
        var clouds = lab is not null
            ? new[] { lab.Aws is not null ? "aws" : null, lab.Gcp is not null ? "gcp" : null }.OfType<string>().ToList()
            : new[] { Get("aws") != "false" ? "aws" : null, Get("gcp") == "true" ? "gcp" : null }.OfType<string>().ToList();
        if (clouds.Count == 0) clouds = ["local"];   // neither cloud side: a lab on the researcher's machine only
        return new LabStatus(
            config.Stack,
            lab?.Researcher ?? Get("researcher"),
            lab?.Study ?? Get("study"),
            lab?.Release.Id ?? Get("release"),
            lab?.Modules.Select(m => m.Name).ToList() ?? ListOf(Get("modules")),
            clouds,
            lab?.Providers.AwsAccountId ?? Get("awsAccountId"),
            lab?.Gcp?.Project ?? Get("gcpProject"),
            expires,
            left,
            state,
            problems);
    }

    private static List<string> ListOf(string? json)
    {
        try { return json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? []; }
        catch (JsonException) { return []; }
    }
}
