using System.Diagnostics;
using MimicInfra.Import;
using MimicInfra.Lab;

namespace MimicInfra.Tests;

public class ImportCommandTests
{
    [Fact]
    public void ImportPrintsTheCommandAndTheScriptPulumiUploads()
    {
        var (code, script, _) = Cli.Run(["import", "--stack", "demo", "--script"]);
        Assert.Equal(0, code);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script)));
        var (code2, stdout, stderr) = Cli.Run(["import", "--stack", "demo"]);
        Assert.Equal(0, code2);
        // No Glue lookup: the bucket is the stack output the researcher sets, the account the caller's own (STS), the script pinned by its hash.
        Assert.Equal("aws s3 cp s3://\"${DATA_BUCKET:?set DATA_BUCKET to the stack output dataBucket}\"/lab/import/mimic-lab-import.py . " +
                     "--expected-bucket-owner \"$(aws sts get-caller-identity --query Account --output text)\" && " +
                     $"echo '{sha}  mimic-lab-import.py' | sha256sum -c - && python3 mimic-lab-import.py --data-bucket \"$DATA_BUCKET\" " +
                     "--account \"$(aws sts get-caller-identity --query Account --output text)\"\n", stdout);
        Assert.DoesNotContain("glue", stdout);
        Assert.Contains("in AWS CloudShell (us-east-1)", stderr);
        Assert.Contains("It copies 31 tables", stderr);

        // `import --script` is byte for byte what the program puts in the data bucket (Pulumi reads $$ as $).
        var program = new ParsedProgram(Labs.Compile(Labs.Demo));
        var uploaded = ((string)program.Named("importScript")["content"]).Replace("$$", "$");
        Assert.Equal(uploaded, script);
        Assert.Equal("lab/import/mimic-lab-import.py", program.Named("importScript")["key"]);
        Assert.Equal("aws s3 cp s3://${dataBucket.bucket}/lab/import/mimic-lab-import.py . --expected-bucket-owner ${awsAccount.accountId} && " +
                     $"echo '{sha}  mimic-lab-import.py' | sha256sum -c - && python3 mimic-lab-import.py --data-bucket ${{dataBucket.bucket}} --account ${{awsAccount.accountId}}",
            program.Outputs["importCommand"]);
    }

    [Fact]
    public void ACredentialedLabsCommandNamesTheLabsAccountAndRunsOnlyTheScriptWhoseHashItKnows()
    {
        var lab = LabSettingsReader.Read(Labs.Csv31(), Labs.Catalog);
        var plan = ImportPlan.For(lab);
        var account = lab.Aws!.Perimeter.ResearcherArn!.Split(':')[4];
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        var command = ImportScript.CommandFor(plan, "b", account);
        Assert.Contains($"--expected-bucket-owner {account} &&", command);
        Assert.EndsWith($"--data-bucket b --account {account}", command);

        // The hash check the command runs: the script as built passes, one changed byte stops the command before python3 runs.
        var sh = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "sha256sum")).FirstOrDefault(File.Exists);
        if (sh is null) Assert.Skip("needs sha256sum on PATH (coreutils; AWS CloudShell has it)");
        var check = command[(command.IndexOf("&& ", StringComparison.Ordinal) + 3)..command.LastIndexOf(" && python3", StringComparison.Ordinal)];
        int Check()
        {
            var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(check);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        File.WriteAllText(Path.Combine(dir, ImportScript.FileName), ImportScript.Build(plan));
        Assert.Equal(0, Check());
        File.WriteAllText(Path.Combine(dir, ImportScript.FileName), ImportScript.Build(plan).Replace("\"lab\"", "\"lab \""));
        Assert.NotEqual(0, Check());
    }

    [Fact]
    public void ImportSaysWhyWhenThereIsNothingToImport()
    {
        var dir = Directory.CreateTempSubdirectory("stacks-").FullName;
        File.WriteAllText(Path.Combine(dir, "Pulumi.p.yaml"), "config:\n  mimic-infra:release: mimic-iv-demo-2.2\n  mimic-infra:researcher: r\n  mimic-infra:study: s\n" +
            "  mimic-infra:expires: \"2027-01-01\"\n  mimic-infra:sourceLayout: table-parquet\n  mimic-infra:sourceUri: s3://my-copy/demo/\n  mimic-infra:sourceInPlace: true\n");
        var (code, stdout, stderr) = Cli.Run(["import", "--stack", "p", "--stacks-dir", dir]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("reads its table-parquet copy in place (sourceInPlace), so there is nothing to import", stderr);
    }
}
