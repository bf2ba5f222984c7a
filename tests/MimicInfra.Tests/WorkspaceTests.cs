using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MimicInfra.Check;
using MimicInfra.Lab;
using MimicInfra.Local;

namespace MimicInfra.Tests;

internal static class Workspace
{
    public static readonly (string, string)[] Vpc =
        [("notebookNetwork", "vpc"), ("notebookSubnetId", "subnet-0123456789abcdef0"), ("notebookSecurityGroupIds", "[\"sg-0123456789abcdef0\"]")];

    public static readonly (string, string)[] Budget = [("budgetMonthlyUsd", "250"), ("budgetEmails", "[\"pi@example.org\", \"ops@example.org\"]")];

    public static ParsedProgram Demo { get; } = new(Labs.Compile(Labs.Demo));

    /// <summary>A lifecycle script as the notebook runs it: Pulumi's `$$` read as `$`, the bucket filled in.</summary>
    public static string Script(ParsedProgram p, string which) =>
        ((string)p.Single("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration").At(which, "fn::toBase64")!)
        .Replace("${dataBucket.bucket}", "mimic-lab-bucket-123").Replace("${resultsBucket.bucket}", "mimic-lab-bucket-123").Replace("$$", "$");

    public static string Notebook(ParsedProgram p) =>
        ((string)p.OfType("aws:s3/bucketObjectv2:BucketObjectv2").Single(o => ((string)o.Props["key"]).StartsWith("lab/notebooks/")).Props["content"]).Replace("$$", "$");

    public static List<Dictionary<object, object>> Statements(ParsedProgram p) =>
        p.Resources.Single(r => r.Name == "notebookRolePolicy").Props.At("policy", "fn::toJSON", "Statement").List().Select(s => s.Map()).ToList();

    public static IEnumerable<string> Strings(object? o) => o switch
    {
        string s => [s],
        List<object> l => l.SelectMany(Strings),
        Dictionary<object, object> m => m.Values.SelectMany(Strings),
        _ => [],
    };
}

public class WorkspaceCheckTests
{
    public static TheoryData<string> Variants => new() { "internet", "vpc", "off", "budget", "sse-s3-vpc-budget" };

