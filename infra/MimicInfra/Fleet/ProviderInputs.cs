using System.Text.Json;

namespace MimicInfra.Fleet;

/// <summary>
/// The input names of each explicit provider (`pulumi:providers:aws`, `…:gcp`), from the provider schemas
/// generated into the repository (infra/provider-schemas, embedded in the program).
/// </summary>
public static class ProviderInputs
{
    private static readonly Dictionary<string, Lazy<IReadOnlySet<string>>> Inputs = new()
    {
        ["aws"] = new(() => Load("aws")),
        ["gcp"] = new(() => Load("gcp")),
    };

    public static IReadOnlySet<string> Of(string package) => Inputs[package].Value;

    /// <summary>The embedded provider schema of a package (aws.json, gcp.json) as text.</summary>
    public static string SchemaText(string package)
    {
        using var stream = typeof(ProviderInputs).Assembly.GetManifestResourceStream($"provider-schemas/{package}.json")
            ?? throw new InvalidOperationException($"provider schema {package}.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The names under `provider.inputProperties`, read with a forward-only reader that stops there: the schema is
    /// 0.75 MB and the compiler needs this list on every run, so the rest of it is never parsed.
    /// </summary>
    private static IReadOnlySet<string> Load(string package)
    {
        using var stream = typeof(ProviderInputs).Assembly.GetManifestResourceStream($"provider-schemas/{package}.json")
            ?? throw new InvalidOperationException($"provider schema {package}.json is not embedded");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Broken(package);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var top = reader.GetString();
            reader.Read();
            if (top != "provider") { reader.Skip(); continue; }
            if (reader.TokenType != JsonTokenType.StartObject) throw Broken(package);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString();
                reader.Read();
                if (key != "inputProperties") { reader.Skip(); continue; }
                if (reader.TokenType != JsonTokenType.StartObject) throw Broken(package);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    names.Add(reader.GetString()!);
                    reader.Read();
                    reader.Skip();
                }
                return names;
            }
            break;
        }
        throw Broken(package);
    }

    private static InvalidOperationException Broken(string package) =>
        new($"provider schema {package}.json has no provider.inputProperties object; regenerate it (infra/provider-schemas/generator)");
}
