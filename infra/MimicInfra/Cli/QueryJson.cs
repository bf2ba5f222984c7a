using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace MimicInfra.Cli;

/// <summary>
/// `query --json`: a result as JSON, each column with its DuckDB type and each value typed (numbers as numbers,
/// NULL as null, dates and timestamps as ISO text), for programs that read it back, e.g. a notebook's stand-in
/// for a cloud client.
/// </summary>
internal static class QueryJson
{
    /// <summary>One result (the SQL given), or every example query's with its module, variable and title.</summary>
    public static int Print(Console io, DuckDBConnection db, IReadOnlyList<Lab.ExampleQuery>? examples, string? sql)
    {
        JsonNode result = examples is null
            ? Checked(db, sql ?? throw new UserError("give the SQL to run, or --examples."))
            : new JsonObject
            {
                ["examples"] = new JsonArray([.. examples.Select(q =>
                {
                    var r = Checked(db, q.Sql);
                    r.Insert(0, "module", q.Module);
                    r.Insert(1, "name", q.Name);
                    r.Insert(2, "title", q.Title);
                    return (JsonNode)r;
                })]),
            };
        io.Out.WriteLine(result.ToJsonString());
        return 0;
    }

    private static JsonObject Checked(DuckDBConnection db, string sql)
    {
        try { return Result(db, sql); }
        catch (DuckDBException e) { throw new UserError($"the query failed: {e.Message}"); }
    }

    public static JsonObject Result(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var columns = new JsonArray();
        for (var i = 0; i < reader.FieldCount; i++)
            columns.Add(new JsonObject { ["name"] = reader.GetName(i), ["type"] = TypeName(reader, i) });
        var rows = new JsonArray();
        while (reader.Read())
        {
            var row = new JsonArray();
            for (var i = 0; i < reader.FieldCount; i++) row.Add(reader.IsDBNull(i) ? null : Value(reader.GetValue(i)));
            rows.Add(row);
        }
        return new JsonObject { ["columns"] = columns, ["rows"] = rows };
    }

    // The column's DuckDB type in SQL's spelling (BIGINT, DOUBLE, DECIMAL, VARCHAR, DATE, TIMESTAMP); the reader
    // names it as its type enum (BigInt), without a decimal's precision and scale.
    private static string TypeName(DuckDBDataReader reader, int i) => reader.GetDataTypeName(i).ToUpperInvariant();

    private static JsonNode? Value(object v) => v switch
    {
        double d when !double.IsFinite(d) => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        float f when !float.IsFinite(f) => JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => JsonValue.Create(v),
        System.Numerics.BigInteger b => JsonNode.Parse(b.ToString(CultureInfo.InvariantCulture)),
        DateTime t => JsonValue.Create(t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)),
        IFormattable f => JsonValue.Create(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(v.ToString()),
    };
}