    private static StackConfig Stack(string variant) => variant switch
    {
        "internet" => Labs.Csv31(),
        "vpc" => Labs.Full31(Workspace.Vpc),
        "off" => Labs.Full31(("notebook", "false")),
        "budget" => Labs.Csv31(Workspace.Budget),
        "sse-s3-vpc-budget" => Labs.Full31([("resultsEncryption", "s3"), .. Workspace.Vpc, .. Workspace.Budget]),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void WorkspaceConformsToTheProviderSchemas(string variant)
    {
        var report = new ProgramChecker(Labs.Schemas()).Check(Labs.Compile(Stack(variant)));
        Assert.Empty(report.Problems);
        var notebooks = report.ResourcesByType.GetValueOrDefault("aws:sagemaker/notebookInstance:NotebookInstance");
        Assert.Equal(variant == "off" ? 0 : 1, notebooks);
        Assert.Equal(variant.Contains("budget") ? 1 : 0, report.ResourcesByType.GetValueOrDefault("aws:budgets/budget:Budget"));
    }

    [Fact]
    public void NotebookOffLeavesNoRoleAndNoNotebookOutputs()
    {
        var p = new ParsedProgram(Labs.Compile(Labs.Full31(("notebook", "false"))));
        Assert.Equal(["expiryRole"], p.OfType("aws:iam/role:Role").Select(r => r.Name));   // the expiry stop's own role only
        Assert.False(p.Outputs.ContainsKey("notebookUrl"));
    }

    [Fact]
    public void OutputsSayWhereToClick()
    {
        var o = Workspace.Demo.Outputs;
        Assert.Equal("https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/notebook-instances/openNotebook/${notebook.name}?view=lab", o["notebookUrl"]);
        Assert.Equal("${notebook.name}", o["notebookName"]);
        Assert.Equal("${notebookRole.arn}", o["notebookRoleArn"]);
    }

    [Fact]
    public void BudgetAlertsAt80And100PercentOnTheLabTag()
    {
        var b = new ParsedProgram(Labs.Compile(Labs.Csv31(Workspace.Budget))).Single("aws:budgets/budget:Budget");
        Assert.Equal("250", b["limitAmount"]);
        Assert.Equal("MONTHLY", b["timeUnit"]);
        Assert.Equal(["80", "100"], b["notifications"].List().Select(n => (string)n.At("threshold")!));
        Assert.All(b["notifications"].List(), n => Assert.Equal(new List<object> { "pi@example.org", "ops@example.org" }, n.At("subscriberEmailAddresses")));
        Assert.StartsWith("user:lab$$mimic-jdoe-sepsis-", (string)b.At("costFilters", 0, "values", 0)!);
    }

    [Theory]
    [InlineData("notebookNetwork", "vpc", "mimic-infra:notebookNetwork: vpc needs notebookSubnetId and notebookSecurityGroupIds")]
    [InlineData("notebookSubnetId", "subnet-0123456789abcdef0", "apply only with notebookNetwork vpc")]
    [InlineData("notebookInstanceType", "t3.medium", "mimic-infra:notebookInstanceType: 't3.medium' is not a SageMaker instance type")]
    [InlineData("notebookIdleMinutes", "1", "mimic-infra:notebookIdleMinutes: 1 is out of range; use 5..1440.")]
    [InlineData("budgetMonthlyUsd", "100", "mimic-infra:budgetEmails: budgetMonthlyUsd needs at least one address")]
    [InlineData("budgetEmails", "[\"not-an-address\"]", "mimic-infra:budgetEmails: 'not-an-address' is not an e-mail address.")]
    public void BadWorkspaceSettingsAreRejected(string key, string value, string expected)
    {
        var e = Assert.Throws<MimicInfra.Cli.UserError>(() => LabSettingsReader.Read(Labs.Full31((key, value)), Labs.Catalog));
        Assert.Contains(expected, e.Message);
    }
}

/// <summary>
/// Security rules on the notebook and its role, by Checkov and cdk-nag ids. Deliberate exceptions:
/// <list type="bullet">
/// <item>CKV_AWS_122 (direct internet access): on by default for open (demo) releases only, so `pip install` works
/// there, and on a credentialed release only when its stack sets notebookNetwork internet (the opt-in preview calls
/// open egress). Credentialed releases default to the lab's own VPC without internet (LabNetworkTests).</item>
/// <item>CKV_AWS_187 with resultsEncryption=s3: the lab then has no KMS key, and the volume uses
/// SageMaker's AWS-managed encryption.</item>
/// </list>
/// </summary>
public class WorkspaceSecurityRuleTests
{
    private static Dictionary<object, object> Notebook(ParsedProgram p) => p.Single("aws:sagemaker/notebookInstance:NotebookInstance");

    [Fact]
    public void CKV_AWS_307_RootAccessIsOff() => Assert.Equal("Disabled", Notebook(Workspace.Demo)["rootAccess"]);

    [Fact]
    public void CKV_AWS_187_VolumeIsEncryptedWithTheLabKey() => Assert.Equal("${labKey.arn}", Notebook(Workspace.Demo)["kmsKeyId"]);

