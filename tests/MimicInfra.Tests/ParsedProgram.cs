using YamlDotNet.Serialization;

namespace MimicInfra.Tests;

/// <summary>A compiled program read back as plain YAML data, to assert on what Pulumi receives.</summary>
internal sealed class ParsedProgram
{
    public ParsedProgram(string yaml) => Root = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;

    public Dictionary<object, object> Root { get; }

    public IEnumerable<(string Name, string Type, Dictionary<object, object> Props, Dictionary<object, object>? Options)> Resources =>
        ((Dictionary<object, object>)Root["resources"]).Select(kv =>
        {
            var r = (Dictionary<object, object>)kv.Value;
            return ((string)kv.Key, (string)r["type"],
                r.TryGetValue("properties", out var p) ? (Dictionary<object, object>)p : [],
                r.TryGetValue("options", out var o) ? (Dictionary<object, object>?)o : null);
        });

    public List<(string Name, Dictionary<object, object> Props)> OfType(string type) =>
        Resources.Where(r => r.Type == type).Select(r => (r.Name, r.Props)).ToList();

    public Dictionary<object, object> Single(string type) => Assert.Single(OfType(type)).Props;

    /// <summary>The properties of the resource with this logical name.</summary>
    public Dictionary<object, object> Named(string name) => Resources.Single(r => r.Name == name).Props;

    public Dictionary<object, object> Outputs => (Dictionary<object, object>)Root["outputs"];
}
