using System.CommandLine;
using MimicInfra.Lab;

namespace MimicInfra.Cli;

/// <summary>`notebook`: the lab's example notebook, for AWS (also put on the SageMaker notebook), BigQuery or the local lab.</summary>
internal static class NotebookCommand
{
    public static Command Build(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var cloud = new Option<string>("--cloud") { Description = "aws (Athena, the notebook SageMaker gets), gcp (BigQuery, to upload to Workbench) or local (the DuckDB lab `local` builds).", DefaultValueFactory = _ => "aws" };
        cloud.AcceptOnlyFromAmong("aws", "gcp", "local");
        var db = new Option<string?>("--db") { Description = "With --cloud local: the lab's DuckDB file as the notebook opens it (default: mimic-<stack>.duckdb, as `local` writes it)." };
        var cmd = new Command("notebook", "Print the lab's example notebook (Jupyter .ipynb JSON).") { stack, dir, cloud, db };
        cmd.SetAction(r => io.Run(() =>
        {
            var where = r.GetValue(cloud)!;
            if (r.GetValue(db) is not null && where != "local") throw new UserError("--db is for --cloud local (the notebook of the local lab); drop it, or add --cloud local.");
            if (where == "local")
            {
                var local = CompileCommands.ReadLocalLab(r.GetValue(stack)!, r.GetValue(dir));
                io.Out.Write(ExampleNotebook.BuildForLocal(local, r.GetValue(db) ?? $"mimic-{local.Stack}.duckdb"));
                return 0;
            }
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            var gcp = where == "gcp";
            if (gcp ? lab.Gcp is null : lab.Aws is null)
                throw new UserError($"stack {lab.Stack} has no {(gcp ? "GCP" : "AWS")} side; set {StackConfig.Project}:{(gcp ? "gcp" : "aws")} to true.");
            io.Out.Write(gcp ? ExampleNotebook.BuildForBigQuery(lab) : ExampleNotebook.Build(lab));
            return 0;
        }));
        return cmd;
    }
}
