namespace MimicInfra.Check;

/// <summary>One `${root.a.b[0]}` reference inside a Pulumi YAML string.</summary>
public sealed record Reference(string Root, IReadOnlyList<string> Path, string Text);

/// <summary>
/// Reads Pulumi YAML interpolations: `${...}` references, `$$` escapes for a literal `$`. A string that is
/// exactly one reference keeps the referenced value's type; any other text makes it a string.
/// </summary>
public static class Interpolation
{
    public sealed record Parsed(IReadOnlyList<Reference> References, bool IsSingleReference, string? Error);

    public static Parsed Parse(string s)
    {
        var refs = new List<Reference>();
        var i = 0;
        var literalChars = 0;
        while (i < s.Length)
        {
            if (s[i] == '$' && i + 1 < s.Length && s[i + 1] == '$') { i += 2; literalChars++; continue; }
            if (s[i] == '$' && i + 1 < s.Length && s[i + 1] == '{')
            {
                var end = s.IndexOf('}', i + 2);
                if (end < 0) return new Parsed(refs, false, $"unterminated interpolation in '{s}'");
                var body = s[(i + 2)..end];
                var reference = ParseAccess(body);
                if (reference is null) return new Parsed(refs, false, $"'${{{body}}}' is not a property access");
                refs.Add(reference);
                i = end + 1;
                continue;
            }
            literalChars++;
            i++;
        }
        return new Parsed(refs, refs.Count == 1 && literalChars == 0, null);
    }

    private static Reference? ParseAccess(string body)
    {
        var i = 0;
        while (i < body.Length && body[i] is not ('.' or '[')) i++;
        var root = body[..i];
        if (root.Length == 0) return null;
        var path = new List<string>();
        while (i < body.Length)
        {
            if (body[i] == '.')
            {
                var start = ++i;
                while (i < body.Length && body[i] is not ('.' or '[')) i++;
                if (i == start) return null;
                path.Add(body[start..i]);
            }
            else if (body[i] == '[')
            {
                var end = body.IndexOf(']', i);
                if (end < 0) return null;
                path.Add(body[(i + 1)..end].Trim('"'));
                i = end + 1;
            }
            else return null;
        }
        return new Reference(root, path, "${" + body + "}");
    }

    /// <summary>A value for people: each `${res.prop}` shown as &lt;res.prop after up&gt;.</summary>
    public static string Describe(string s) =>
        System.Text.RegularExpressions.Regex.Replace(s, @"\$\{([^}]+)\}", m => $"<{m.Groups[1].Value} after up>").Replace("$$", "$");

    /// <summary>The text a literal string stands for, `$$` read as `$` (for strings with no reference).</summary>
    public static string Unescape(string s) => s.Replace("$$", "$");
}
