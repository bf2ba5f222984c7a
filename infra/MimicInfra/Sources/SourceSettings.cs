namespace MimicInfra.Sources;

/// <summary>
/// Where an AWS lab's release is read from, resolved and checked once from the stack (<see cref="SourceSettingsReader"/>).
/// </summary>
/// <param name="Layout">How the source files are laid out (sourceLayout), and so how the import reads them.</param>
/// <param name="ModuleSources">Each module's folder: its moduleSources entry, its folder under sourceUri, or PhysioNet's.</param>
/// <param name="ReadInPlace">Whether the lab reads an exact-typed Parquet copy in place (sourceInPlace) instead of importing a copy of its own.</param>
/// <param name="DerivedSource">
/// Where the derived concept tables are imported from: a folder of one Parquet folder per concept table (PhysioNet's
/// derived copy, or what `local --concepts ... --parquet` writes); null when the lab has none on AWS.
/// </param>
public sealed record SourceSettings(
    SourceLayout Layout,
    IReadOnlyDictionary<string, S3Source> ModuleSources,
    bool ReadInPlace,
    S3Source? DerivedSource)
{
    /// <summary>Whether the lab owns its data: a typed Parquet copy that the import fills.</summary>
    public bool OwnsData => !ReadInPlace;
}
