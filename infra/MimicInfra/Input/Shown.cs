using System.Text;

namespace MimicInfra.Input;

/// <summary>
/// How a value from the user appears in a message: quoted, at most <see cref="MaxChars"/> characters of it,
/// control characters made visible, and its length when cut, so a huge or binary value never floods a terminal.
/// </summary>
public static class Shown
{
    public const int MaxChars = 100;

    public static string Quote(string? value)
    {
        value ??= "";
        var cut = value.Length > MaxChars;
        var sb = new StringBuilder(Math.Min(value.Length, MaxChars) + 2).Append('\'');
        var end = cut && char.IsHighSurrogate(value[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
        foreach (var ch in cut ? value[..end] : value)
            sb.Append(char.IsControl(ch) ? $"\\u{(int)ch:x4}" : ch.ToString());
        sb.Append(cut ? "…'" : "'");
        if (cut) sb.Append($" ({value.Length:N0} characters)");
        return sb.ToString();
    }
}
