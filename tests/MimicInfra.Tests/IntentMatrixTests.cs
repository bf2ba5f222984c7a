using System.Diagnostics;
using System.Text.Json;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// Who may do what in a lab, proven by an IAM engine the project did not write: every example stack in stacks/ (those
/// marked `# mimic-infra:example`, not a platform team's own labs there; placeholders filled) and a few variants are compiled, and tests/iam/intent.mjs evaluates their emitted policies
/// against tests/iam/intent-matrix.yaml with @cloud-copilot/iam-simulate and lints them with iam-policy and iam-data.
/// </summary>
public class IntentMatrixTests
{
    private static string IamDir => Path.Combine(Shared.RepoRoot, "tests", "iam");

    /// <summary>The example stacks, their placeholders replaced with plausible values (as a platform engineer would).</summary>
    internal static IEnumerable<StackConfig> ExampleStacks() =>
        Directory.GetFiles(Path.Combine(Shared.RepoRoot, "stacks"), "Pulumi.*.yaml").Order(StringComparer.Ordinal)
            .Where(path => MimicInfra.Fleet.ExampleStacks.IsExample(File.ReadAllText(path))).Select(path =>
        {
            var name = Path.GetFileName(path)["Pulumi.".Length..^".yaml".Length];
            var config = StackConfig.FromFile(name, path);
            return new StackConfig(name, config.Values.ToDictionary(kv => kv.Key, kv => kv.Value
                .Replace("replace-research-project", "mimic-research-1").Replace("REPLACE-", "").Replace("REPLACE", "jdoe")));
        });

    /// <summary>Variants the example stacks do not cover: each notebook network, the deployer's modes, a lab reading its copy in place, no notebook and no key.</summary>
    internal static IEnumerable<StackConfig> Variants()
    {
        yield return Labs.Csv31(("deployerDataAccess", "read")) with { Stack = "csv31-deployer-reads" };
        yield return Labs.Csv31(("notebookNetwork", "vpc"), ("notebookSubnetId", "subnet-0123456789abcdef0"), ("notebookSecurityGroupIds", "[\"sg-0123456789abcdef0\"]")) with { Stack = "csv31-own-vpc" };
        yield return Labs.Full31() with { Stack = "full31-in-place" };
        yield return Labs.Config("demo-lab-vpc", [.. Labs.Basics, ("release", "mimic-iv-demo-2.2"), ("notebookNetwork", "lab-vpc")]);
        yield return Labs.Csv31(("notebook", "false"), ("resultsEncryption", "s3")) with { Stack = "csv31-no-notebook-no-key" };
    }

    /// <summary>What the lab's settings say, for the matrix's expectations (the verdicts come from the policies alone).</summary>
    private static object Facts(LabSettings lab)
    {
        var aws = lab.Aws!;
        var nb = aws.Notebook;
        return new
        {
            region = aws.Region,
            expires = lab.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            researcherArn = aws.Perimeter.ResearcherArn,
            closed = aws.Perimeter.Closed,
            credentialed = lab.Release.Access == Catalog.Access.Credentialed,
            deployerDataAccess = aws.Perimeter.DeployerReads ? "read" : "none",
            notebookNetwork = nb is null ? "none" : nb.LabVpc is not null ? "lab-vpc" : nb.DirectInternetAccess ? "internet" : "vpc",
            notebookSubnetId = nb?.SubnetId,
            notebookSecurityGroupIds = nb?.SecurityGroupIds ?? [],
            // PhysioNet's access point of the first module read through one (the import reads it as the researcher).
            sourceAccessPoint = aws.Sources.ModuleSources.Values.FirstOrDefault(src => src.IsAccessPoint) is { } ap ? new { arn = ap.AccessPointArn, prefix = ap.Prefix } : null,
        };
    }

    /// <summary>Compiles each AWS lab into a folder as NAME.yaml and NAME.facts.json; returns how many.</summary>
    private static int WritePrograms(string dir, IEnumerable<StackConfig> stacks)
    {
        var count = 0;
        foreach (var config in stacks)
        {
            var lab = LabSettingsReader.Read(config, Labs.Catalog);
            if (lab.Aws is null) continue;   // the matrix is about AWS policies
            File.WriteAllText(Path.Combine(dir, $"{config.Stack}.yaml"), ProgramYaml.Write(LabCompiler.Compile(lab)));
            File.WriteAllText(Path.Combine(dir, $"{config.Stack}.facts.json"), JsonSerializer.Serialize(Facts(lab)));
            count++;
        }
        return count;
    }

