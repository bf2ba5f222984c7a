namespace MimicInfra.Catalog;

/// <summary>
/// The SQL of a typed view over a raw all-text relation: one generator for Athena (Trino) and DuckDB,
/// which differ only in type names. Empty text is NULL, as PhysioNet's own loaders read the CSV files
/// (postgres `NULL ''`), and OpenCSVSerDe cannot tell a quoted empty string from a missing value anyway.
/// </summary>
public static class TypedViewSql
{
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";

    /// <summary>The expression that turns the raw text column into its catalog type.</summary>
    public static string CastExpression(Column column, Dialect dialect)
    {
        var text = $"NULLIF({Quote(column.Name)}, '')";
        return column.Type.IsString ? text : $"CAST({text} AS {Dialects.TypeName(column.Type, dialect)})";
    }

    /// <summary>SELECT list and FROM clause of the typed view, columns in catalog order.</summary>
    public static string ViewQuery(Table table, string rawRelation, Dialect dialect) =>
        "SELECT\n  " +
        string.Join(",\n  ", table.Columns.Select(c => $"{CastExpression(c, dialect)} AS {Quote(c.Name)}")) +
        $"\nFROM {rawRelation}";

    /// <summary>
    /// The text a non-string value must match to convert without loss: what Trino's varchar casts accept,
    /// narrowed so that nothing is rounded (decimal scale). Strings have no pattern, only their length.
    /// Used to prove real files against the catalog.
    /// </summary>
    public static string? LosslessTextPattern(ColumnType type) => type.Kind switch
    {
        TypeKind.SmallInt or TypeKind.Integer or TypeKind.BigInt => @"^[+-]?[0-9]+$",
        TypeKind.Double => @"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^NaN$|^[+-]?Infinity$",
        TypeKind.Decimal => $@"^[+-]?([0-9]{{1,{Math.Max(1, type.Precision - type.Scale)}}}(\.[0-9]{{0,{type.Scale}}})?|\.[0-9]{{1,{Math.Max(1, type.Scale)}}})$",
        TypeKind.Date => @"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        TypeKind.Timestamp => @"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?)?$",
        TypeKind.Boolean => @"^(?i)(true|false)$",
        _ => null,
    };
}
