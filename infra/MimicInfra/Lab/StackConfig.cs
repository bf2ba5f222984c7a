using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MimicInfra.Lab;

/// <summary>
/// A stack's name and config exactly as Pulumi hands them to a compiler: fully qualified keys
/// (`mimic-infra:release`, `aws:region`) and string values, structured values as JSON text.
/// </summary>
public sealed record StackConfig(string Stack, IReadOnlyDictionary<string, string> Values)
{
    public const string Project = "mimic-infra";

    /// <summary>Keys whose values Pulumi holds as secret; the program references them, never inlines them.</summary>
    public IReadOnlySet<string> Secrets { get; init; } = new HashSet<string>();

    /// <summary>From the environment Pulumi sets during a preview or update; null when it is not set.</summary>
    public static StackConfig? FromEnvironment(Func<string, string?> env)
    {
        var stack = env("PULUMI_STACK");
        if (string.IsNullOrEmpty(stack)) return null;
        var json = env("PULUMI_CONFIG");
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(json))
        {
            JsonObject? obj;
            try { obj = JsonNode.Parse(json) as JsonObject; }
            catch (JsonException e) { throw new Cli.UserError($"PULUMI_CONFIG is not a JSON object ({e.Message})"); }
            foreach (var (key, value) in obj ?? [])
                values[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        }
        return new StackConfig(stack, values);
    }

    /// <summary>Reads `Pulumi.&lt;stack&gt;.yaml` the way Pulumi would pass it on.</summary>
    public static StackConfig FromFile(string stack, string path)
    {
        if (!File.Exists(path))
            throw new Cli.UserError($"no stack file {path}. Create it (see stacks/Pulumi.demo.yaml) or pick another --stack.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new Cli.UserError($"{path}: line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message} Fix the YAML syntax.");
        }
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0) return new StackConfig(stack, values);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new Cli.UserError($"{path}: a stack file is a mapping with a 'config:' key.");
        foreach (var (k, v) in root.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            if (key is "config") continue;
            if (key is "encryptionsalt" or "secretsprovider" or "encryptedkey" or "environment") continue;
            throw new Cli.UserError($"{path}: unknown top-level key '{key}'. Lab settings go under 'config:' as {Project}:<setting>.");
        }
        if (!root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode) || configNode is null || configNode is YamlScalarNode { Value: null or "" })
            return new StackConfig(stack, values);
        if (configNode is not YamlMappingNode config)
            throw new Cli.UserError($"{path}: 'config:' must be a mapping of settings.");
        foreach (var (k, v) in config.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            if (v is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode("secure")))
            {
                // Encrypted here; the program only ever references it (see Fleet.StackRules for lab settings).
                secrets.Add(key);
                values[key] = "";
                continue;
            }
            values[key] = v is YamlScalarNode s ? s.Value ?? "" : ToJson(v)?.ToJsonString() ?? "";
        }
        return new StackConfig(stack, values) { Secrets = secrets };
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode s when s.Style == ScalarStyle.Plain && bool.TryParse(s.Value, out var b) => JsonValue.Create(b),
        YamlScalarNode s when s.Style == ScalarStyle.Plain && long.TryParse(s.Value, out var n) => JsonValue.Create(n),
        YamlScalarNode s => JsonValue.Create(s.Value),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        _ => null,
    };
}
