using System.Text.RegularExpressions;

namespace MimicInfra.Tests;

public class TagValuesStayTextTests
{
    /// <summary>A tag value YAML would read as a boolean, number, null or date reaches the program quoted, as text.</summary>
    [Fact]
    public void TagValuesThatLookLikeOtherYamlTypesAreWrittenAsStrings()
    {
        var text = Labs.Compile(Labs.Csv31([.. Gcp.Settings, ("tags", "[\"flag=true\", \"num=0123\", \"n=null\", \"y=yes\", \"d=2020-01-01\", \"c=a: b\", \"e=\"]")]));
        foreach (var key in new[] { "flag", "num", "n", "y", "d", "c", "e" })
            Assert.DoesNotMatch(new Regex($@"(?m)^\s+{key}: (true|0123|null|yes|2020-01-01|a: b|)$"), text);
        var tags = new ParsedProgram(text).Resources.First(r => r.Type.StartsWith("aws:", StringComparison.Ordinal) && r.Props.ContainsKey("tags")).Props["tags"].Map();
        Assert.Equal("true", tags["flag"]);
        Assert.Equal("0123", tags["num"]);
        Assert.Equal("a: b", tags["c"]);
    }
}
