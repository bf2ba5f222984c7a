using System.Text;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// What every GCP component of a lab shares: the lab's explicit gcp provider at its pinned version and functions of
/// the gcp package called through it. Components depend on this, never on <see cref="GcpLab"/>.
/// </summary>
public static class GcpProvider
{
    /// <summary>The pinned gcp plugin, as in infra/provider-schemas.</summary>
    public const string Version = "9.37.0";

    /// <summary>Logical name of the lab's explicit provider.</summary>
    public const string Name = "gcpProvider";

    /// <summary>Options of every GCP resource of a lab: the lab's provider, the pinned plugin version.</summary>
    public static ResourceOptions Options(params string[] dependsOn) => new(Name, Version) { DependsOn = dependsOn };

    /// <summary>The same options, waiting for these resources.</summary>
    public static ResourceOptions OptionsAfter(params Handle[] dependsOn) => Options([.. dependsOn.Select(h => h.LogicalName)]);

    /// <summary>A function of the gcp package, called through the lab's provider at its pinned version.</summary>
    public static YMap Invoke(string function, YMap? arguments = null) => YMap.Fn("invoke", YMap.Of(
        ("function", function),
        ("arguments", arguments ?? new YMap()),
        ("options", YMap.Of(("provider", $"${{{Name}}}"), ("version", Version)))));

    /// <summary>A Google API the lab needs, switched on in the lab's project (or another project, e.g. the network's).</summary>
    public static Handle Service(ProgramBuilder program, string logicalName, string api, string? project = null) =>
        Service(program, program.Declare(logicalName), api, project);

    /// <summary>The same, for a service others reference before it is added (declared in <see cref="GcpLabResources"/>).</summary>
    public static Handle Service(ProgramBuilder program, Handle service, string api, string? project = null) =>
        program.Add(service, "gcp:projects/service:Service", YMap.Of(
            ("project", project),
            ("service", api),
            // The project may use the API for other work: leaving the lab never switches it off.
            ("disableOnDestroy", false)), Options());

    /// <summary>GCP labels of the lab's tags: lower-case keys and values of letters, digits, _ and -, at most 63 characters.</summary>
    public static YMap LabelsOf(IEnumerable<KeyValuePair<string, string>> tags) =>
        tags.Aggregate(new YMap(), (map, t) => { map[LabelKey(t.Key)] = LabelValue(t.Value); return map; });

    /// <summary>A label key: as a value, and starting with a lower-case letter (a "k" is put before anything else).</summary>
    public static string LabelKey(string text)
    {
        var s = LabelText(text);
        if (s.Length == 0 || s[0] is < 'a' or > 'z') s = "k" + s;
        return s.Length > 63 ? s[..63] : s;
    }

    public static string LabelValue(string text)
    {
        var s = LabelText(text);
        return s.Length > 63 ? s[..63] : s;
    }

    private static string LabelText(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant()) sb.Append(ch is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' ? ch : '_');
        return sb.ToString();
    }

    /// <summary>The provider resource itself: the lab's project (and Workbench region), and every gcp: key the stack sets.</summary>
    public static Handle Add(ProgramBuilder program, Fleet.ProviderSettings providers, string project, string? region) =>
        program.Add(Name, "pulumi:providers:gcp", providers.GcpProvider(project, region), new ResourceOptions(null, Version));
}
