namespace MimicInfra.Catalog;

/// <summary>
/// The SQL that turns a source relation into a table's catalog types: one generator for Athena (Trino) and
/// DuckDB, which differ only in type names. Used by the local lab, the AWS import and the data tests.
/// A text source (PhysioNet's CSV files) reads empty text as NULL, as PhysioNet's own loaders do (postgres
/// `NULL ''`), and OpenCSVSerDe cannot tell a quoted empty string from a missing value anyway. A typed
/// source (Parquet) is cast only where its physical type differs from the catalog's.
/// </summary>
public static class TypedViewSql
{
    /// <summary>The physical (Glue) type of a text column: what a CSV file holds.</summary>
    public const string Text = "string";

    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";

    /// <summary>The expression that turns the raw text column (a CSV field) into its catalog type.</summary>
    public static string CastExpression(Column column, Dialect dialect)
    {
        var text = $"NULLIF({Quote(column.Name)}, '')";
        return column.Type.IsString ? text : $"CAST({text} AS {Dialects.TypeName(column.Type, dialect)})";
    }

    /// <summary>
    /// The expression that turns a typed source column of the given physical (Glue) type into its catalog type:
    /// as it is where the types agree, else a cast (a string read as a number or time treats '' as NULL, as text does).
    /// </summary>
    public static string CastExpression(Column column, string sourceGlueType, Dialect dialect)
    {
        if (sourceGlueType == Dialects.TypeName(column.Type, Dialect.Glue)) return Quote(column.Name);
        var value = sourceGlueType == Text ? $"NULLIF({Quote(column.Name)}, '')" : Quote(column.Name);
        return $"CAST({value} AS {Dialects.TypeName(column.Type, dialect)})";
    }

    /// <summary>SELECT list and FROM clause of the typed view over a text relation, columns in catalog order.</summary>
    public static string ViewQuery(Table table, string rawRelation, Dialect dialect) =>
        Select(table, rawRelation, c => CastExpression(c, dialect));

    /// <summary>SELECT list and FROM clause over a typed relation whose columns have the given physical (Glue) types.</summary>
    public static string ViewQuery(Table table, string relation, Dialect dialect, Func<Column, string> sourceGlueType) =>
        Select(table, relation, c => CastExpression(c, sourceGlueType(c), dialect));

    private static string Select(Table table, string relation, Func<Column, string> expression) =>
        "SELECT\n  " + string.Join(",\n  ", table.Columns.Select(c => $"{expression(c)} AS {Quote(c.Name)}")) + $"\nFROM {relation}";

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
