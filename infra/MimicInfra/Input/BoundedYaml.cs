using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MimicInfra.Input;

/// <summary>A position in a YAML text, 1-based as editors show it.</summary>
public readonly record struct Place(long Line, long Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>A YAML node read with <see cref="BoundedYaml"/>: plain data with where it stood.</summary>
public abstract record YamlValue(Place At);

public sealed record YamlText(string Value, bool Plain, Place At) : YamlValue(At);

public sealed record YamlList(IReadOnlyList<YamlValue> Items, Place At) : YamlValue(At);

public sealed record YamlMap(IReadOnlyList<(YamlText Key, YamlValue Value)> Entries, Place At) : YamlValue(At);

/// <summary>How much YAML a reader accepts: a stack file is small; a compiled program is larger but just as finite.</summary>
public sealed record YamlLimits(int MaxBytes, int MaxDepth, int MaxNodes)
{
    public static readonly YamlLimits StackFile = new(1 << 20, 16, 50_000);
    public static readonly YamlLimits Program = new(64 << 20, 64, 4_000_000);
    /// <summary>A catalog file of the repository's schemas/ (the largest is under 100 KB).</summary>
    public static readonly YamlLimits Catalog = new(4 << 20, 16, 500_000);
}

/// <summary>Why a YAML text was refused: what is wrong, where, and what to do.</summary>
public sealed class YamlInputException(Place? at, string message) : Exception(message)
{
    public Place? At { get; } = at;
}

/// <summary>
/// Reads one small YAML document (a stack file) into plain data with hard bounds, so no input can hang the
/// compiler or make it use much memory: a size cap, a depth cap, a node cap, no aliases (an alias bomb is a
/// few lines that expand to billions of nodes; stack files never need them), no duplicate keys, and every
/// failure of the parser, whatever its kind, turned into a located message. YamlDotNet does the lexing and
/// parsing; only the tree is built here, from its event stream, because its own tree expands aliases.
/// </summary>
public static class BoundedYaml
{
    public static int MaxBytes => YamlLimits.StackFile.MaxBytes;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes bytes as UTF-8 (a BOM is allowed), refusing anything larger than <see cref="MaxBytes"/> or not UTF-8.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
            throw new YamlInputException(null, $"is larger than {MaxBytes:N0} bytes, the most a stack file may be. Keep only the lab's settings in it.");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (bytes.IndexOf((byte)0) is var nul and >= 0)
            throw new YamlInputException(null, $"contains NUL bytes (first at offset {nul}), so it is not UTF-8 YAML text (UTF-16?); save it as UTF-8.");
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            throw new YamlInputException(null, $"is not UTF-8 text (invalid byte at offset {e.Index}); save it as UTF-8.");
        }
    }

    /// <summary>The document's root, or null for an empty text.</summary>
    public static YamlValue? Parse(string text, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.StackFile;
        if (text.Length > limits.MaxBytes)
            throw new YamlInputException(null, $"is {text.Length:N0} characters; at most {limits.MaxBytes:N0} are read.");
        var reader = new Reader(new Parser(new StringReader(text)), limits);
        try
        {
            return reader.Document();
        }
        catch (YamlInputException) { throw; }
        catch (YamlException e)
        {
            var message = (e.InnerException ?? e).Message.TrimEnd('.');
            // YamlDotNet prefixes its message with the position, which the place already says.
            var paren = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && paren > 0) message = message[(paren + 3)..];
            throw new YamlInputException(PlaceOf(e.Start), $"{message}. Fix the YAML syntax there.");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException or NullReferenceException)
        {
            // The parser can fail with other exceptions on some broken inputs (for example an unclosed '['
            // followed by a `key: value` line); they are still syntax errors of the file, never crashes.
            throw new YamlInputException(reader.Last, "the YAML parser cannot read the text from here (an unclosed bracket or quote?). Fix the YAML syntax there.");
        }
    }

    private static Place PlaceOf(Mark m) => new(m.Line, m.Column);

    private sealed class Reader(IParser parser, YamlLimits limits)
    {
        private int _nodes;

        public Place Last { get; private set; } = new(1, 1);

        private ParsingEvent Next()
        {
            if (!parser.MoveNext()) throw new YamlInputException(Last, "the text ends in the middle of a value. Fix the YAML syntax there.");
            var e = parser.Current!;
            Last = PlaceOf(e.Start);
            return e;
        }

        public YamlValue? Document()
        {
            Expect<StreamStart>();
            var e = Next();
            if (e is StreamEnd) return null;
            if (e is not DocumentStart) throw new YamlInputException(Last, "expected a YAML document.");
            var root = Node(Next(), 1);
            if (Next() is not DocumentEnd) throw new YamlInputException(Last, "expected the end of the document.");
            if (Next() is DocumentStart)
                throw new YamlInputException(Last, $"{(limits == YamlLimits.StackFile ? "a stack file" : "the file")} holds one YAML document; remove the second '---' and what follows it.");
            return root;
        }

        private void Expect<T>() where T : ParsingEvent
        {
            if (Next() is not T) throw new YamlInputException(Last, $"expected {typeof(T).Name}.");
        }

        private YamlValue Node(ParsingEvent e, int depth)
        {
            if (++_nodes > limits.MaxNodes)
                throw new YamlInputException(Last, limits == YamlLimits.StackFile
                    ? $"more than {limits.MaxNodes:N0} values; a stack file holds a few dozen settings."
                    : $"more than {limits.MaxNodes:N0} values.");
            if (depth > limits.MaxDepth)
                throw new YamlInputException(Last, limits == YamlLimits.StackFile
                    ? $"values are nested more than {limits.MaxDepth} levels deep; lab settings are at most a list or a map of plain values."
                    : $"values are nested more than {limits.MaxDepth} levels deep.");
            switch (e)
            {
                case AnchorAlias alias:
                    throw new YamlInputException(Last, $"YAML aliases (*{alias.Value}) are not allowed {(limits == YamlLimits.StackFile ? "in a stack file" : "here")}; write the value out in full.");
                case Scalar s:
                    return new YamlText(s.Value, s.Style == ScalarStyle.Plain && s.Tag.IsEmpty, Last);
                case SequenceStart start:
                {
                    var at = Last;
                    var items = new List<YamlValue>();
                    for (var next = Next(); next is not SequenceEnd; next = Next()) items.Add(Node(next, depth + 1));
                    return new YamlList(items, at);
                }
                case MappingStart:
                {
                    var at = Last;
                    var entries = new List<(YamlText, YamlValue)>();
                    var seen = new Dictionary<string, Place>(StringComparer.Ordinal);
                    for (var next = Next(); next is not MappingEnd; next = Next())
                    {
                        var keyAt = Last;
                        if (Node(next, depth + 1) is not YamlText key)
                            throw new YamlInputException(keyAt, "a key must be a plain name, not a list or a map.");
                        if (seen.TryGetValue(key.Value, out var first))
                            throw new YamlInputException(keyAt, $"duplicate key {Shown.Quote(key.Value)} (first at {first}); keep one of them.");
                        seen[key.Value] = keyAt;
                        entries.Add((key, Node(Next(), depth + 1)));
                    }
                    return new YamlMap(entries, at);
                }
                default:
                    throw new YamlInputException(Last, $"unexpected {e.GetType().Name}. Fix the YAML syntax there.");
            }
        }
    }
}
