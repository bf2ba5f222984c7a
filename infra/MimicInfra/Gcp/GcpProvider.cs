using MimicInfra.Lab;
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

    /// <summary>The provider resource itself: the lab's project (and Workbench region), and every gcp: key the stack sets.</summary>
    public static Handle Add(ProgramBuilder program, LabSettings lab) =>
        program.Add(Name, "pulumi:providers:gcp", lab.Providers.GcpProvider(lab.Gcp!.Project, lab.Gcp.Workbench?.Region), new ResourceOptions(null, Version));
}
