using MimicInfra.Import;
using MimicInfra.Lab;

namespace MimicInfra.Aws.Data;

/// <summary>
/// What `preview` says of the lab's data plane: its own typed copy and the import that fills it (or the source read in
/// place), the databases, the workgroup, the results bucket; and, after the perimeter, the lab key.
/// </summary>
public static class DataPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        var names = lab.Names;
        if (aws.OwnsData)
        {
            yield return $"  data        bucket {names.DataBucketPrefix}<unique suffix>: the lab's own typed Parquet copy, one folder per table, private, " +
                         (aws.KmsEncryption ? $"KMS key {names.KmsAlias}" : "S3-managed encryption") + ", TLS only";
            yield return $"  database    {names.Database} (typed Parquet tables); {names.ImportDatabase} (import only: the staged source, never the notebook's)";
            yield return $"  import      once, by the researcher as themselves (PhysioNet authorizes IAM users, not roles): `import --stack {lab.Stack}` prints the command; " +
                         $"workgroup {names.ImportWorkgroup}, scan cap {Bytes(aws.ImportBytesScannedCutoffPerQuery)} per query";
            foreach (var line in ImportModel.PreviewLines(lab)) yield return line;
        }
        else
            yield return $"  database    {names.Database} (typed Parquet tables read in place; no import)";
        yield return $"  workgroup   {names.Workgroup}: Athena engine 3, settings enforced, scan cap {Bytes(aws.BytesScannedCutoffPerQuery)} per query";
        yield return $"  results     bucket {names.BucketPrefix}<unique suffix>: private, " +
                     (aws.KmsEncryption ? $"KMS key {names.KmsAlias} (rotated)" : "S3-managed encryption") +
                     $", TLS only, results expire after {aws.ResultsRetentionDays} days, " +
                     (aws.KeepResultsOnDestroy ? "kept on destroy" : "destroyed with the lab");
    }

    /// <summary>The lab key's line (none under SSE-S3): who administers and uses it, its deletion window.</summary>
    public static IEnumerable<string> KeyLines(LabSettings lab)
    {
        if (lab.Aws is not { KmsEncryption: true } aws) yield break;
        yield return $"  key         {lab.Names.KmsAlias}: administered by the account and the deployer, used only through S3 and Athena by the lab's principals" +
                     (aws.Perimeter.Closed ? "; " : " (and, with no researcher named, any principal IAM allows); ") +
                     $"{aws.Perimeter.KeyDeletionWindowDays}-day deletion window";
    }

    private static string Bytes(long n) => n % (1L << 30) == 0 ? $"{n >> 30} GiB" : n % (1L << 20) == 0 ? $"{n >> 20} MiB" : $"{n:N0} bytes";
}
