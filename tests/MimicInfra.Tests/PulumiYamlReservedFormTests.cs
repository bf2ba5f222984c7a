using System.Text.RegularExpressions;
using MimicInfra.Cli;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>
/// What Pulumi YAML reads specially in a program (pulumi-yaml's ParseExpr and tryParseFunction): a string holding
/// `${...}` is an interpolation, and a mapping key that starts with fn:: (any case) is a built-in function call
/// (fn::readFile, fn::fileAsset, fn::invoke...) or a reserved-prefix warning. A user value must never reach the
/// program in either form: it is refused, naming its key, or written out escaped.
/// </summary>
public class PulumiYamlReservedFormTests
{
    [Theory]
    [InlineData("fn::readFile=/etc/passwd", "'fn::readFile': a key may not start with fn::")]
    [InlineData("FN::invoke=x", "'FN::invoke': a key may not start with fn::")]
    [InlineData(" fn::fileAsset=x", "' fn::fileAsset': a key may not start with fn::")]
    [InlineData("team=fn::join", "'team': a value may not start with fn::")]
    [InlineData("team=Fn::Secret", "'team': a value may not start with fn::")]
    public void TagsThatStartWithFnAreRefusedNamingTheKey(string tag, string expected)
    {
        var e = Assert.Throws<UserError>(() => LabSettingsReader.Read(Gcp.Only31(("tags", $"[\"{tag}\"]")), Labs.Catalog));
        Assert.Contains($"mimic-infra:tags: {expected}", e.Message);
        Assert.Contains("(Pulumi YAML's prefix for built-in functions)", e.Message);
    }

    [Fact]
    public void TagsWithFnElsewhereInTheTextStillPass()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31(("tags", "[\"cost-center=team::fn\", \"ref:fn::x=1\"]")), Labs.Catalog);
        Assert.Equal(["cost-center", "ref:fn::x"], lab.Tags.Where(t => t.Key is "cost-center" or "ref:fn::x").Select(t => t.Key));
    }

    public static TheoryData<string> TextSettings => [.. SettingSpecs.All.Where(s => s.Type is "string" or "array").Select(s => s.Key)];

    /// <summary>Every text setting, one at a time, holding an interpolation of a real resource of the program.</summary>
    [Theory]
    [MemberData(nameof(TextSettings))]
    public void NoSettingReachesTheProgramAsAnInterpolation(string key)
    {
        const string probe = "x${labKey.arn}";
        var value = SettingSpecs.Find(key)!.Type == "array" ? $"[\"{probe}\"]" : probe;
        string text;
        try { text = Labs.Compile(Labs.Csv31([.. Gcp.Settings, .. Gcp.Workbench, ("gcpAccessPolicy", "123456789012"), (key, value)])); }
        catch (UserError e)
        {
            Assert.Contains($"mimic-infra:{key}", e.Message);   // refused, naming the key
            return;
        }
        Assert.DoesNotMatch(new Regex(@"(?<!\$)\$\{labKey\.arn\}"), text);
    }
}
