using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimicInfra.Input;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The hand-written YAML writer (Program/ProgramYaml.cs): every program it writes reads back, with YamlDotNet's
/// parser, as exactly the data it was given; a plain scalar is only ever what YAML reads as that same string.
/// </summary>
public sealed partial class ProgramYamlTests
{
    /// <summary>Strings a YAML writer gets wrong when it writes them plain or in the wrong block style.</summary>
    public static readonly string[] Awkward =
    [
        "", " lead", "trail ", "a: b", "a:b", "ends:", "a #b", "a#b", "#x", "- x", "-x", "-", "?", ":", ",", "[x]", "{x}", "*", "&a", "!t", "|", ">", "'", "\"",
        "%x", "@x", "`x", "yes", "No", "ON", "off", "y", "~", "null", "NULL", "true", "False", "1", "-1", "+1", "1e3", "1.5", ".5", "0x1F", "0o17", "017", "0b101", "1_000",
        "12:30", "190:20:30", "2027-06-30", "2027-6-3T10:00", ".inf", "-.Inf", ".NaN", "<<", "=", "---", "...x", "multi\nline\n", "multi\nno end", "  indented\nx\n",
        "tab\there", "\ttab", "nel\u0085x", "ls\u2028x", "bom\uFEFF", "emoji 😀", "ctl\u0001x", "del\u007Fx", "trailing spaces \nx\n", "\n\nlead\n", "ends two\n\n",
        "cr\r\nlf\n", "#!/bin/sh\necho \"$HOME\" # comment\n\n  indented line\n", "${res.prop}", "$${literal}", "s3:*", "arn:aws:s3:::b/*", "fn::toJSON", "back\\slash",
        "quote's", "ü é ß", "x\n", "\n", "0X1F", "0B11", "+0O17", "1e1_0", "7.48.0", "1.0", ".x", "+x",
    ];

    [Fact]
    public void AwkwardStringsReadBackExactlyAsKeysValuesAndItems()
    {
        var map = new YMap();
        for (var i = 0; i < Awkward.Length; i++) map[$"k{i}"] = Awkward[i];
        var keys = new YMap();
        foreach (var s in Awkward.Where(s => !s.Contains('\n') && s.Length > 0)) keys[s] = "v";
        var root = YMap.Of(("values", map), ("keys", keys), ("items", Awkward.Cast<object>().ToList()),
            ("nested", new object[] { new object[] { "a", new YMap(), new List<object>() }, YMap.Of(("x", new object[] { 1, 2L, true, false, 1.5 })) }));
        AssertReadsBackAs(root);
    }

    [Fact]
    public void EveryLabProgramReadsBackAsTheDataWritten()
    {
        var configs = new[]
        {
            Labs.Demo, Labs.Full31(), Labs.Csv31(), LabCompiler.DiscoveryConfig,
            Labs.Full31(("gcp", "true"), ("gcpProject", "my-lab-project"), ("gcpMembers", "[\"user:jdoe@example.org\"]"), ("modules", "[\"hosp\",\"icu\",\"ed\",\"note\",\"derived\"]")),
        };
        foreach (var config in configs) AssertReadsBackAs(LabCompiler.Compile(config, Labs.Catalog).ToYaml());
    }

    [Fact]
    public void OutputIsBlockStyleWithSequencesAtTheirKeysIndent()
    {
        var text = ProgramYaml.Write(YMap.Of(("a", YMap.Of(("b", new object[] { "x", YMap.Of(("c", 1), ("d", "two")) }), ("e", new YMap()), ("f", new List<object>()))),
            ("script", "line 1\n  line 2\n\nline 4\n")));
        Assert.Equal("a:\n  b:\n  - x\n  - c: 1\n    d: two\n  e: {}\n  f: []\nscript: |\n  line 1\n    line 2\n\n  line 4\n", text);
    }

    private static void AssertReadsBackAs(YMap root)
    {
        var text = ProgramYaml.Write(root);
        var parsed = BoundedYaml.Parse(text, YamlLimits.Program)!;
        Same(root, parsed, "$");
    }

    /// <summary>The written value and the value read back are the same data; a plain scalar for a string never resolves to anything else.</summary>
    private static void Same(object? written, YamlValue read, string path)
    {
        switch (written)
        {
            case YMap map:
                var m = Assert.IsType<YamlMap>(read);
                Assert.Equal(map.Select(kv => kv.Key), m.Entries.Select(e => e.Key.Value));
                foreach (var ((key, value), entry) in map.Zip(m.Entries))
                {
                    if (entry.Key.Plain) Assert.False(NotAString().IsMatch(key), $"{path}: key {key} written plain resolves to a non-string");
                    Same(value, entry.Value, $"{path}.{key}");
                }
                break;
            case string s:
                var t = Assert.IsType<YamlText>(read);
                Assert.True(s == t.Value, $"{path}: wrote {JsonSerializer.Serialize(s)}, read {JsonSerializer.Serialize(t.Value)}");
                if (t.Plain) Assert.False(NotAString().IsMatch(s), $"{path}: {s} written plain resolves to a non-string");
                // yaml.v3 reads more forms as numbers than YAML's schemas list (0X1F, 1e1_0): nothing that starts like a number is plain.
                if (t.Plain && s.Length > 0) Assert.False(char.IsAsciiDigit(s[0]) || s[0] is '+' or '.' or '-', $"{path}: {s} starts like a number but is plain");
                break;
            case null or bool or int or long or double:
                var p = Assert.IsType<YamlText>(read);
                Assert.True(p.Plain, path);
                Assert.Equal(written switch { null => "null", bool b => b ? "true" : "false", double d => d.ToString("R", CultureInfo.InvariantCulture), _ => Convert.ToString(written, CultureInfo.InvariantCulture) }, p.Value);
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                var l = Assert.IsType<YamlList>(read);
                Assert.Equal(items.Count, l.Items.Count);
                for (var i = 0; i < items.Count; i++) Same(items[i], l.Items[i], $"{path}[{i}]");
                break;
            default:
                Assert.Fail($"{path}: unexpected {written.GetType()}");
                break;
        }
    }

    // YAML 1.1 and 1.2 core-schema resolution of plain scalars to booleans, nulls, numbers and timestamps (an
    // independent statement of what the writer must quote).
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|<<|=|" +
                    @"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?0x[0-9a-fA-F_]+|[-+]?0o?[0-7_]+|[-+]?0b[01_]+|" +
                    @"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$")]
    private static partial Regex NotAString();
}
