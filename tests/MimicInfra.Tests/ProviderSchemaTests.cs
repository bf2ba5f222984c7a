using System.Text.Json;
using MimicInfra.Check;

namespace MimicInfra.Tests;

/// <summary>
/// The provider schemas generated into the repository (infra/provider-schemas) against the independently
/// rebuilt reference copy in ../shared/provider-schemas, on every resource, function and type both hold.
/// </summary>
public class ProviderSchemaTests(ITestOutputHelper output)
{
    /// <summary>What a program can put in a property, so both rebuilds are compared on meaning, not spelling.</summary>
    private static string Kind(JsonElement s, ProviderSchema schema)
    {
        if (s.TryGetProperty("oneOf", out var one))
        {
            var kinds = one.EnumerateArray().Select(a => Kind(a, schema)).ToHashSet();
            return kinds.Contains("string") ? "string" : string.Join("|", kinds.Order(StringComparer.Ordinal));
        }
        if (s.TryGetProperty("$ref", out var r))
        {
            var reference = r.GetString()!;
            if (reference.StartsWith("#/resources/", StringComparison.Ordinal)) return "string";
            if (!reference.StartsWith("#/types/", StringComparison.Ordinal)) return reference;
            var token = Uri.UnescapeDataString(reference["#/types/".Length..]);
            return schema.Type(token) is { } t && t.TryGetProperty("enum", out _) ? "string" : "object:" + token;
        }
        var type = s.TryGetProperty("type", out var ty) ? ty.GetString() : null;
        return type switch
        {
            "integer" or "number" => "number",   // TypeScript cannot tell them apart (README of the generator)
            "array" => $"array<{(s.TryGetProperty("items", out var i) ? Kind(i, schema) : "?")}>",
            "object" when s.TryGetProperty("additionalProperties", out var a) => $"map<{Kind(a, schema)}>",
            _ => type ?? "any",
        };
    }

    private static IEnumerable<string> Names(JsonElement e, string part) =>
        e.TryGetProperty(part, out var p) ? p.EnumerateObject().Select(x => x.Name).Order(StringComparer.Ordinal) : [];

    private static IEnumerable<string> Strings(JsonElement e, string part) =>
        e.TryGetProperty(part, out var p) ? p.EnumerateArray().Select(x => x.GetString()!).Order(StringComparer.Ordinal) : [];

    private static List<string> Differences(JsonElement mine, ProviderSchema ms, JsonElement theirs, ProviderSchema ts, string where, string part)
    {
        var found = new List<string>();
        var a = Names(mine, part).ToList();
        var b = Names(theirs, part).ToList();
        if (!a.SequenceEqual(b)) found.Add($"{where}.{part}: names [{string.Join(", ", a.Except(b))}] vs [{string.Join(", ", b.Except(a))}]");
        foreach (var name in a.Intersect(b))
        {
            var (ka, kb) = (Kind(mine.GetProperty(part).GetProperty(name), ms), Kind(theirs.GetProperty(part).GetProperty(name), ts));
            if (ka != kb) found.Add($"{where}.{part}.{name}: {ka} vs {kb}");
        }
        return found;
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    public void GeneratedSchemaAgreesWithTheReferenceCopyOnEverythingBothHold(string package)
    {
        var theirs = ProviderSchema.Parse(File.ReadAllText(Path.Combine(Shared.Require("provider-schemas"), $"{package}.json")));
        var mine = Labs.Schemas()[package];
        Assert.Equal(theirs.Version, mine.Version);
        var problems = new List<string>();
        var (resources, types, functions) = (0, 0, 0);
        foreach (var token in mine.ResourceTokens.Intersect(theirs.ResourceTokens))
        {
            resources++;
            var (a, b) = (mine.Resource(token)!.Value, theirs.Resource(token)!.Value);
            problems.AddRange(Differences(a, mine, b, theirs, token, "inputProperties"));
            problems.AddRange(Differences(a, mine, b, theirs, token, "properties"));
            if (!Strings(a, "requiredInputs").SequenceEqual(Strings(b, "requiredInputs"))) problems.Add($"{token}: required inputs differ");
        }
        foreach (var t in mine.Root.GetProperty("types").EnumerateObject())
        {
            if (theirs.Type(t.Name) is not { } other) continue;
            types++;
            problems.AddRange(Differences(t.Value, mine, other, theirs, t.Name, "properties"));
            if (!Strings(t.Value, "required").SequenceEqual(Strings(other, "required"))) problems.Add($"{t.Name}: required differs");
        }
        foreach (var f in mine.Root.GetProperty("functions").EnumerateObject())
        {
            if (theirs.Function(f.Name) is not { } other) continue;
            functions++;
            foreach (var part in new[] { "inputs", "outputs" })
                if (!(f.Value.TryGetProperty(part, out var x) ? Names(x, "properties") : []).SequenceEqual(other.TryGetProperty(part, out var y) ? Names(y, "properties") : []))
                    problems.Add($"{f.Name}.{part}: names differ");
        }
        problems.AddRange(Differences(mine.Root.GetProperty("provider"), mine, theirs.Root.GetProperty("provider"), theirs, "provider", "inputProperties"));
        Assert.Equal(Names(theirs.Root.GetProperty("config"), "variables"), Names(mine.Root.GetProperty("config"), "variables"));
        output.WriteLine($"{package}: compared {resources} resources, {types} types, {functions} functions, the provider and its config keys");
        Assert.True(resources >= 12 && types >= 80, "too little in common to compare");
        Assert.Empty(problems);
    }

    [Fact]
    public void GeneratedSchemasHoldWhatTheFleetAdds()
    {
        var s = Labs.Schemas();
        Assert.NotNull(s["aws"].Resource("aws:scheduler/schedule:Schedule"));
        Assert.NotNull(s["gcp"].Resource("gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride"));
        var tokens = File.ReadAllLines(Path.Combine(Shared.RepoRoot, "infra", "provider-schemas", "tokens.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        // Exactly the listed tokens, so adding one to the list (generate.mjs --add) is all it takes.
        var generated = s.Values.SelectMany(p => p.ResourceTokens.Concat(p.Root.GetProperty("functions").EnumerateObject().Select(f => f.Name))).Order(StringComparer.Ordinal);
        Assert.Equal(tokens.Order(StringComparer.Ordinal), generated);
    }
}
