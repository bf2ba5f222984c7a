using MimicInfra.Import;
using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>What the lab's results and data buckets hold beyond every lab bucket's guards: their lifecycle per prefix, and what the notebook may never write.</summary>
public static class LabBuckets
{
    /// <summary>Days an overwritten or deleted version of the lab's data stays recoverable (a re-import, a mistake).</summary>
    public const int DataVersionDays = 30;

    /// <summary>
    /// Every prefix of the data bucket the lab writes, each with its rule: the typed copy, the import records and
    /// the lab's files are kept (their old versions expire); staging is temporary (and its old versions go at once).
    /// </summary>
    public static readonly IReadOnlyList<ExpiryRule> DataBucketLifecycle =
    [
        new("keep-tables-expire-old-versions", DataLayout.Tables, null, DataVersionDays),
        new("keep-import-records-expire-old-versions", DataLayout.Imports, null, DataVersionDays),
        new("keep-lab-files-expire-old-versions", DataLayout.LabFiles, null, DataVersionDays),
        new("expire-forgotten-staging", DataLayout.Staging, 14, 1),
    ];

    /// <summary>Every prefix of the results bucket the lab writes, each expiring after the stack's retention.</summary>
    public static IReadOnlyList<ExpiryRule> ResultsBucketLifecycle(int retentionDays) =>
    [
        new("expire-query-results", ResultsLayout.QueryResults, retentionDays),
        new("expire-import-results", ResultsLayout.ImportResults, retentionDays),
        new("expire-notebook-scratch", ResultsLayout.NotebookScratch, retentionDays),
    ];

    /// <summary>
    /// The results bucket holds only what the lab's work writes, and the notebook may write only there (in its
    /// role and here): Athena's results, its own scratch files; nothing else in the bucket is the notebook's.
    /// </summary>
    public static IReadOnlyList<YMap> NotebookWritesOnlyItsWork(Handle resultsBucket, Handle? notebookRole) =>
        DenyTheNotebookWrites(notebookRole, "NotebookWritesOnlyItsWork", "NotResource",
            [$"{resultsBucket.Arn}/{ResultsLayout.QueryResults}*", $"{resultsBucket.Arn}/{ResultsLayout.NotebookScratch}*"]);

    /// <summary>
    /// The lab's data is read-only to the notebook in the bucket policy as well as in its role, so no later
    /// grant to the role can let a notebook rewrite what the lab's tables read.
    /// </summary>
    public static IReadOnlyList<YMap> NotebookNeverWritesTheData(Handle dataBucket, Handle? notebookRole) =>
        DenyTheNotebookWrites(notebookRole, "NotebookNeverWritesTheData", "Resource", [$"{dataBucket.Arn}/*"]);

    /// <summary>A bucket-policy statement denying the notebook's role (none: no statement) every object write on (or outside, with NotResource) the given objects.</summary>
    private static IReadOnlyList<YMap> DenyTheNotebookWrites(Handle? notebookRole, string sid, string resourceKey, object[] objects) => notebookRole is null ? [] :
    [
        YMap.Of(
            ("Sid", sid),
            ("Effect", "Deny"),
            ("Principal", YMap.Of(("AWS", notebookRole.Arn))),
            ("Action", new object[] { "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectTagging" }),
            (resourceKey, objects)),
    ];
}
