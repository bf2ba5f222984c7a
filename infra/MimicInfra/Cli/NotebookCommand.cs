using System.CommandLine;
using MimicInfra.Lab;

namespace MimicInfra.Cli;

/// <summary>`notebook`: the lab's example notebook, for AWS (also put on the SageMaker notebook) or BigQuery.</summary>
internal static class NotebookCommand
{
    public static Command Build(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var cloud = new Option<string>("--cloud") { Description = "aws (Athena, the notebook SageMaker gets) or gcp (BigQuery, to upload to Workbench).", DefaultValueFactory = _ => "aws" };
        cloud.AcceptOnlyFromAmong("aws", "gcp");
        var cmd = new Command("notebook", "Print the lab's example notebook (Jupyter .ipynb JSON).") { stack, dir, cloud };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            var gcp = r.GetValue(cloud) == "gcp";
            if (gcp ? lab.Gcp is null : lab.Aws is null)
                throw new UserError($"stack {lab.Stack} has no {(gcp ? "GCP" : "AWS")} side; set {StackConfig.Project}:{(gcp ? "gcp" : "aws")} to true.");
            io.Out.Write(gcp ? ExampleNotebook.BuildForBigQuery(lab) : ExampleNotebook.Build(lab));
            return 0;
        }));
        return cmd;
    }
}
