using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MimicInfra.Program;

/// <summary>
/// Writes a program as YAML with YamlDotNet's emitter. Strings that a YAML reader would take for a
/// number, boolean or null are double-quoted (Pulumi reads with yaml.v3), multi-line text is a literal
/// block, and the same program always gives the same bytes.
/// </summary>
public static partial class ProgramYaml
{
    public static string Write(PulumiProgram program) => Write(program.ToYaml());

    public static string Write(YMap root)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter e, object? value)
    {
        switch (value)
        {
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case bool b:
                e.Emit(new Scalar(null, null, b ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            case int or long:
                e.Emit(new Scalar(null, null, Convert.ToString(value, CultureInfo.InvariantCulture)!, ScalarStyle.Plain, true, false));
                break;
            case double d:
                e.Emit(new Scalar(null, null, d.ToString("R", CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
                break;
            case string s:
                e.Emit(new Scalar(null, null, s, StyleFor(s), true, true));
                break;
            case YMap map:
                e.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (k, v) in map)
                {
                    e.Emit(new Scalar(null, null, k, StyleFor(k), true, true));
                    Emit(e, v);
                }
                e.Emit(new MappingEnd());
                break;
            case System.Collections.IEnumerable list:
                e.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in list) Emit(e, item);
                e.Emit(new SequenceEnd());
                break;
            default:
                throw new ArgumentException($"cannot write {value.GetType().Name} as YAML");
        }
    }

    private static ScalarStyle StyleFor(string s)
    {
        if (s.Contains('\n')) return s.EndsWith('\n') && !s.Contains(" \n") && !s.Contains('\t') ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted;
        return s.Length == 0 || NotAString().IsMatch(s) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
    }

    // What YAML 1.1 or 1.2 readers resolve to a boolean, null, number or timestamp when it is written plain.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$|^(?i:y|n|yes|no|on|off|true|false|null|~|[-+]?\.inf|\.nan)$|^[-+]?(0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+)$")]
    private static partial Regex NotAString();
}
