using MimicInfra.Catalog;
using MimicInfra.Gcp;
using MimicInfra.Sources;

namespace MimicInfra.Lab;

/// <summary>Everything a lab is built from, read once from the stack config and validated.</summary>
public sealed record LabSettings(
    string Stack,
    Release Release,
    IReadOnlyList<Module> Modules,
    string Researcher,
    string Study,
    DateOnly Expires,
    IReadOnlyList<KeyValuePair<string, string>> ExtraTags,
    AwsSettings? Aws,
    GcpSettings? Gcp)
{
    /// <summary>
    /// The researcher as the cloud sees the lab (resource names, tags, labels, descriptions): the stack's id, or,
    /// when that is an e-mail address, an opaque id derived from it, so no address reaches a globally visible
    /// bucket name or a tag. The stack file keeps the address; `preview` shows both. Computed once: every tag map reads it.
    /// </summary>
    public string ResearcherInCloud { get; } = ResearcherIds.InCloud(Researcher);

    public LabNames Names { get; } = LabNames.For(Stack, ResearcherIds.InCloud(Researcher), Study);

    /// <summary>The stack's provider keys and account binding, passed to the explicit providers.</summary>
    public Fleet.ProviderSettings Providers { get; init; } = Fleet.ProviderSettings.None;

    /// <summary>
    /// The release's derived concept module (mimiciv_derived) when the stack keeps it. It is not in
    /// <see cref="Modules"/>: it has no files, each side offers it its own way (BigQuery views, a local build).
    /// </summary>
    public Module? Derived { get; init; }

    /// <summary>The derived module when the AWS side imports it (it has a derived source); null otherwise.</summary>
    public Module? AwsDerived => Aws?.Sources.DerivedSource is not null ? Derived : null;

    /// <summary>A lab with no cloud side: `local` builds it in DuckDB; its Pulumi program creates nothing.</summary>
    public bool IsLocalOnly => Aws is null && Gcp is null;

    public IEnumerable<(Module Module, Table Table)> Tables => Modules.SelectMany(m => m.Tables.Select(t => (m, t)));

    /// <summary>The tags (AWS) every lab resource carries, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags =>
    [
        new("lab", Names.Lab),
        new("researcher", ResearcherInCloud),
        new("study", Study),
        new("expires", Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
        new("managed-by", "mimic-infra"),
        .. ExtraTags,
    ];
}

/// <summary>How a researcher id appears in the cloud: as it is, unless it is an e-mail address.</summary>
public static class ResearcherIds
{
    /// <summary>The id itself, or for an e-mail address "r-" and the first 10 hex digits of SHA-256 of it in lower case (stable, not reversible without a guess).</summary>
    public static string InCloud(string researcher) => researcher.Contains('@')
        ? "r-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(researcher.ToLowerInvariant())))[..10]
        : researcher;
}

/// <summary>
/// The AWS side of a lab: where its source is (<see cref="SourceSettings"/>: each module's folder, whether the lab copies
/// it into its own typed Parquet, the default, or reads an exact-typed Parquet copy in place), Athena cost guards, results policy.
/// </summary>
public sealed record AwsSettings(
    string Region,
    SourceSettings Sources,
    long ImportBytesScannedCutoffPerQuery,
    long BytesScannedCutoffPerQuery,
    int ResultsRetentionDays,
    bool KeepResultsOnDestroy,
    bool KmsEncryption,
    MimicInfra.Aws.Workspace.NotebookSettings? Notebook,
    MimicInfra.Aws.Workspace.BudgetSettings? Budget)
{
    /// <summary>Whether the lab owns its data: a typed Parquet copy that the import fills.</summary>
    public bool OwnsData => Sources.OwnsData;

    /// <summary>The lab's audit trail: its own, the organization's, or none (open data only).</summary>
    public MimicInfra.Aws.Audit.AuditTrailSettings AuditTrail { get; init; } = MimicInfra.Aws.Audit.AuditTrailSettings.None;

    /// <summary>Who the lab's buckets and key admit, and the key's deletion window (Aws/Perimeter/LabPerimeter.cs).</summary>
    public MimicInfra.Aws.Perimeter.PerimeterSettings Perimeter { get; init; } = MimicInfra.Aws.Perimeter.PerimeterSettings.Open;

    /// <summary>The key of the account's encrypted Glue Data Catalog, when the platform encrypts it (glueCatalogKmsKeyArn).</summary>
    public string? GlueCatalogKeyArn { get; init; }

    /// <summary>Athena's DML query timeout (minutes) the stack asks for (athenaDmlTimeoutQuota): null for the import model's choice, 0 for none.</summary>
    public int? DmlTimeoutQuota { get; init; }
}

