using System.Text.Json;
using MimicInfra.Input;

namespace MimicInfra.Lab;

/// <summary>
/// A stack's name and config exactly as Pulumi hands them to a compiler: fully qualified keys
/// (`mimic-infra:release`, `aws:region`) and string values, structured values as JSON text.
/// Both readers are bounded (<see cref="BoundedYaml"/>, <see cref="MaxConfigBytes"/>): no input hangs or crashes them.
/// </summary>
public sealed record StackConfig(string Stack, IReadOnlyDictionary<string, string> Values)
{
    public const string Project = "mimic-infra";

    public const int MaxConfigBytes = 1 << 20;
    private const int MaxJsonDepth = 16;

    /// <summary>Keys whose values Pulumi holds as secret; the program references them, never inlines them.</summary>
    public IReadOnlySet<string> Secrets { get; init; } = new HashSet<string>();

    /// <summary>From the environment Pulumi sets during a preview or update; null when it is not set.</summary>
    public static StackConfig? FromEnvironment(Func<string, string?> env)
    {
        var stack = env("PULUMI_STACK");
        if (string.IsNullOrEmpty(stack)) return null;
        if (stack.Length > 100 || !stack.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            throw new Cli.UserError($"PULUMI_STACK {Shown.Quote(stack)} is not a stack name (1-100 letters, digits, '-', '_', '.'); Pulumi sets it to the stack being deployed.");
        var json = env("PULUMI_CONFIG");
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (json is null) return new StackConfig(stack, values);
        const string fix = "Pulumi sets it to the stack's config as a JSON object of strings, e.g. {\"mimic-infra:release\":\"mimic-iv-demo-2.2\"}; run the compiler through `pulumi preview`, or unset PULUMI_STACK to run it alone.";
        if (json.Length > MaxConfigBytes)
            throw new Cli.UserError($"PULUMI_CONFIG is {json.Length:N0} characters; at most {MaxConfigBytes:N0}. {fix}");
        if (string.IsNullOrWhiteSpace(json))
            throw new Cli.UserError($"PULUMI_CONFIG is empty, not a JSON object. {fix}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth }); }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } l ? $" at line {l + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new Cli.UserError($"PULUMI_CONFIG is not valid JSON{where}. {fix}");
        }
        catch (ArgumentException)
        {
            throw new Cli.UserError($"PULUMI_CONFIG is not valid Unicode text (a lone surrogate?). {fix}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new Cli.UserError($"PULUMI_CONFIG is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not a JSON object. {fix}");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (values.ContainsKey(p.Name))
                    throw new Cli.UserError($"PULUMI_CONFIG names the key {Shown.Quote(p.Name)} twice; each config key appears once. {fix}");
                values[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Null => "",
                    _ => JsonSerializer.Serialize(p.Value),
                };
            }
        }
        return new StackConfig(stack, values);
    }

    /// <summary>Reads `Pulumi.&lt;stack&gt;.yaml` the way Pulumi would pass it on.</summary>
    public static StackConfig FromFile(string stack, string path)
    {
        if (!File.Exists(path))
            throw new Cli.UserError($"no stack file {path}. Create it (see stacks/Pulumi.demo.yaml) or pick another --stack.");
        YamlValue? document;
        try
        {
            document = BoundedYaml.Parse(BoundedYaml.Decode(ReadAtMost(path, BoundedYaml.MaxBytes + 1)));
        }
        catch (YamlInputException e)
        {
            throw new Cli.UserError(e.At is { } at ? $"{path}: {at}: {e.Message}" : $"{path} {e.Message}");
        }
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (document is null or YamlText { Value: "", Plain: true }) return new StackConfig(stack, values);
        if (document is not YamlMap root)
            throw new Cli.UserError($"{path}: {document.At}: a stack file is a mapping with a 'config:' key.");
        YamlValue? configNode = null;
        foreach (var (key, value) in root.Entries)
        {
            if (key.Value is "config") { configNode = value; continue; }
            if (key.Value is "encryptionsalt" or "secretsprovider" or "encryptedkey" or "environment") continue;
            throw new Cli.UserError($"{path}: {key.At}: unknown top-level key {Shown.Quote(key.Value)}. Lab settings go under 'config:' as {Project}:<setting>.");
        }
        if (configNode is null or YamlText { Value: "" or "~" or "null", Plain: true })
            return new StackConfig(stack, values);
        if (configNode is not YamlMap config)
            throw new Cli.UserError($"{path}: {configNode.At}: 'config:' must be a mapping of settings, one `{Project}:<setting>: value` per line.");
        foreach (var (key, value) in config.Entries)
        {
            if (value is YamlMap m && m.Entries.Any(e => e.Key.Value == "secure"))
            {
                // Encrypted here; the program only ever references it (see Fleet.StackRules for lab settings).
                secrets.Add(key.Value);
                values[key.Value] = "";
                continue;
            }
            values[key.Value] = value is YamlText s ? s.Value : ToJson(value)!.ToJsonString();
        }
        return new StackConfig(stack, values) { Secrets = secrets };
    }

    /// <summary>At most <paramref name="limit"/> bytes of a file, whatever it claims its length is (a device or a pipe may never end).</summary>
    private static byte[] ReadAtMost(string path, int limit)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[limit];
        var total = 0;
        for (int n; total < limit && (n = stream.Read(buffer, total, limit - total)) > 0;) total += n;
        return buffer[..total];
    }

    private static System.Text.Json.Nodes.JsonNode? ToJson(YamlValue node) => node switch
    {
        YamlText { Plain: true } s when bool.TryParse(s.Value, out var b) => System.Text.Json.Nodes.JsonValue.Create(b),
        YamlText { Plain: true } s when long.TryParse(s.Value, out var n) => System.Text.Json.Nodes.JsonValue.Create(n),
        YamlText s => System.Text.Json.Nodes.JsonValue.Create(s.Value),
        YamlList list => new System.Text.Json.Nodes.JsonArray(list.Items.Select(ToJson).ToArray()),
        YamlMap map => new System.Text.Json.Nodes.JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key.Value, ToJson(e.Value)))),
        _ => null,
    };
}
