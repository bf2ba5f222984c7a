using System.CommandLine;
using MimicInfra.Import;

namespace MimicInfra.Cli;

/// <summary>`import`: the one command a researcher runs, as themselves, to fill the lab's own typed copy.</summary>
internal static class ImportCommand
{
    public static Command Build(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var script = new Option<bool>("--script") { Description = "Print the import script itself (the same bytes `pulumi up` puts in the lab's data bucket)." };
        var cmd = new Command("import", "Print the command that imports the lab's data (run it in AWS CloudShell, signed in as the PhysioNet-verified IAM user).") { stack, dir, script };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            if (lab.Aws is null) throw new UserError($"stack {lab.Stack} has no AWS side, so nothing to import; its GCP views read physionet-data directly.");
            if (!lab.Aws.OwnsData) throw new UserError($"stack {lab.Stack} reads its table-parquet copy in place (sourceInPlace), so there is nothing to import.");
            var plan = ImportPlan.For(lab);
            if (r.GetValue(script))
            {
                io.Out.Write(ImportScript.Build(plan));
                return 0;
            }
            io.Out.WriteLine(ImportScript.CommandFor(plan, ImportScript.LabAccountOf(lab)));
            io.Error.WriteLine($"""

                Run the line above once, after `pulumi up`, in AWS CloudShell ({lab.Aws.Region}) signed in as
                {(plan.SourceIsPhysioNetCredentialed
                    ? "the IAM user you verified on PhysioNet and gave access to " + lab.Release.Title + " (PhysioNet authorizes IAM users, never roles)"
                    : "any IAM user of the lab's account (the source is open)")},
                with the stack output researcherImportPolicy attached to that user. It copies {plan.Tables.Count} tables into the lab's
                own typed Parquet copy, {4} at a time (--parallel N), and can be run again: it redoes only what did not finish.
                Set DATA_BUCKET first to the stack output dataBucket (`pulumi stack output dataBucket`); the stack output
                importCommand is the same command with the bucket's name filled in. The command checks the script's
                SHA-256 before it runs it, and the script writes only to that bucket, owned by the lab's account.
                """);
            return 0;
        }));
        return cmd;
    }
}
