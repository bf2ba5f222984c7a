using System.Text.RegularExpressions;

namespace MimicInfra.Fleet;

/// <summary>
/// The example stacks shipped in stacks/ are marked by a comment line `# mimic-infra:example` in the comments
/// before `config:`. A comment, not a setting: Pulumi and the compiler never see it, so an example deploys
/// exactly like a lab; only `labs list` uses it, leaving examples out unless asked (--examples). A copy made
/// to start a real lab drops the line and is listed.
/// </summary>
public static partial class ExampleStacks
{
    public const string Marker = "# mimic-infra:example";

    /// <summary>Whether a stack file's leading comments carry the marker.</summary>
    public static bool IsExample(string stackFileText) =>
        stackFileText.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => l.Length == 0 || l.StartsWith('#')).Any(l => MarkerLine().IsMatch(l));

    [GeneratedRegex(@"^#\s*mimic-infra:example(\s|$)")]
    private static partial Regex MarkerLine();
}