    [Fact]
    public void CKV_AWS_187_Exception_NoLabKeyMeansAwsManagedEncryption() =>
        Assert.False(Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(("resultsEncryption", "s3"))))).ContainsKey("kmsKeyId"));

    [Fact]
    public void CKV_AWS_371_OnlyImdsV2() =>
        Assert.Equal("2", Notebook(Workspace.Demo).At("instanceMetadataServiceConfiguration", "minimumInstanceMetadataServiceVersion"));

    [Fact]
    public void CKV_AWS_122_DirectInternetIsTheOpenDemosDocumentedDefaultAndVpcModeTurnsItOff()
    {
        Assert.Equal("Enabled", Notebook(Workspace.Demo)["directInternetAccess"]);   // documented exception: an open release
        var vpc = Notebook(new ParsedProgram(Labs.Compile(Labs.Full31(Workspace.Vpc))));
        Assert.Equal("Disabled", vpc["directInternetAccess"]);
        Assert.Equal("subnet-0123456789abcdef0", vpc["subnetId"]);
        Assert.Equal(new List<object> { "sg-0123456789abcdef0" }, vpc["securityGroups"]);
    }

    [Fact]
    public void CKV_AWS_274_AwsSolutions_IAM4_NoManagedPoliciesNoAdmin()
    {
        var role = Workspace.Demo.Resources.Single(r => r.Name == "notebookRole").Props;
        Assert.False(role.ContainsKey("managedPolicyArns"));
        Assert.Empty(Workspace.Demo.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"));
        Assert.Empty(Workspace.Demo.OfType("aws:iam/policy:Policy"));
        Assert.DoesNotContain(Workspace.Strings(Workspace.Demo.Root), s => s.Contains("FullAccess") || s.Contains("AdministratorAccess"));
    }

    [Fact]
    public void CKV_AWS_62_63_355_356_NoWildcardActionsOrResources()
    {
        // No service here lacks resource-level permissions for what the notebook does, so no statement needs "*".
        foreach (var program in new[] { Workspace.Demo, new ParsedProgram(Labs.Compile(Labs.Full31(Workspace.Vpc))) })
            foreach (var s in Workspace.Statements(program))
            {
                Assert.All(s["Action"].List().Cast<string>(), a => Assert.DoesNotContain("*", a));
                Assert.All(s["Resource"].List().Cast<string>(), r => Assert.NotEqual("*", r));
                // Every statement allows, but the one that ends the lab at expiry.
                Assert.Equal((string)s["Sid"] == "NothingOfTheLabAfterItExpires" ? "Deny" : "Allow", s["Effect"]);
            }
    }

    [Fact]
    public void CKV_AWS_60_61_OnlySageMakerMayAssumeTheRole()
    {
        var trust = Workspace.Demo.Resources.Single(r => r.Name == "notebookRole").Props.At("assumeRolePolicy", "fn::toJSON", "Statement").List();
        var s = Assert.Single(trust).Map();
        Assert.Equal("sts:AssumeRole", s["Action"]);
        Assert.Equal("sagemaker.amazonaws.com", s.At("Principal", "Service"));
        Assert.Single(s["Principal"].Map());
        // Confused deputy (prowler iam_role_cross_service_confused_deputy_prevention): SageMaker's guide documents
        // aws:SourceAccount for training, processing, Studio and other features, not for notebook instances, so the
        // account is checked when SageMaker sends it (IfExists) and a request without it still starts the notebook.
        Assert.Equal("${awsAccount.accountId}", s.At("Condition", "StringEqualsIfExists", "aws:SourceAccount"));
        Assert.Single(s["Condition"].Map());
    }

    [Fact]
    public void NoPassRoleAtAll() =>
        Assert.DoesNotContain(Workspace.Statements(Workspace.Demo).Where(s => (string)s["Effect"] == "Allow").SelectMany(s => s["Action"].List().Cast<string>()), a => a.StartsWith("iam:"));

    [Fact]
    public void EveryGrantedActionIsScopedToThisLab()
    {
        // The exact grants: each Sid says what the grant is for, so a new grant must be named and listed here.
        var grants = Workspace.Statements(Workspace.Demo).ToDictionary(s => (string)s["Sid"], s => s["Action"].List().Cast<string>().ToList());
        Assert.Equal(
        [
            "RunQueriesInTheLabWorkgroup", "ReadTheLabCatalog", "WriteQueryResults", "WriteItsScratch", "ListQueryResults", "ReadTheLabData", "ListTheLabData",
            "LocateTheLabBuckets", "UseTheLabKey", "WriteNotebookLogs", "StopItselfWhenIdle", "NothingOfTheLabAfterItExpires",
        ], grants.Keys);
        var byResource = Workspace.Statements(Workspace.Demo).ToDictionary(s => (string)s["Sid"], s => s["Resource"].List().Cast<string>().ToList());
        Assert.Equal(["${workgroup.arn}"], byResource["RunQueriesInTheLabWorkgroup"]);
        Assert.Equal(["${resultsBucket.arn}/results/*"], byResource["WriteQueryResults"]);
        Assert.Equal(["${resultsBucket.arn}/scratch/*"], byResource["WriteItsScratch"]);   // the one place it may delete: its own files
        Assert.Equal(["${dataBucket.arn}/tables/*", "${dataBucket.arn}/imports/*", "${dataBucket.arn}/lab/notebooks/*"], byResource["ReadTheLabData"]);
        Assert.Equal(["s3:GetObject"], grants["ReadTheLabData"]);   // the notebook can never rewrite the lab's data
        Assert.Equal(["${labKey.arn}"], byResource["UseTheLabKey"]);
        Assert.All(byResource["ReadTheLabCatalog"], r => Assert.Contains(":glue:us-east-1:${awsAccount.accountId}:", r));
        Assert.DoesNotContain(byResource["ReadTheLabCatalog"], r => r.Contains("_import"));   // never the import database
        // No source location at all: PhysioNet authorizes IAM users, never a role, and the notebook reads the lab's copy.
        Assert.DoesNotContain(byResource.Values.SelectMany(r => r), r => r.Contains("physionet-open") || r.Contains("accesspoint") || r.Contains("/staging/"));
        Assert.DoesNotContain(grants.Where(g => g.Key is not ("WriteItsScratch" or "NothingOfTheLabAfterItExpires")).SelectMany(g => g.Value), a => a is "s3:DeleteObject" or "s3:PutBucketPolicy" or "glue:CreateTable" or "glue:DeleteTable");
        Assert.Equal(["arn:${awsPartition.partition}:sagemaker:us-east-1:${awsAccount.accountId}:notebook-instance/mimic-demo-researc-demo-0cb55dbb"], byResource["StopItselfWhenIdle"]);
    }
}

