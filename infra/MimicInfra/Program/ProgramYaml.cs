using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MimicInfra.Program;

/// <summary>
/// Writes a program as block-style YAML. Strings are plain where a YAML 1.1 or 1.2 reader (Pulumi reads with
/// yaml.v3) can only take them for that same string, a literal block when they are multi-line text, and
/// double-quoted otherwise; the same program always gives the same bytes.
/// Written by hand, not with YamlDotNet's emitter: for the largest lab (0.65 MB) the emitter took about 60 ms,
/// a quarter of what the compiler may take per run, and the program needs only this small subset of YAML.
/// The tests read every program back with YamlDotNet and compare it with what was written.
/// </summary>
public static partial class ProgramYaml
{
    public static string Write(PulumiProgram program) => Write(program.ToYaml());

    public static string Write(YMap root)
    {
        var w = new StringBuilder(1 << 16);
        if (root.Count == 0) w.Append("{}\n");
        else Map(w, root, 0, continuing: false);
        return w.ToString();
    }

    /// <summary>A non-empty mapping at <paramref name="indent"/>; when continuing, its first key goes on the current line (after "- ").</summary>
    private static void Map(StringBuilder w, YMap map, int indent, bool continuing)
    {
        foreach (var (key, value) in map)
        {
            if (continuing) continuing = false;
            else w.Append(' ', indent);
            Scalar(w, key, indent, isKey: true);
            w.Append(':');
            Value(w, value, indent, inSequence: false);
        }
    }

    /// <summary>A non-empty sequence whose items start at <paramref name="indent"/>.</summary>
    private static void Sequence(StringBuilder w, List<object?> items, int indent, bool continuing)
    {
        foreach (var item in items)
        {
            if (continuing) continuing = false;
            else w.Append(' ', indent);
            w.Append('-');
            Value(w, item, indent, inSequence: true);
        }
    }

    /// <summary>What follows a key's colon or an item's dash: " scalar", or a nested block on the next lines (or, for an item, on the same line).</summary>
    private static void Value(StringBuilder w, object? value, int indent, bool inSequence)
    {
        switch (value)
        {
            case YMap { Count: 0 }:
                w.Append(" {}\n");
                break;
            case YMap map when inSequence:
                w.Append(' ');
                Map(w, map, indent + 2, continuing: true);
                break;
            case YMap map:
                w.Append('\n');
                Map(w, map, indent + 2, continuing: false);
                break;
            case string s:
                w.Append(' ');
                Scalar(w, s, indent, isKey: false);
                break;
            case null or bool or int or long or double:
                w.Append(' ').Append(Plain(value)).Append('\n');
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                if (items.Count == 0) w.Append(" []\n");
                else if (inSequence) { w.Append(' '); Sequence(w, items, indent + 2, continuing: true); }
                else { w.Append('\n'); Sequence(w, items, indent, continuing: false); }   // a key's items sit at the key's indent
                break;
            default:
                throw new ArgumentException($"cannot write {value.GetType().Name} as YAML");
        }
    }

    private static string Plain(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>A string: a key ends where the colon follows; a value ends its line (a literal block, its lines).</summary>
    private static void Scalar(StringBuilder w, string s, int indent, bool isKey)
    {
        if (!isKey && IsLiteralBlock(s))
        {
            // `|` keeps every line as written; `|+` also keeps more than one final line break.
            w.Append('|');
            if (s.EndsWith("\n\n", StringComparison.Ordinal)) w.Append('+');
            w.Append('\n');
            var start = 0;
            while (start < s.Length)
            {
                var end = s.IndexOf('\n', start);
                if (end > start) w.Append(' ', indent + 2).Append(s, start, end - start);
                w.Append('\n');
                start = end + 1;
            }
            return;
        }
        if (IsPlain(s)) w.Append(s);
        else DoubleQuoted(w, s);
        if (!isKey) w.Append('\n');
    }

    /// <summary>Multi-line text that a literal block keeps exactly: ending in a line break, no trailing blanks or tabs, nothing that is not printable.</summary>
    private static bool IsLiteralBlock(string s)
    {
        // Text starting with a blank or a line break would need an indentation indicator: it is double-quoted instead.
        if (s.Length < 2 || !s.EndsWith('\n') || s[0] is ' ' or '\n') return false;
        if (s.Contains(" \n", StringComparison.Ordinal)) return false;
        foreach (var c in s)
            if (c != '\n' && !IsPrintable(c) || c == '\t') return false;
        return true;
    }

    /// <summary>
    /// Whether a string may be written plain: it starts with no YAML indicator, holds no ": " or " #", no
    /// line break, tab or unprintable character, has no blank at either end, and is not what a YAML 1.1 or
    /// 1.2 reader would take for a boolean, null, number or timestamp.
    /// </summary>
    private static bool IsPlain(string s)
    {
        if (s.Length == 0 || s[0] == ' ' || s[^1] == ' ' || s[^1] == ':') return false;
        if ("-?:,[]{}#&*!|>'\"%@`".Contains(s[0]) || s.StartsWith("...", StringComparison.Ordinal)) return false;
        // Numbers and timestamps all start with a digit, a sign or '.', and readers differ on which of those they take
        // for one (yaml.v3 reads 0X1F, +0O17 and 1e1_0 as numbers): anything starting so is quoted.
        if (char.IsAsciiDigit(s[0]) || s[0] is '+' or '.') return false;
        foreach (var c in s)
            if (!IsPrintable(c) || c == '\t') return false;
        if (s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal)) return false;
        return !NotAString().IsMatch(s);
    }

    /// <summary>Printable in YAML and not a line break of YAML 1.1 (NEL, LS, PS) or a byte-order mark.</summary>
    private static bool IsPrintable(char c) =>
        c >= ' ' && c != '\x7F' && !(c >= '\x80' && c <= '\x9F') && c != '\u2028' && c != '\u2029' && c != '\uFEFF' && !char.IsSurrogate(c);

    private static void DoubleQuoted(StringBuilder w, string s)
    {
        w.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': w.Append("\\\""); break;
                case '\\': w.Append("\\\\"); break;
                case '\n': w.Append("\\n"); break;
                case '\t': w.Append("\\t"); break;
                case '\r': w.Append("\\r"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { w.Append(c).Append(s[++i]); }
                    else if (char.IsSurrogate(c)) throw new ArgumentException("a string holds a lone UTF-16 surrogate, which YAML cannot write");
                    else if (IsPrintable(c)) w.Append(c);
                    else w.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
            }
        }
        w.Append('"');
    }

    // The words YAML 1.1 or 1.2 readers resolve to a boolean, null or merge/value key when written plain (numbers and
    // timestamps are quoted by their first character above).
    [GeneratedRegex(@"^(?i:y|n|yes|no|on|off|true|false|null|~|<<|=)$")]
    private static partial Regex NotAString();
}
