using System.Text.Json;

namespace MimicInfra.Check;

/// <summary>One provider package schema (name, version, resources, types, functions, provider inputs).</summary>
public sealed class ProviderSchema
{
    private ProviderSchema(string name, string version, JsonElement root)
    {
        Name = name;
        Version = version;
        Root = root;
    }

    public string Name { get; }
    public string Version { get; }
    public JsonElement Root { get; }

    public static ProviderSchema Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement.Clone();
        return new ProviderSchema(root.GetProperty("name").GetString()!, root.GetProperty("version").GetString()!, root);
    }

    /// <summary>All *.json provider schemas of a folder, by package name.</summary>
    public static IReadOnlyDictionary<string, ProviderSchema> LoadDirectory(string dir) =>
        Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal)
            .Select(f => Parse(File.ReadAllText(f))).ToDictionary(s => s.Name);

    public JsonElement? Resource(string token) =>
        token == $"pulumi:providers:{Name}" ? Root.GetProperty("provider") :
        Root.GetProperty("resources").TryGetProperty(token, out var r) ? r : null;

    public JsonElement? Type(string token) => Root.GetProperty("types").TryGetProperty(token, out var t) ? t : null;

    public JsonElement? Function(string token) => Root.GetProperty("functions").TryGetProperty(token, out var f) ? f : null;

    public IEnumerable<string> ResourceTokens => Root.GetProperty("resources").EnumerateObject().Select(p => p.Name);

    /// <summary>Input property schemas of a resource (or of the provider itself).</summary>
    public static IEnumerable<(string Name, JsonElement Schema)> Inputs(JsonElement resource) =>
        resource.TryGetProperty("inputProperties", out var ins) ? ins.EnumerateObject().Select(p => (p.Name, p.Value)) : [];

    public static IReadOnlyList<string> RequiredInputs(JsonElement resource) =>
        resource.TryGetProperty("requiredInputs", out var req) ? req.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    public static bool HasOutput(JsonElement resource, string name) =>
        name is "id" or "urn" || (resource.TryGetProperty("properties", out var props) && props.TryGetProperty(name, out _));
}
