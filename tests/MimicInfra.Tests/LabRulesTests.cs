using MimicInfra.Check;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>The lab's own rules in `check`, each proven to fire on a program that breaks it.</summary>
public class LabRulesTests
{
    private static (LabSettings Lab, string Text) Compiled(StackConfig stack)
    {
        var lab = LabSettingsReader.Read(stack, Labs.Catalog);
        return (lab, Program.ProgramYaml.Write(LabCompiler.Compile(lab)));
    }

    public static TheoryData<string> Stacks => new() { "demo", "csv31", "full31", "full31-in-place", "iii-demo-parquet" };

    private static StackConfig Stack(string name) => name switch
    {
        "demo" => Labs.Demo,
        "csv31" => Labs.Csv31(),
        "full31" => Labs.Full31(),
        "full31-in-place" => Labs.Full31(("sourceInPlace", "true")),
        "iii-demo-parquet" => Labs.Config("iii", [.. Labs.Basics, ("release", "mimic-iii-1.4"), ("sourceLayout", "physionet-parquet")]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryLabPassesItsOwnRules(string stack)
    {
        var (lab, text) = Compiled(Stack(stack));
        Assert.Empty(LabRules.Check(text, lab));
    }

    [Fact]
    public void AGlueViewWithoutSerDeIsRefused()
    {
        var (lab, text) = Compiled(Labs.Demo);
        var view = "  view-x:\n    type: aws:glue/catalogTable:CatalogTable\n    properties:\n      name: x\n      databaseName: ${labDatabase.name}\n" +
                   "      tableType: VIRTUAL_VIEW\n      storageDescriptor:\n        columns: []\n";
        var broken = text.Replace("resources:\n", "resources:\n" + view);
        var problem = Assert.Single(LabRules.Check(broken, lab));
        Assert.Equal("view-x: a Glue view without storageDescriptor.serDeInfo fails in Athena (HIVE_METASTORE_ERROR: Table storage descriptor is missing SerDe info)", problem.ToString());
        Assert.Single(LabRules.Check(broken));   // the rule needs no stack
    }

    [Fact]
    public void AQueriedColumnWhoseTypeIsNotTheCatalogsIsRefused()
    {
        var (lab, text) = Compiled(Labs.Demo);
        var at = text.IndexOf("  table-hosp-admissions:", StringComparison.Ordinal);
        var type = text.IndexOf("type: int\n", at, StringComparison.Ordinal);
        var broken = text[..type] + "type: bigint\n" + text[(type + "type: int\n".Length)..];
        var problem = Assert.Single(LabRules.Check(broken, lab));
        Assert.Equal("table-hosp-admissions: column 1 is 'subject_id bigint'; the catalog says 'subject_id int'", problem.ToString());
    }

    [Fact]
    public void AQueriedTableOverCsvIsRefused()
    {
        var (lab, text) = Compiled(Labs.Demo);
        var at = text.IndexOf("  table-hosp-patients:", StringComparison.Ordinal);
        var serde = text.IndexOf("serializationLibrary: org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", at, StringComparison.Ordinal);
        var broken = text[..serde] + "serializationLibrary: org.apache.hadoop.hive.serde2.OpenCSVSerde" + text[(serde + "serializationLibrary: org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe".Length)..];
        Assert.Contains(LabRules.Check(broken, lab), p => p.Where == "table-hosp-patients" && p.Message.StartsWith("a table researchers query must be a Parquet table"));
    }

    [Fact]
    public void ANotebookRoleThatReachesTheSourceOrTheImportIsRefused()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        var toSource = text.Replace("- ${dataBucket.arn}/tables/*", "- " + "arn:${awsPartition.partition}:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/object/mimiciv/3.1/hosp/*".Replace("arn:${awsPartition.partition}:s3:", "arn:aws:s3:"));
        Assert.Contains(LabRules.Check(toSource, lab), p => p.Where == "notebookRolePolicy.ReadTheLabData" && p.Message.StartsWith("reaches the source s3://arn:aws:s3:us-east-1:724665945834:accesspoint/mimiciv-v3-1-01/mimiciv/3.1/hosp/"));
        var toImport = text.Replace($":table/{lab.Names.Database}/*", $":table/{lab.Names.ImportDatabase}/*");
        Assert.Contains(LabRules.Check(toImport, lab), p => p.Where == "notebookRolePolicy.ReadTheLabCatalog" && p.Message.StartsWith("reaches the import database"));
        var toStaging = text.Replace("- ${dataBucket.arn}/imports/*", "- ${dataBucket.arn}/staging/*");
        Assert.Contains(LabRules.Check(toStaging, lab), p => p.Message.StartsWith("reaches the import's staged source files"));
    }

    /// <summary>The data perimeter in `check`: a credentialed lab whose buckets or key would let others in is refused.</summary>
    [Fact]
    public void ACredentialedLabWithoutItsPerimeterIsRefused()
    {
        var (lab, text) = Compiled(Labs.Csv31());
        var open = text.Replace("Sid: OnlyTheLabsPrincipalsReachItsObjects", "Sid: Gone").Replace("- s3:GetObject*", "- s3:GetBucketLocation");
        Assert.Contains(LabRules.Check(open, lab), p => p.Where == "dataTlsOnlyPolicy" && p.Message.StartsWith("a credentialed lab's bucket must deny every object action"));
        Assert.Contains(LabRules.Check(open, lab), p => p.Where == "resultsTlsOnlyPolicy");
        var keyForAll = text.Replace("- kms:Describe*", "- kms:*");
        Assert.Contains(LabRules.Check(keyForAll, lab), p => p.Where == "labKey" && p.Message.Contains("allows kms:*"));
        var at = text.IndexOf("Sid: LabPrincipalsUseTheKeyThroughS3AndAthena", StringComparison.Ordinal);
        var condition = text.IndexOf("Condition:", at, StringComparison.Ordinal);
        var unconditioned = text[..condition] + "Unconditioned:" + text[(condition + "Condition:".Length)..];
        Assert.Contains(LabRules.Check(unconditioned, lab), p => p.Where == "labKey" && p.Message.Contains("without a condition"));
        // An open demo lab has no perimeter to check.
        var (demo, demoText) = Compiled(Labs.Demo);
        Assert.DoesNotContain(LabRules.Check(demoText, demo), p => p.Message.Contains("credentialed lab's bucket"));
    }
}