    /// <summary>node and the pinned packages, or a skip with the reason (a failure under CI, which installs them).</summary>
    private static string RequireEvaluator()
    {
        var ci = Environment.GetEnvironmentVariable("CI") == "true";
        string? node = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "node")).FirstOrDefault(File.Exists);
        string? missing = node is null ? "node is not on PATH"
            : !Directory.Exists(Path.Combine(IamDir, "node_modules", "@cloud-copilot", "iam-simulate")) ? $"the IAM evaluator is not installed (run `npm ci` in {IamDir})"
            : null;
        if (missing is null) return node!;
        if (ci) Assert.Fail($"CI=true but {missing}; .ci/run installs it");
        Assert.Skip($"needs the IAM evaluator: {missing}");
        return "";
    }

    private static (int Code, string Output) RunEvaluator(string node, string dir)
    {
        var start = new ProcessStartInfo(node, [Path.Combine(IamDir, "intent.mjs"), dir]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = IamDir };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void EveryExampleStackMeetsTheIntentMatrix()
    {
        var node = RequireEvaluator();
        var dir = Directory.CreateTempSubdirectory("intent-").FullName;
        try
        {
            Assert.True(WritePrograms(dir, [.. ExampleStacks(), .. Variants()]) >= 5);
            var (code, output) = RunEvaluator(node, dir);
            var failures = output.Split('\n').Where(l => !l.StartsWith("ok ", StringComparison.Ordinal) && !l.StartsWith("== ", StringComparison.Ordinal)).ToList();
            Assert.True(code == 0, string.Join('\n', failures));
            Assert.Contains(", 0 mismatches, 0 problems", output);
            TestContext.Current.TestOutputHelper?.WriteLine(failures.LastOrDefault(l => l.Contains("requests evaluated", StringComparison.Ordinal)) ?? "");
            // The done-when of the perimeter: these requests were evaluated (not skipped) and denied.
            foreach (var row in new[] { "mimic-iv-3-1 notebook-reads-nothing-outside-lab", "mimic-iv-3-1 deployer-reads-tables-only-in-read-mode", "mimic-iv-3-1 admin-erases-no-audit-record" })
                Assert.Contains(output.Split('\n'), l => l.StartsWith($"ok       {row}:", StringComparison.Ordinal) && l.Contains("-> deny", StringComparison.Ordinal));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The evaluator fails on a policy that breaks the intent: the lab's own policies with the perimeter removed.</summary>
    [Fact]
    public void TheEvaluatorCatchesABrokenPerimeter()
    {
        var node = RequireEvaluator();
        var dir = Directory.CreateTempSubdirectory("intent-broken-").FullName;
        try
        {
            var lab = LabSettingsReader.Read(Labs.Csv31() with { Stack = "broken" }, Labs.Catalog);
            var text = System.Text.RegularExpressions.Regex.Replace(ProgramYaml.Write(LabCompiler.Compile(lab)),
                @"(Sid: OnlyTheLabsPrincipalsReachItsObjects\n\s+Effect: )Deny", "${1}Allow");
            File.WriteAllText(Path.Combine(dir, "broken.yaml"), text);
            File.WriteAllText(Path.Combine(dir, "broken.facts.json"), JsonSerializer.Serialize(Facts(lab)));
            var (code, output) = RunEvaluator(node, dir);
            Assert.Equal(1, code);
            Assert.Contains("MISMATCH broken admin-reads-no-tables", output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The lint fires on an unknown action, a condition key the action never carries, and a malformed ARN.</summary>
    [Fact]
    public void TheLintCatchesUnknownActionsKeysAndArns()
    {
        var node = RequireEvaluator();
        var dir = Directory.CreateTempSubdirectory("intent-lint-").FullName;
        try
        {
            var lab = LabSettingsReader.Read(Labs.Csv31() with { Stack = "lint" }, Labs.Catalog);
            var text = System.Text.RegularExpressions.Regex.Replace(ProgramYaml.Write(LabCompiler.Compile(lab))
                    .Replace("- athena:ListWorkGroups\n", "- athena:ListWorkGroupz\n")
                    .Replace("- ${workgroup.arn}\n", "- arn:aws:athena:us-east-1:workgroup/x\n"),
                @"(?<i> +)- Sid: LocateTheLabBuckets\n", m => $"{m.Value}{m.Groups["i"].Value}  Condition:\n{m.Groups["i"].Value}    StringLike:\n{m.Groups["i"].Value}      s3:prefix: tables/*\n");
            File.WriteAllText(Path.Combine(dir, "lint.yaml"), text);
            File.WriteAllText(Path.Combine(dir, "lint.facts.json"), JsonSerializer.Serialize(Facts(lab)));
            var (code, output) = RunEvaluator(node, dir);
            Assert.Equal(1, code);
            Assert.Contains("unknown action athena:ListWorkGroupz", output);
            Assert.Contains("s3:GetBucketLocation never carries s3:prefix", output);
            Assert.Contains("malformed ARN arn:aws:athena:us-east-1:workgroup/x", output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
