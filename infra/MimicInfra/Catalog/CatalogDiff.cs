namespace MimicInfra.Catalog;

public enum ChangeKind { TableAdded, TableRemoved, ColumnAdded, ColumnRemoved, ColumnRetyped, NullabilityChanged }

public sealed record SchemaChange(ChangeKind Kind, string Table, string? Column = null, string? From = null, string? To = null)
{
    public override string ToString() => Kind switch
    {
        ChangeKind.TableAdded => $"+ table  {Table}",
        ChangeKind.TableRemoved => $"- table  {Table}",
        ChangeKind.ColumnAdded => $"+ column {Table}.{Column} {To}",
        ChangeKind.ColumnRemoved => $"- column {Table}.{Column} {From}",
        ChangeKind.ColumnRetyped => $"~ column {Table}.{Column} {From} -> {To}",
        _ => $"~ column {Table}.{Column} {From} -> {To}",
    };
}

/// <summary>What changes between two releases, table by table (tables are compared as module.table).</summary>
public static class CatalogDiff
{
    public static IReadOnlyList<SchemaChange> Between(Release a, Release b)
    {
        var left = a.AllTables.ToDictionary(x => $"{x.Module.Name}.{x.Table.Name}", x => x.Table);
        var right = b.AllTables.ToDictionary(x => $"{x.Module.Name}.{x.Table.Name}", x => x.Table);
        var changes = new List<SchemaChange>();
        foreach (var name in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
        {
            if (!right.TryGetValue(name, out var rt)) { changes.Add(new(ChangeKind.TableRemoved, name)); continue; }
            if (!left.TryGetValue(name, out var lt)) { changes.Add(new(ChangeKind.TableAdded, name)); continue; }
            foreach (var c in lt.Columns.Where(c => rt.FindColumn(c.Name) is null))
                changes.Add(new(ChangeKind.ColumnRemoved, name, c.Name, From: c.Type.ToString()));
            foreach (var c in rt.Columns)
            {
                var old = lt.FindColumn(c.Name);
                if (old is null) changes.Add(new(ChangeKind.ColumnAdded, name, c.Name, To: c.Type.ToString()));
                else
                {
                    if (old.Type != c.Type) changes.Add(new(ChangeKind.ColumnRetyped, name, c.Name, old.Type.ToString(), c.Type.ToString()));
                    if (old.Nullable != c.Nullable)
                        changes.Add(new(ChangeKind.NullabilityChanged, name, c.Name, Nullability(old), Nullability(c)));
                }
            }
        }
        return changes;
    }

    private static string Nullability(Column c) => c.Nullable ? "nullable" : "required";
}
