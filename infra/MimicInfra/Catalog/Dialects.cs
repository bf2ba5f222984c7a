namespace MimicInfra.Catalog;

public enum Dialect { Glue, Athena, BigQuery, DuckDb }

/// <summary>
/// How each logical type is spelled by each engine. One row per kind; parameterised kinds fill in
/// their length, precision and scale.
/// </summary>
/// <remarks>
/// Strings are unbounded everywhere on purpose: Trino silently truncates on CAST(x AS varchar(n)), and a
/// release that widens a column (MIMIC-IV 3.0 widened admissions.language) must never lose characters.
/// The catalog keeps the lengths as documentation and the data tests prove the real values fit them.
/// </remarks>
public static class Dialects
{
    private sealed record Row(string Glue, string Athena, string BigQuery, string DuckDb);

    private static readonly IReadOnlyDictionary<TypeKind, Row> Rows = new Dictionary<TypeKind, Row>
    {
        [TypeKind.SmallInt] = new("smallint", "smallint", "INT64", "SMALLINT"),
        [TypeKind.Integer] = new("int", "integer", "INT64", "INTEGER"),
        [TypeKind.BigInt] = new("bigint", "bigint", "INT64", "BIGINT"),
        [TypeKind.Double] = new("double", "double", "FLOAT64", "DOUBLE"),
        [TypeKind.Decimal] = new("decimal({p},{s})", "decimal({p},{s})", "NUMERIC", "DECIMAL({p},{s})"),
        [TypeKind.Varchar] = new("string", "varchar", "STRING", "VARCHAR"),
        [TypeKind.Char] = new("string", "varchar", "STRING", "VARCHAR"),
        [TypeKind.Text] = new("string", "varchar", "STRING", "VARCHAR"),
        [TypeKind.Date] = new("date", "date", "DATE", "DATE"),
        [TypeKind.Timestamp] = new("timestamp", "timestamp", "DATETIME", "TIMESTAMP"),
        [TypeKind.Boolean] = new("boolean", "boolean", "BOOL", "BOOLEAN"),
    };

    public static string TypeName(ColumnType type, Dialect dialect)
    {
        var row = Rows[type.Kind];
        var name = dialect switch
        {
            Dialect.Glue => row.Glue,
            Dialect.Athena => row.Athena,
            Dialect.BigQuery => row.BigQuery,
            Dialect.DuckDb => row.DuckDb,
            _ => throw new ArgumentOutOfRangeException(nameof(dialect)),
        };
        // BigQuery NUMERIC holds 29 integer and 9 fractional digits; anything wider is BIGNUMERIC.
        if (dialect == Dialect.BigQuery && type.Kind == TypeKind.Decimal && (type.Scale > 9 || type.Precision - type.Scale > 29))
            name = "BIGNUMERIC";
        return name.Replace("{p}", type.Precision.ToString(System.Globalization.CultureInfo.InvariantCulture))
                   .Replace("{s}", type.Scale.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
