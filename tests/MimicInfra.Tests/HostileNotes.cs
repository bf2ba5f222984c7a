using MimicInfra.Catalog;

namespace MimicInfra.Tests;

/// <summary>
/// Note files with every awkward case a CSV of free text can hold: line breaks and CRLF inside quotes, quotes,
/// commas, backslashes, non-ASCII (accents, CJK, emoji, U+2028), empty values quoted and unquoted, and texts far
/// longer than Python's csv default field limit (128 KiB). Written the way PhysioNet writes its CSV (a quote doubled).
/// </summary>
internal static class HostileNotes
{
    private static readonly string[] Texts =
    [
        "plain text",
        "line one\nline two\n\nafter an empty line",
        "windows\r\nline\r\nends",
        "a lone\rcarriage return",
        "say \"hello\", then \"\"twice\"\"",
        "\"starts with a quote",
        "commas, everywhere,,, ,",
        "back\\slash, \\n is not a newline, \\\"quoted\\\"",
        "non-ASCII: é ü ß Å 中文 العربية 😀 \u2028 line separator \u0085 next line",
        "  leading and trailing spaces  ",
        "ends with a newline\n",
        "NULL",
        "null",
        "{\"looks\": \"like json\"}\n[1, 2]",
        "tab\there",
        "",
    ];

    public static string ValueOf(Column c, int row, int col)
    {
        if (c.Type.IsString)
        {
            if (c.Name == "text" && row % 7 == 3) return string.Concat(Enumerable.Repeat("very long \"note\", with a line break\n and ünïcödé; ", 5000));   // ~250 KB
            return Texts[(row + col) % Texts.Length];
        }
        return c.Type.Kind switch
        {
            TypeKind.Timestamp => row % 5 == 4 && c.Nullable ? "" : $"2180-07-{1 + row % 28:00} {row % 24:00}:{row % 60:00}:{(row * 7) % 60:00}",
            TypeKind.Date => $"2180-07-{1 + row % 28:00}",
            _ => row % 6 == 5 && c.Nullable ? "" : (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string Field(string value, int row, int col)
    {
        if (value.Length == 0) return (row + col) % 2 == 0 ? "" : "\"\"";   // empty: unquoted and quoted
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 || (row + col) % 3 == 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <summary>A gzip CSV whose records are lines (no quoted line breaks), as PhysioNet's hosp and icu files are.</summary>
    public static void WritePlain(string path, Table t, int rows)
    {
        using var file = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine(string.Join(",", t.Columns.Select(c => c.Name)));
        for (var r = 0; r < rows; r++)
            w.WriteLine(string.Join(",", t.Columns.Select((c, i) => c.Type.IsString ? $"\"value {r}, \"\"{i}\"\"\"" : ValueOf(c, r, i))));
    }

    /// <summary>A gzip CSV of the table with a header and the given number of rows.</summary>
    public static void Write(string path, Table t, int rows)
    {
        using var file = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        w.WriteLine(string.Join(",", t.Columns.Select(c => c.Name)));
        for (var r = 0; r < rows; r++)
            w.WriteLine(string.Join(",", t.Columns.Select((c, i) => Field(ValueOf(c, r, i), r, i))));
    }
}
