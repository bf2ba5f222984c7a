using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// How many resources each component adds (<see cref="PulumiResource.Component"/>), so a test states each component's
/// count from that component's own parts instead of one sum over the whole program.
/// </summary>
internal static class ComponentCounts
{
    public static SortedDictionary<string, int> Of(PulumiProgram program) =>
        new(program.Resources.GroupBy(r => r.Component ?? "(no component)").ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    public static SortedDictionary<string, int> Of(StackConfig config) => Of(LabCompiler.Compile(config, Labs.Catalog));
}
