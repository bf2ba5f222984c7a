using System.Text.Json;
using MimicInfra.Input;

namespace MimicInfra.Tests;

/// <summary>The readers that replace reflection on the compiler's path (catalog binding, provider inputs, JSON lists).</summary>
public sealed class FastReaderTests
{
    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    public void ProviderInputsReadForwardAreTheSchemasInputProperties(string package)
    {
        using var doc = JsonDocument.Parse(MimicInfra.Fleet.ProviderInputs.SchemaText(package));
        var all = doc.RootElement.GetProperty("provider").GetProperty("inputProperties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(all, MimicInfra.Fleet.ProviderInputs.Of(package).Order(StringComparer.Ordinal));
        Assert.Contains(package == "aws" ? "allowedAccountIds" : "impersonateServiceAccount", MimicInfra.Fleet.ProviderInputs.Of(package));
    }

    [Theory]
    [InlineData("[\"a\",\"b\"]", "a|b")]
    [InlineData("[]", "")]
    [InlineData("[\"ü\", \"x\\\"y\"]", "ü|x\"y")]
    [InlineData("[1]", null)]
    [InlineData("[null]", null)]
    [InlineData("{\"a\":1}", null)]
    [InlineData("a,b", null)]
    [InlineData("\"a\"", null)]
    [InlineData("[\"a\"", null)]
    public void StringListsAreReadOrRefused(string json, string? expected) =>
        Assert.Equal(expected, JsonText.StringList(json) is { } items ? string.Join("|", items) : null);

    [Fact]
    public void CatalogBindingRefusesUnknownKeysWithTheirPlace()
    {
        var e = Assert.Throws<YamlInputException>(() => new YamlFields(BoundedYaml.Parse("a: 1\nb: 2\n")!, "a thing", "a"));
        Assert.Equal(new Place(2, 1), e.At);
        Assert.Contains("unknown key 'b' in a thing; its keys are a", e.Message);
    }
}
