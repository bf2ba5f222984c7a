using System.Globalization;
using System.Text.RegularExpressions;

namespace MimicInfra.Catalog;

public enum TypeKind { SmallInt, Integer, BigInt, Double, Decimal, Varchar, Char, Text, Date, Timestamp, Boolean }

/// <summary>
/// A column type from the catalog's small logical set. Each maps cleanly to Glue/Hive, Athena (Trino),
/// BigQuery and DuckDB through <see cref="Dialects"/>.
/// </summary>
public sealed partial record ColumnType(TypeKind Kind, int Length = 0, int Precision = 0, int Scale = 0)
{
    public const string Spellings =
        "smallint, integer, bigint, double, decimal(p,s), varchar(n), char(n), text, date, timestamp, boolean";

    public static readonly ColumnType SmallInt = new(TypeKind.SmallInt);
    public static readonly ColumnType Integer = new(TypeKind.Integer);
    public static readonly ColumnType BigInt = new(TypeKind.BigInt);
    public static readonly ColumnType Double = new(TypeKind.Double);
    public static readonly ColumnType Text = new(TypeKind.Text);
    public static readonly ColumnType Date = new(TypeKind.Date);
    public static readonly ColumnType Timestamp = new(TypeKind.Timestamp);
    public static readonly ColumnType Boolean = new(TypeKind.Boolean);

    public static ColumnType Varchar(int length) => new(TypeKind.Varchar, Length: length);
    public static ColumnType Char(int length) => new(TypeKind.Char, Length: length);
    public static ColumnType Decimal(int precision, int scale) => new(TypeKind.Decimal, Precision: precision, Scale: scale);

    public bool IsString => Kind is TypeKind.Varchar or TypeKind.Char or TypeKind.Text;

    public static bool TryParse(string? text, out ColumnType type, out string problem)
    {
        type = Text;
        problem = "";
        var s = (text ?? "").Trim().ToLowerInvariant();
        var simple = s switch
        {
            "smallint" => SmallInt, "integer" => Integer, "bigint" => BigInt, "double" => Double,
            "text" => Text, "date" => Date, "timestamp" => Timestamp, "boolean" => Boolean, _ => null,
        };
        if (simple is not null) { type = simple; return true; }

        var m = Sized().Match(s);
        if (m.Success)
        {
            var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (n is < 1 or > 65535) { problem = $"length {n} of '{text}' must be 1..65535"; return false; }
            type = m.Groups[1].Value == "varchar" ? Varchar(n) : Char(n);
            return true;
        }
        m = DecimalType().Match(s);
        if (m.Success)
        {
            var p = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var sc = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (p is < 1 or > 38 || sc > p) { problem = $"'{text}' needs 1 <= precision <= 38 and scale <= precision"; return false; }
            type = Decimal(p, sc);
            return true;
        }
        problem = $"unknown type '{text}'; use one of: {Spellings}";
        return false;
    }

    public static ColumnType Parse(string text) =>
        TryParse(text, out var t, out var problem) ? t : throw new FormatException(problem);

    public override string ToString() => Kind switch
    {
        TypeKind.Varchar => $"varchar({Length})",
        TypeKind.Char => $"char({Length})",
        TypeKind.Decimal => $"decimal({Precision},{Scale})",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex(@"^(varchar|char)\((\d{1,6})\)$")]
    private static partial Regex Sized();

    [GeneratedRegex(@"^decimal\((\d{1,2}),\s*(\d{1,2})\)$")]
    private static partial Regex DecimalType();
}
