using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MimicInfra.Input;

/// <summary>
/// JSON read and written with System.Text.Json's document and writer only: the reflection serializer builds
/// type metadata on first use (tens of milliseconds), which the compiler cannot spend on every run.
/// </summary>
public static class JsonText
{
    /// <summary>A JSON list of strings, or null when the text is not one (not JSON, not a list, an item not a string).</summary>
    public static List<string>? StringList(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var items = new List<string>(doc.RootElement.GetArrayLength());
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) return null;
                items.Add(item.GetString()!);
            }
            return items;
        }
        catch (JsonException) { return null; }
        catch (ArgumentException) { return null; }   // text that is not valid UTF-16 (a lone surrogate) is not a list either
    }

    /// <summary>A node as indented JSON, non-ASCII and HTML characters as they are (the text goes into files people read).</summary>
    public static string Indented(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 14);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            node.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
