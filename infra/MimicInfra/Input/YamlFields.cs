namespace MimicInfra.Input;

/// <summary>
/// The fields of one YAML map read with <see cref="BoundedYaml"/>, bound by hand into plain values: only the
/// keys the caller names are allowed, each value has the shape asked for, and every mistake is located.
/// Written by hand because YamlDotNet's reflection deserializer costs about 50 ms at start-up, and Pulumi
/// starts the compiler, which reads the catalog each time, several times per preview and update.
/// </summary>
public sealed class YamlFields
{
    private readonly Dictionary<string, YamlValue> _values = new(StringComparer.Ordinal);

    /// <param name="what">What the map is, as messages name it (e.g. "a module").</param>
    /// <param name="allowed">The keys the map may have.</param>
    public YamlFields(YamlValue value, string what, params string[] allowed)
    {
        if (value is not YamlMap map)
            throw new YamlInputException(value.At, $"{what} must be a map with the keys {string.Join(", ", allowed)}.");
        At = map.At;
        foreach (var (key, v) in map.Entries)
        {
            if (Array.IndexOf(allowed, key.Value) < 0)
                throw new YamlInputException(key.At, $"unknown key {Shown.Quote(key.Value)} in {what}; its keys are {string.Join(", ", allowed)}.");
            _values[key.Value] = v;
        }
    }

    /// <summary>Where the map starts.</summary>
    public Place At { get; }

    /// <summary>A map of the given keys under <paramref name="key"/>, or null when it is absent or null.</summary>
    public YamlFields? Map(string key, string what, params string[] allowed) =>
        Present(key) is { } v ? new YamlFields(v, what, allowed) : null;

    /// <summary>Text, or null when the key is absent or its value is YAML's null (empty, ~, null).</summary>
    public string? Text(string key) => Present(key) switch
    {
        null => null,
        YamlText t => t.Value,
        var other => throw new YamlInputException(other.At, $"'{key}' must be a single value, not a list or a map."),
    };

    /// <summary>A boolean (true or false, as YAML 1.2 writes them); false when absent.</summary>
    public bool Flag(string key) => Present(key) switch
    {
        null => false,
        YamlText { Value: "true" or "True" or "TRUE" } => true,
        YamlText { Value: "false" or "False" or "FALSE" } => false,
        var other => throw new YamlInputException(other.At, $"'{key}' must be true or false."),
    };

    /// <summary>A list whose items are read by <paramref name="item"/>, or null when absent.</summary>
    public List<T>? List<T>(string key, Func<YamlValue, T> item) => Present(key) switch
    {
        null => null,
        YamlList l => l.Items.Select(item).ToList(),
        var other => throw new YamlInputException(other.At, $"'{key}' must be a list."),
    };

    /// <summary>A list of texts, or null when absent.</summary>
    public List<string>? Texts(string key) => List(key, v => v is YamlText t
        ? t.Value
        : throw new YamlInputException(v.At, $"each item of '{key}' must be a single value."));

    /// <summary>The entries of a map under <paramref name="key"/>, each value read by <paramref name="value"/>, in file order; null when absent.</summary>
    public List<KeyValuePair<string, T>>? Entries<T>(string key, Func<YamlValue, T> value) => Present(key) switch
    {
        null => null,
        YamlMap m => m.Entries.Select(e => new KeyValuePair<string, T>(e.Key.Value, value(e.Value))).ToList(),
        var other => throw new YamlInputException(other.At, $"'{key}' must be a map."),
    };

    /// <summary>A single text value, as a list item or map value must be.</summary>
    public static string TextOf(YamlValue value, string what) => value is YamlText t
        ? t.Value
        : throw new YamlInputException(value.At, $"{what} must be a single value, not a list or a map.");

    /// <summary>The value of a key, or null when the key is absent or its value is YAML's null.</summary>
    private YamlValue? Present(string key) =>
        _values.TryGetValue(key, out var v) && !(v is YamlText { Plain: true, Value: "" or "~" or "null" or "Null" or "NULL" }) ? v : null;
}
