using System.CommandLine;
using MimicInfra.Catalog;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Cli;

/// <summary>`pulumi-program`, `compile`: the compiler Pulumi runs, and the same program from a stack file.</summary>
internal static partial class CompileCommands
{
    public static Command PulumiProgram(Console io, Func<string, string?> env)
    {
        var cmd = new Command("pulumi-program",
            "Print the Pulumi YAML program for the stack Pulumi names in PULUMI_STACK and PULUMI_CONFIG (the compiler command in Pulumi.yaml). " +
            "Without them (plugin discovery) it prints a program with the same packages and versions.");
        cmd.SetAction(_ => RunPulumiProgram(io, env));
        return cmd;
    }

    /// <summary>What `pulumi-program` does: the program of the stack Pulumi names, or the plugin-discovery program.</summary>
    public static int RunPulumiProgram(Console io, Func<string, string?> env) => io.Run(() =>
        {
            var config = StackConfig.FromEnvironment(env) is { } stack ? Fleet.SecretKeys.WithSecretsOf(stack, env) : LabCompiler.DiscoveryConfig;
            io.Out.Write(ProgramYaml.Write(LabCompiler.Compile(config, CatalogLoader.LoadEmbedded())));
            return 0;
        });

    public static Option<string> StackOption() => new("--stack", "-s")
    {
        Description = "Stack name: reads stacks/Pulumi.<stack>.yaml (e.g. demo).",
        Required = true,
    };

    public static Option<string?> StacksDirOption() => new("--stacks-dir")
    {
        Description = "Folder of the stack files (default: stacks/ next to Pulumi.yaml, found from the current folder up).",
    };

    public static Command Compile(Console io)
    {
        var stack = StackOption();
        var dir = StacksDirOption();
        var cmd = new Command("compile", "Print the Pulumi YAML program of a stack, byte for byte what `pulumi up` deploys.") { stack, dir };
        cmd.SetAction(r => io.Run(() =>
        {
            io.Out.Write(ProgramYaml.Write(CompileStack(r.GetValue(stack)!, r.GetValue(dir))));
            return 0;
        }));
        return cmd;
    }

    internal static StackConfig ReadStack(string stack, string? stacksDir)
    {
        if (!StackName().IsMatch(stack))
            throw new UserError($"--stack {Input.Shown.Quote(stack)} is not a stack name (letters, digits, '-', '_', '.').");
        var dir = stacksDir ?? Path.Combine(ProjectRoot(), "stacks");
        return StackConfig.FromFile(stack, Path.Combine(dir, $"Pulumi.{stack}.yaml"));
    }

    /// <summary>A stack file read and validated into lab settings.</summary>
    internal static LabSettings ReadLab(string stack, string? stacksDir) =>
        LabSettingsReader.Read(ReadStack(stack, stacksDir), CatalogLoader.LoadEmbedded());

    /// <summary>A stack file read for the local lab: release, modules and the lab's ids only.</summary>
    internal static LabSettings ReadLocalLab(string stack, string? stacksDir) =>
        LabSettingsReader.ReadForLocal(ReadStack(stack, stacksDir), CatalogLoader.LoadEmbedded());

    internal static PulumiProgram CompileStack(string stack, string? stacksDir) => LabCompiler.Compile(ReadLab(stack, stacksDir));

    /// <summary>The folder holding Pulumi.yaml, from the current folder up.</summary>
    internal static string ProjectRoot()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Pulumi.yaml"))) return d.FullName;
        throw new UserError("no Pulumi.yaml in this folder or above; run from the MimicInfra checkout or pass --stacks-dir.");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex StackName();
}
