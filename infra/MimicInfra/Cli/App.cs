using System.CommandLine;

namespace MimicInfra.Cli;

/// <summary>The command line: every verb of MimicInfra. I/O happens only through the given console.</summary>
public static class App
{
    public static int Run(string[] args, Console io)
    {
        var root = new RootCommand("MimicInfra: a MIMIC research lab on AWS and GCP, compiled to a Pulumi YAML program.");
        root.Subcommands.Add(CatalogCommands.Build(io));
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Error };
        return root.Parse(args).Invoke(config);
    }
}
