using MimicInfra.Catalog;

namespace MimicInfra.Sources;

/// <summary>
/// Which modules an AWS lab's import can read from a source layout: the one place that says so, used by the
/// settings reader (which refuses the rest) and by `labs new` (whose default modules are exactly these).
/// </summary>
public static class Importable
{
    /// <summary>Whether the import reads every table of the module from this layout.</summary>
    public static bool CanImport(SourceLayout layout, Module m) => WhyNot(layout, m) is null;

    /// <summary>
    /// The first table the import cannot read from this layout, with the reason; null when it reads them all. None today:
    /// CSV with line breaks inside quoted text (the notes), which Athena's CSV readers cannot read, is re-encoded by the
    /// import as it copies (ImportPlan.HasQuotedLineBreaks), so every module with files imports from every layout.
    /// </summary>
    public static (Table Table, string Reason)? WhyNot(SourceLayout layout, Module m) => null;
}
