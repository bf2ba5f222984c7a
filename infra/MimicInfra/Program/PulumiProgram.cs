using System.Collections;

namespace MimicInfra.Program;

/// <summary>An ordered YAML mapping: keys come out in the order they were added, so output is stable.</summary>
public sealed class YMap : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _items = [];

    public object? this[string key]
    {
        get => _items.FirstOrDefault(kv => kv.Key == key).Value;
        set
        {
            var i = _items.FindIndex(kv => kv.Key == key);
            if (i >= 0) _items[i] = new(key, value);
            else _items.Add(new(key, value));
        }
    }

    public int Count => _items.Count;

    public bool ContainsKey(string key) => _items.Any(kv => kv.Key == key);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A mapping from pairs; null values are left out, so optional inputs can be written inline.</summary>
    public static YMap Of(params (string Key, object? Value)[] items)
    {
        var map = new YMap();
        foreach (var (k, v) in items)
            if (v is not null) map[k] = v;
        return map;
    }

    /// <summary>A Pulumi YAML built-in function call, e.g. fn::toJSON.</summary>
    public static YMap Fn(string name, object? argument) => new() { [$"fn::{name}"] = argument };
}

/// <summary>A Pulumi YAML resource options block (only the options a lab uses).</summary>
public sealed record ResourceOptions(string? Provider, string Version)
{
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public bool RetainOnDelete { get; init; }
    public IReadOnlyList<string> ReplaceOnChanges { get; init; } = [];
    public bool DeleteBeforeReplace { get; init; }
    public IReadOnlyList<string> IgnoreChanges { get; init; } = [];
    /// <summary>How long a delete may take (e.g. "40m"), for resources that wait on others going first.</summary>
    public string? DeleteTimeout { get; init; }

    public YMap ToYaml() => YMap.Of(
        ("provider", Provider is null ? null : $"${{{Provider}}}"),
        ("version", Version),
        ("dependsOn", DependsOn.Count == 0 ? null : DependsOn.Select(d => (object?)$"${{{d}}}").ToList()),
        ("retainOnDelete", RetainOnDelete ? true : null),
        ("replaceOnChanges", ReplaceOnChanges.Count == 0 ? null : ReplaceOnChanges.Select(p => (object?)p).ToList()),
        ("deleteBeforeReplace", DeleteBeforeReplace ? true : null),
        ("ignoreChanges", IgnoreChanges.Count == 0 ? null : IgnoreChanges.Select(p => (object?)p).ToList()),
        ("customTimeouts", DeleteTimeout is null ? null : YMap.Of(("delete", DeleteTimeout))));
}

public sealed record PulumiResource(string Name, string Type, YMap Properties, ResourceOptions? Options)
{
    /// <summary>The component that added it (see <see cref="ProgramBuilder.Component"/>); not part of the program's text.</summary>
    public string? Component { get; init; }

    public YMap ToYaml() => YMap.Of(("type", Type), ("properties", Properties.Count == 0 ? null : Properties), ("options", Options?.ToYaml()));
}

/// <summary>A whole Pulumi YAML program, as printed on stdout for the Pulumi CLI.</summary>
public sealed record PulumiProgram(string Name, string Description, YMap Variables, IReadOnlyList<PulumiResource> Resources, YMap Outputs)
{
    public YMap ToYaml() => YMap.Of(
        ("name", Name),
        ("runtime", "yaml"),
        ("description", Description),
        ("variables", Variables.Count == 0 ? null : Variables),
        ("resources", Resources.Aggregate(new YMap(), (m, r) => { m[r.Name] = r.ToYaml(); return m; })),
        ("outputs", Outputs));
}

/// <summary>Pulumi YAML text helpers.</summary>
public static class PulumiText
{
    /// <summary>Text taken as it is: every `$` doubled, so `${...}` in a script or SQL is never read as a reference.</summary>
    public static string Literal(string text) => text.Replace("$", "$$");
}
