using System.Text.Json.Nodes;

namespace MimicInfra.Import;

/// <summary>
/// The import a researcher runs once, as themselves, in AWS CloudShell: a self-contained python3 + boto3
/// script (both ship with CloudShell) made of the fixed program <c>mimic_lab_import.py</c> and the lab's
/// plan as JSON. It holds no deploy-time value (it finds the data bucket from the import database), so
/// `import --script` prints the same bytes that `pulumi up` uploads.
/// </summary>
public static class ImportScript
{
    public const string FileName = "mimic-lab-import.py";

    private static readonly Lazy<string> Program = new(() =>
    {
        using var stream = typeof(ImportScript).Assembly.GetManifestResourceStream("import/mimic_lab_import.py")!;
        return new StreamReader(stream).ReadToEnd().Replace("\r\n", "\n");
    });

    public static string Build(ImportPlanData plan)
    {
        var json = Input.JsonText.Indented(PlanJson(plan));
        if (json.Contains("\"\"\"", StringComparison.Ordinal)) throw new InvalidOperationException("the plan cannot be embedded in a Python raw string");
        return Program.Value.TrimEnd() + "\n\nPLAN = json.loads(r\"\"\"\n" + json + "\n\"\"\")\n\nif __name__ == \"__main__\":\n    sys.exit(main())\n";
    }

    /// <summary>The plan as the script reads it.</summary>
    public static JsonObject PlanJson(ImportPlanData plan) => new()
    {
        ["lab"] = plan.Lab,
        ["release"] = plan.Release,
        ["releaseTitle"] = plan.ReleaseTitle,
        ["region"] = plan.Region,
        ["labDatabase"] = plan.LabDatabase,
        ["importDatabase"] = plan.ImportDatabase,
        ["importWorkgroup"] = plan.ImportWorkgroup,
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
            ["staging"] = t.StagingFolder,
            ["target"] = t.TableFolder,
            ["record"] = t.RecordKey,
            ["unload"] = t.Unload,
            ["copyCount"] = t.CopyCount,
            ["sourceCount"] = t.SourceCount,
        }).ToArray()),
    };

    /// <summary>The one command the researcher runs in CloudShell, given the data bucket's name.</summary>
    public static string CommandFor(string dataBucket) =>
        $"aws s3 cp s3://{dataBucket}/{DataLayout.ImportScriptKey} . && python3 {FileName}";

    /// <summary>The same command when the bucket's name is not known yet: it asks the lab's import database.</summary>
    public static string CommandFor(Lab.LabNames names, string region) =>
        $"aws s3 cp \"s3://$(aws glue get-database --region {region} --name {names.ImportDatabase} --query 'Database.Parameters.mimic_lab_data_bucket' --output text)/{DataLayout.ImportScriptKey}\" . && python3 {FileName}";
}
