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

    private static IReadOnlySet<string> Load(string package)
    {
        using var stream = typeof(ProviderInputs).Assembly.GetManifestResourceStream($"provider-schemas/{package}.json")
            ?? throw new InvalidOperationException($"provider schema {package}.json is not embedded");
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("provider").GetProperty("inputProperties").EnumerateObject()
            .Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }
}
