using System.CommandLine;

namespace MimicInfra.Cli;

/// <summary>The command line: every verb of MimicInfra. I/O happens only through the given console.</summary>
public static class App
{
    public static int Run(string[] args, Console io) => Run(args, io, Environment.GetEnvironmentVariable);

    public static int Run(string[] args, Console io, Func<string, string?> env)
    {
        // Pulumi runs `pulumi-program` several times per preview and update: that exact command line skips
        // building the whole command tree (the same action runs either way).
        if (args is ["pulumi-program"]) return CompileCommands.RunPulumiProgram(io, env);
        var root = new RootCommand("MimicInfra: a MIMIC research lab on AWS and GCP, compiled to a Pulumi YAML program.");
        root.Subcommands.Add(PreviewCommand.Build(io));
        root.Subcommands.Add(CompileCommands.Compile(io));
        root.Subcommands.Add(CheckCommand.Build(io));
        root.Subcommands.Add(NotebookCommand.Build(io));
        root.Subcommands.Add(ImportCommand.Build(io));
        root.Subcommands.Add(LocalCommands.Local(io, env));
        root.Subcommands.Add(LocalCommands.Query(io));
        root.Subcommands.Add(BenchCommands.ScaleDemo(io));
        root.Subcommands.Add(BenchCommands.Bench(io));
        root.Subcommands.Add(CatalogCommands.Build(io));
        root.Subcommands.Add(LabsCommands.Build(io, env));
        root.Subcommands.Add(SettingsCommand.Build(io));
        root.Subcommands.Add(CompileCommands.PulumiProgram(io, env));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A mistyped command line is a user error like any other: the message and the command's help go
            // to stderr (stdout stays empty, it may be a program Pulumi reads) and the exit code is 2.
            parsed.Invoke(new InvocationConfiguration { Output = io.Error, Error = io.Error });
            return 2;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Error });
    }
}
