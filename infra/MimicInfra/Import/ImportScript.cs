using System.Text.Json.Nodes;

namespace MimicInfra.Import;

/// <summary>
/// The import a researcher runs once, as themselves, in AWS CloudShell: a self-contained python3 + boto3
/// script (both ship with CloudShell) made of the fixed program <c>mimic_lab_import.py</c> and the lab's
/// plan as JSON. It holds no deploy-time value: the data bucket and the lab's account come on its command
/// line, from the compiled program, so `import --script` prints the same bytes that `pulumi up` uploads and
/// the command checks the script's SHA-256, known here, before it runs it.
/// </summary>
public static class ImportScript
{
    public const string FileName = "mimic-lab-import.py";

    private static readonly Lazy<string> Program = new(() =>
    {
        using var stream = typeof(ImportScript).Assembly.GetManifestResourceStream("import/mimic_lab_import.py")!;
        return new StreamReader(stream).ReadToEnd().Replace("\r\n", "\n");
    });

    /// <summary>The fixed program alone (no plan): what `bench` runs the re-encoder of.</summary>
    public static string ProgramText => Program.Value;

    public static string Build(ImportPlanData plan)
    {
        var json = Input.JsonText.Indented(PlanJson(plan));
        if (json.Contains("\"\"\"", StringComparison.Ordinal)) throw new InvalidOperationException("the plan cannot be embedded in a Python raw string");
        return Program.Value.TrimEnd() + "\n\nPLAN = json.loads(r\"\"\"\n" + json + "\n\"\"\")\n\nif __name__ == \"__main__\":\n    sys.exit(main())\n";
    }

    /// <summary>The plan as the script reads it.</summary>
    public static JsonObject PlanJson(ImportPlanData plan) => PlanJson(plan, ImportModel.For(plan));

    private static JsonObject PlanJson(ImportPlanData plan, ImportEstimate model) => new()
    {
        ["lab"] = plan.Lab,
        ["release"] = plan.Release,
        ["releaseTitle"] = plan.ReleaseTitle,
        ["region"] = plan.Region,
        ["labDatabase"] = plan.LabDatabase,
        ["importDatabase"] = plan.ImportDatabase,
        ["importWorkgroup"] = plan.ImportWorkgroup,
        ["dataBucketPrefix"] = plan.DataBucketPrefix,
        // The time model: one reader's rate (central, pessimistic; --reader-mbps replaces both) and the DML timeout quota.
        ["reader"] = new JsonObject { ["centralMBps"] = model.Reader.CentralMBps, ["pessimisticMBps"] = model.Reader.PessimisticMBps },
        ["dmlTimeoutQuotaCode"] = ImportModel.DmlTimeoutQuotaCode,
        ["sourceIsPhysioNetCredentialed"] = plan.SourceIsPhysioNetCredentialed,
        ["tables"] = new JsonArray(plan.Tables.Select(t => (JsonNode)new JsonObject
        {
            ["module"] = t.Module.Name,
            ["table"] = t.Table.Name,
            ["source"] = new JsonObject
            {
                ["uri"] = t.Source.Uri,
                ["bucket"] = t.Source.Folder.ApiBucket,
                ["prefix"] = t.Source.Folder.Prefix,
                ["file"] = t.Source.File,
            },
            ["rawTable"] = t.RawTableName,
            ["typedDatabase"] = t.TypedDatabase,
            ["typedTable"] = t.Table.Name,
            ["size"] = model.Tables.Single(e => e.Name == $"{t.Module.Name}.{t.Table.Name}") is var e && !e.ParallelRead
                ? new JsonObject { ["rows"] = e.Rows, ["gzipBytes"] = e.GzipBytes, ["textBytes"] = e.TextBytes }
                : null,
            ["columns"] = new JsonArray(t.Table.Columns.Select(c => (JsonNode)c.Name).ToArray()),
            ["reencode"] = t.Reencoded,
            ["checkpoint"] = t.CheckpointKey,
            ["staging"] = t.StagingFolder,
            ["target"] = t.TableFolder,
            ["record"] = t.RecordKey,
            ["unload"] = t.Unload,
            ["copyCount"] = t.CopyCount,
            ["sourceCount"] = t.SourceCount,
        }).ToArray()),
    };

    /// <summary>The script's SHA-256 (lower-case hex): the command refuses to run any other bytes.</summary>
    public static string Sha256(ImportPlanData plan) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Build(plan))));

    /// <summary>
    /// The one command the researcher runs in CloudShell: fetch the script from the lab's bucket (only if the lab's
    /// account owns it), check its SHA-256, run it with the bucket and account it must write to. Both are values of
    /// the compiled program (Pulumi fills them in at deploy time), never read from the Glue catalog.
    /// </summary>
    public static string CommandFor(ImportPlanData plan, string dataBucket, string account) =>
        CommandFor(plan, dataBucket, dataBucket, account);

    /// <summary>The command as `import --stack` prints it, before the bucket's name is known: the researcher sets DATA_BUCKET to the stack output dataBucket.</summary>
    public static string CommandFor(ImportPlanData plan, string? account) =>
        CommandFor(plan, "\"${DATA_BUCKET:?set DATA_BUCKET to the stack output dataBucket}\"", "\"$DATA_BUCKET\"",
            account ?? "\"$(aws sts get-caller-identity --query Account --output text)\"");

    /// <summary>The lab's AWS account where the stack names it (awsAccountId, or the researcher's user ARN); null when only STS can tell.</summary>
    public static string? LabAccountOf(Lab.LabSettings lab) =>
        lab.Providers.AwsAccountId ?? lab.Aws?.Perimeter.ResearcherArn?.Split(':')[4];

    private static string CommandFor(ImportPlanData plan, string fetchBucket, string bucket, string account) =>
        $"aws s3 cp s3://{fetchBucket}/{DataLayout.ImportScriptKey} . --expected-bucket-owner {account} && " +
        $"echo '{Sha256(plan)}  {FileName}' | sha256sum -c - && python3 {FileName} --data-bucket {bucket} --account {account}";
}
