using MimicInfra.Lab;

namespace MimicInfra.Fleet;

/// <summary>The lines `preview` adds for the fleet concerns: account binding, provider keys, the expiry stop, cost guards.</summary>
public static class FleetPreview
{
    public static IEnumerable<string> Aws(LabSettings lab)
    {
        var p = lab.Providers;
        yield return p.AwsAccountId is { } id
            ? $"  account     {id} only: the provider refuses other credentials before any change (allowedAccountIds)"
            : "  account     not bound: set awsAccountId so a deploy with the wrong credentials fails";
        var keys = p.AwsKeys.Where(k => k != "region").ToList();
        if (keys.Count > 0) yield return $"  provider    from the stack, by reference: {string.Join(", ", keys.Select(k => $"aws:{k}"))}";
        yield return $"  expiry      stops itself at {ExpiryDates.StopAt(lab.Expires)}Z (EventBridge Scheduler): workgroup disabled" +
                     (lab.Aws!.Notebook is not null ? ", notebook stopped if it is running (a stopped one is left as it is)" : "") + "; extend expires and `pulumi up` to bring it back";
    }

    public static IEnumerable<string> Gcp(LabSettings lab)
    {
        var keys = lab.Providers.GcpKeys.Where(k => k is not ("project" or "region")).ToList();
        if (keys.Count > 0) yield return $"  provider    from the stack, by reference: {string.Join(", ", keys.Select(k => $"gcp:{k}"))}";
        if (lab.Gcp!.Workbench is not null)
            yield return $"  expiry      Workbench instance stopped at {ExpiryDates.StopAt(lab.Expires)}Z (Cloud Scheduler fires on that day every year, as cron has no year; its workflow acts only on the expiry day and only on a running instance, with notebooks.instances.get and .stop on it alone); its owner starts it again";
        var g = lab.Gcp!.CostGuards;
        yield return $"  cost guard  BigQuery quota {g.DailyQueryGibPerUser} GiB processed per user per day; the example notebook caps a query at {g.MaxBytesBilledPerQuery >> 20} MiB billed";
    }

    public static string DaysLeft(LabSettings lab, DateOnly today) => $"{ExpiryDates.DaysLeft(lab.Expires, today)} days left";
}
