using MimicInfra.Catalog;

namespace MimicInfra.Local;

/// <summary>DuckDB SQL over PhysioNet's CSV files: the raw all-text layer the typed views read.</summary>
public static class DuckDbSql
{
    public static string Literal(string text) => $"'{text.Replace("'", "''")}'";

    /// <summary>
    /// Reads a PhysioNet CSV (gzip or plain) as text, columns named from the catalog by position and the
    /// header skipped, exactly as the Athena raw table does with OpenCSVSerDe. No type guessing.
    /// </summary>
    public static string RawRelation(string path, Table table) =>
        $"read_csv({Literal(path)}, header = true, auto_detect = false, all_varchar = true, delim = ',', quote = '\"', " +
        $"escape = '\"', columns = {{{string.Join(", ", table.Columns.Select(c => $"{Literal(c.Name)}: 'VARCHAR'"))}}})";
}