public class LifecycleScriptTests(ITestOutputHelper output)
{
    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static (int Code, string Out, string Err) Run(string tool, string[] args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    [Theory]
    [InlineData("onCreate")]
    [InlineData("onStart")]
    public void ScriptsDecodeFitSageMakersLimitAndPassBashSyntaxCheck(string which)
    {
        var script = Workspace.Script(Workspace.Demo, which);
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.DoesNotContain("${", script.Replace("\"$target\"", ""));   // no reference left for Pulumi to miss
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
        Assert.True(encoded.Length <= 16384, $"{which} is {encoded.Length} base64 characters; SageMaker takes 16384");
        output.WriteLine($"{which}: {script.Length} characters, {encoded.Length} base64");
        var bash = Find("bash") ?? Find("sh");
        if (bash is null) Assert.Skip("needs bash on PATH to check the script's syntax; it is absent here");
        var (code, _, err) = Run(bash, ["-n"], script);
        Assert.True(code == 0, err);
    }

    [Fact]
    public void OnStartInstallsTheIdleCheckWithTheLabsSettings()
    {
        var script = Workspace.Script(new ParsedProgram(Labs.Compile(Labs.Full31(("notebookIdleMinutes", "45")))), "onStart");
        Assert.Contains("--idle-minutes 45 --instance mimic-jdoe-sepsis-", script);
        Assert.Contains(" --region us-east-1\n", script);
        Assert.Contains(MimicInfra.Aws.LifecycleScripts.Autostop.Split('\n')[2], script);
        Assert.Contains("systemctl enable --now mimic-autostop.timer", script);
        var create = Workspace.Script(Workspace.Demo, "onCreate");
        Assert.Contains("aws s3 cp \"s3://mimic-lab-bucket-123/lab/notebooks/mimic-lab-example.ipynb\"", create);
        Assert.Contains("if [ ! -e \"$target\" ]", create);   // never over the researcher's own copy
    }

    public static TheoryData<string, string, string, string> IdleCases => new()
    {
        // sessions, started, now, expected decision (idle after 60 minutes)
        { "[]", "2026-11-22T10:00:00Z", "2026-11-22T10:30:00Z", "active" },
        { "[]", "2026-11-22T10:00:00Z", "2026-11-22T11:00:00Z", "idle" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T10:50:00.123456Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "active" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T10:29:59.000000Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "idle" },
        { """[{"kernel": {"execution_state": "busy", "last_activity": "2026-11-22T08:00:00.000000Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T23:00:00Z", "active" },
        { """[{"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T08:00:00Z"}}, {"kernel": {"execution_state": "idle", "last_activity": "2026-11-22T11:10:00Z"}}]""", "2026-11-22T08:00:00Z", "2026-11-22T11:30:00Z", "active" },
    };

    [Theory]
    [MemberData(nameof(IdleCases))]
    public void IdleCheckDecidesFromJupyterActivity(string sessions, string started, string now, string expected)
    {
        var python = Find("python3");
        if (python is null) Assert.Skip("needs python3 on PATH to run the idle check; it is absent here");
        var dir = Directory.CreateTempSubdirectory("autostop-").FullName;
        try
        {
            var script = Path.Combine(dir, "autostop.py");
            File.WriteAllText(script, MimicInfra.Aws.LifecycleScripts.Autostop);
            File.WriteAllText(Path.Combine(dir, "sessions.json"), sessions);
            var (code, stdout, stderr) = Run(python, ["-I", script, "--idle-minutes", "60", "--instance", "lab-1", "--region", "eu-west-1",
                "--sessions-json", Path.Combine(dir, "sessions.json"), "--now", now, "--started", started, "--dry-run"]);
            Assert.True(code == 0, stderr);
            Assert.Contains(expected == "idle" ? "idle for 60+ minutes: stopping lab-1 in eu-west-1" : "active", stdout);
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class ExampleNotebookTests
{
    private static JsonElement Parse(ParsedProgram p) => JsonDocument.Parse(Workspace.Notebook(p)).RootElement;

    private static string Text(JsonElement cell) => string.Concat(cell.GetProperty("source").EnumerateArray().Select(l => l.GetString()));

    [Fact]
    public void NotebookIsNbformat4WithKernelAndValidCells()
    {
        var nb = Parse(Workspace.Demo);
        Assert.Equal(4, nb.GetProperty("nbformat").GetInt32());
        Assert.Equal(5, nb.GetProperty("nbformat_minor").GetInt32());
        var kernel = nb.GetProperty("metadata").GetProperty("kernelspec");
        Assert.Equal("conda_python3", kernel.GetProperty("name").GetString());
        Assert.Equal("python", kernel.GetProperty("language").GetString());
        Assert.False(string.IsNullOrEmpty(kernel.GetProperty("display_name").GetString()));
        var ids = new HashSet<string>();
        foreach (var cell in nb.GetProperty("cells").EnumerateArray())
        {
            Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", cell.GetProperty("id").GetString()!);
            Assert.True(ids.Add(cell.GetProperty("id").GetString()!));
            Assert.Equal(JsonValueKind.Object, cell.GetProperty("metadata").ValueKind);
            var type = cell.GetProperty("cell_type").GetString();
            Assert.Contains(type, new[] { "markdown", "code" });
            if (type == "code")
            {
                Assert.Equal(JsonValueKind.Null, cell.GetProperty("execution_count").ValueKind);
                Assert.Equal(0, cell.GetProperty("outputs").GetArrayLength());
            }
            var lines = cell.GetProperty("source").EnumerateArray().Select(l => l.GetString()!).ToList();
            Assert.All(lines.SkipLast(1), l => Assert.EndsWith("\n", l));
        }
        var all = string.Join("\n", nb.GetProperty("cells").EnumerateArray().Select(Text));
        Assert.Contains("WORKGROUP = \"mimic-demo-researc-demo-0cb55dbb\"", all);
        Assert.Contains("DATABASE = \"mimic_demo_researc_demo_0cb55dbb\"", all);
        Assert.Contains("import boto3", all);
        Assert.Contains("get_work_group", all);   // finds the results bucket from the workgroup
    }

    [Fact]
    public void BigQueryNotebookIsNbformat4AndUsesTheLabDatasets()
    {
        var lab = LabSettingsReader.Read(Gcp.Only31(), Labs.Catalog);
        var nb = JsonDocument.Parse(ExampleNotebook.BuildForBigQuery(lab)).RootElement;
        Assert.Equal(4, nb.GetProperty("nbformat").GetInt32());
        Assert.Equal("python3", nb.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        var all = string.Join("\n", nb.GetProperty("cells").EnumerateArray().Select(Text));
        Assert.Contains("PROJECT = \"mimic-research-1\"", all);
        Assert.Contains("\"hosp\": \"mimic_jdoe_sepsis_", all);
        Assert.Contains("default_dataset=", all);
        Assert.Contains("\"\"\", \"icu\")", all);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    public void EverySqlCellNamesOnlyCatalogTablesAndColumns(string cloud)
    {
        var notebook = cloud == "aws"
            ? JsonDocument.Parse(Workspace.Notebook(new ParsedProgram(Labs.Compile(Labs.Full31())))).RootElement
            : JsonDocument.Parse(ExampleNotebook.BuildForBigQuery(LabSettingsReader.Read(Gcp.Only31(), Labs.Catalog))).RootElement;
        var release = Labs.Catalog.Find("mimic-iv-3.1")!;
        // A derived table may share a source table's name (derived.vitalsign, ed.vitalsign): either's columns.
        var columnsOf = release.AllTables.GroupBy(x => x.Table.Name).ToDictionary(g => g.Key, g => g.SelectMany(x => x.Table.Columns.Select(c => c.Name)).ToHashSet());
        // Each example's cell keeps its result in a variable: `name = run("""SQL""", ...)`.
        var sqlCells = notebook.GetProperty("cells").EnumerateArray().Select(Text).Where(t => System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z_0-9]+ = run\\(\"\"\"")).ToList();
        // One or two per module: hosp x2, icu, ed, note, and on BigQuery (which has the derived views) derived.
        Assert.Equal(cloud == "aws" ? 5 : 6, sqlCells.Count);
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        db.Open();
        foreach (var cell in sqlCells)
        {
            var sql = cell[(cell.IndexOf("run(\"\"\"", StringComparison.Ordinal) + "run(\"\"\"".Length)..cell.LastIndexOf("\"\"\"", StringComparison.Ordinal)];
            var ast = JsonDocument.Parse((string)LocalLab.Query(db, $"SELECT json_serialize_sql({DuckDbSql.Literal(sql)})").Rows[0][0]!).RootElement;
            Assert.False(ast.GetProperty("error").GetBoolean(), sql);
            var (tables, columns, aliases) = Names(ast);
            Assert.NotEmpty(tables);
            Assert.All(tables, t => Assert.True(columnsOf.ContainsKey(t), $"{t} is not a catalog table"));
            var known = tables.SelectMany(t => columnsOf[t]).Concat(aliases).ToHashSet();
            Assert.All(columns, c => Assert.True(known.Contains(c), $"column {c} is in none of {string.Join(", ", tables)}"));
        }
    }

    /// <summary>Tables, column references (last name part) and select aliases in DuckDB's parse of a query.</summary>
    private static (HashSet<string> Tables, HashSet<string> Columns, HashSet<string> Aliases) Names(JsonElement ast)
    {
        var (tables, columns, aliases) = (new HashSet<string>(), new HashSet<string>(), new HashSet<string>());
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) { foreach (var x in e.EnumerateArray()) Walk(x); return; }
            if (e.ValueKind != JsonValueKind.Object) return;
            if (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "BASE_TABLE") tables.Add(e.GetProperty("table_name").GetString()!);
            if (e.TryGetProperty("class", out var c) && c.GetString() == "COLUMN_REF") columns.Add(e.GetProperty("column_names").EnumerateArray().Last().GetString()!);
            if (e.TryGetProperty("alias", out var a) && a.ValueKind == JsonValueKind.String && a.GetString()!.Length > 0) aliases.Add(a.GetString()!);
            foreach (var p in e.EnumerateObject()) Walk(p.Value);
        }
        Walk(ast);
        return (tables, columns, aliases);
    }
}
