using System.Text;

namespace MimicInfra.Fleet;

/// <summary>
/// `labs list` as plain text that fits a width without ever breaking a word: cells are never wrapped; when
/// the table is too wide, the least needed columns are left out (and named), and when even the essential ones
/// do not fit, each lab becomes a short block of `field: value` lines, wrapped between words. No width (a
/// pipe) means one line per lab, every column. Pure; no colour, no control characters.
/// </summary>
public static class FleetTable
{
    private const string Gap = "  ";

    /// <param name="headers">Column titles, most needed first: columns are dropped from the end.</param>
    /// <param name="essential">How many leading columns are never dropped.</param>
    public static IReadOnlyList<string> Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int essential, int? width)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
        var shown = headers.Count;
        int Total(int n) => widths.Take(n).Sum() + Gap.Length * (n - 1);
        while (width is { } w && shown > essential && Total(shown) > w) shown--;
        if (width is { } max && Total(shown) > max) return Blocks(headers, rows, max);

        var lines = new List<string> { Row(headers, widths, shown), Row(widths.Select(n => new string('-', n)).ToList(), widths, shown) };
        lines.AddRange(rows.Select(r => Row(r, widths, shown)));
        if (shown < headers.Count)
            lines.AddRange(Wrap($"(left out to fit {width} columns: {string.Join(", ", headers.Skip(shown))}; `labs list --json` has every field)", width, ""));
        return lines;
    }

    private static string Row(IReadOnlyList<string> cells, IReadOnlyList<int> widths, int shown)
    {
        var b = new StringBuilder();
        for (var i = 0; i < shown; i++)
        {
            if (i > 0) b.Append(Gap);
            b.Append(i == shown - 1 ? cells[i] : cells[i].PadRight(widths[i]));
        }
        return b.ToString().TrimEnd();
    }

    private static List<string> Blocks(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        var lines = new List<string>();
        foreach (var r in rows)
        {
            lines.AddRange(Wrap(r[0], width, ""));
            for (var i = 1; i < headers.Count; i++) lines.AddRange(Wrap($"{headers[i]}: {r[i]}", width, "    ", first: "  "));
        }
        return lines;
    }

    /// <summary>Words joined into lines of at most <paramref name="width"/> characters; a word longer than a line stands alone, whole.</summary>
    public static IEnumerable<string> Wrap(string text, int? width, string indent, string first = "")
    {
        if (width is not { } w) { yield return first + text; yield break; }
        var line = new StringBuilder(first);
        var empty = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > w)
            {
                yield return line.ToString();
                line.Clear().Append(indent);
                empty = true;
            }
            if (!empty) line.Append(' ');
            line.Append(word);
            empty = false;
        }
        if (!empty) yield return line.ToString();
    }
}
