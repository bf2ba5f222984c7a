using System.CommandLine;
using System.Globalization;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Cli;

/// <summary>`preview`: what `pulumi up` would create for a stack, without a cloud account.</summary>
internal static class PreviewCommand
{
    public static Command Build(Console io)
    {
        var stack = CompileCommands.StackOption();
        var dir = CompileCommands.StacksDirOption();
        var graph = new Option<bool>("--graph") { Description = "Print the resource graph as a Mermaid diagram instead." };
        var cmd = new Command("preview", "Summarise what `pulumi up` would create for a stack (no cloud account needed).") { stack, dir, graph };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = CompileCommands.ReadLab(r.GetValue(stack)!, r.GetValue(dir));
            var program = LabCompiler.Compile(lab);
            io.Out.Write(r.GetValue(graph) ? LabPreview.Mermaid(program) : LabPreview.Summary(lab, program));
            return 0;
        }));
        return cmd;
    }
}

/// <summary>Readable views of a compiled lab: a summary and a Mermaid graph. Pure functions of their inputs.</summary>
public static class LabPreview
{
    public static string Summary(LabSettings lab, PulumiProgram program)
    {
        if (Local.LocalLabPreview.Summary(lab) is { } local) return local;
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var cost = Costs.CostEstimate.For(lab, Costs.PriceTable.Embedded);
        w.WriteLine($"MIMIC lab {lab.Names.Lab} (stack {lab.Stack})");
        foreach (var line in PreviewGuide.Glance(lab, cost)) w.WriteLine(line);
        w.WriteLine();
        // The details. Lines that concern only a lab deployed already (an update that replaces something) are
        // gathered under their own heading after them, so a new lab's reader can pass them by.
        var details = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Details(details, lab);
        var lines = details.ToString().TrimEnd('\n').Split('\n');
        w.WriteLine("Details");
        foreach (var line in lines.Where(l => !IsForDeployedLabs(l))) w.WriteLine(line);
        if (lines.Where(IsForDeployedLabs).ToList() is { Count: > 0 } deployed)
        {
            w.WriteLine();
            w.WriteLine("Labs deployed already (this update changes them):");
            foreach (var line in deployed) w.WriteLine(line);
        }
        w.WriteLine();
        foreach (var line in CostSection(lab, cost)) w.WriteLine(line);
        w.WriteLine();
        var real = program.Resources.Where(r => !r.Type.StartsWith("pulumi:providers:", StringComparison.Ordinal)).ToList();
        w.WriteLine($"`pulumi up` would create {real.Count} resources (plus {program.Resources.Count - real.Count} provider):");
        foreach (var g in real.GroupBy(r => r.Type).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
            w.WriteLine($"  {g.Count(),4}  {g.Key}");
        w.WriteLine();
        w.WriteLine($"Tables ({lab.Tables.Count()}):");
        foreach (var m in lab.Modules)
            w.WriteLine($"  {m.Name,-8} {string.Join(" ", m.Tables.Select(t => t.Name))}");
        w.WriteLine();
        w.WriteLine("Stack outputs:");
        foreach (var (k, v) in program.Outputs)
        {
            var text = v switch
            {
                YMap policy when policy.ContainsKey("fn::toJSON") => "IAM policy (JSON) to attach to the researcher's IAM user",
                string s => s,
                IEnumerable<object> list => string.Join(", ", list),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
            };
            w.WriteLine($"  {k,-22} {Check.Interpolation.Describe(text)}");
        }
        w.WriteLine();
        w.WriteLine("After `pulumi up`:");
        foreach (var line in PreviewGuide.NextSteps(lab, program)) w.WriteLine(line);
        w.WriteLine();
        w.WriteLine($"`pulumi destroy --stack {lab.Stack}`:");
        foreach (var line in PreviewGuide.Destroy(lab)) w.WriteLine(line);
        return w.ToString();
    }

    /// <summary>
    /// The cost section: CostEstimate's lines, then the lines other concerns add about what the lab costs
    /// (one call each, here).
    /// </summary>
    private static IEnumerable<string> CostSection(LabSettings lab, Costs.CostEstimate cost) => cost.Render();

    /// <summary>A detail line for labs that exist already (its tag says so), e.g. a replacement this update makes.</summary>
    private static bool IsForDeployedLabs(string line) => line.StartsWith("  upgrade ", StringComparison.Ordinal);

    private static void Details(StringWriter w, LabSettings lab)
    {
        w.WriteLine($"  release     {lab.Release.Title} ({lab.Release.Id}), {lab.Release.Access.ToString().ToLowerInvariant()} access");
        w.WriteLine($"  modules     {string.Join(", ", lab.Modules.Select(m => $"{m.Name} ({m.Tables.Count} tables)"))}");
        if (lab.Derived is { } derived)
            w.WriteLine($"  derived     {derived.Name} ({derived.Tables.Count} concept tables, schema {derived.Schema}), computed from the other modules by {derived.Concepts!.Repository}'s concept SQL");
        var inCloud = lab.ResearcherInCloud == lab.Researcher ? "" : $" (in names and tags: {lab.ResearcherInCloud}, so the e-mail address stays out of the cloud)";
        w.WriteLine($"  researcher  {lab.Researcher}{inCloud}, study {lab.Study}, expires {lab.Expires:yyyy-MM-dd} ({Fleet.FleetPreview.DaysLeft(lab, Fleet.ExpiryDates.Today())})");
        w.WriteLine($"  tags        {string.Join(", ", lab.Tags.Select(t => $"{t.Key}={t.Value}"))}");
        if (lab.Aws is { } aws)
        {
            w.WriteLine();
            w.WriteLine($"AWS, region {aws.Region}");
            foreach (var line in Fleet.FleetPreview.Aws(lab)) w.WriteLine(line);
            foreach (var line in Sources.SourcePreview.Lines(lab)) w.WriteLine(line);
            foreach (var line in Aws.Data.DataPreview.Lines(lab)) w.WriteLine(line);
            w.WriteLine(Aws.Perimeter.PerimeterPreview.PrincipalsLine(aws));
            foreach (var line in Aws.Data.DataPreview.KeyLines(lab)) w.WriteLine(line);
            foreach (var line in Aws.Perimeter.PerimeterPreview.Lines(lab)) w.WriteLine(line);
            foreach (var line in Aws.Audit.AuditPreview.Lines(lab)) w.WriteLine(line);
            foreach (var line in Sources.SourcePreview.RegionLines(lab)) w.WriteLine(line);
            foreach (var line in Aws.Workspace.WorkspacePreview.Lines(lab, network: Aws.Network.LabNetwork.Describe(lab))) w.WriteLine(line);
            foreach (var line in Sources.SourcePreview.DerivedLines(lab)) w.WriteLine(line);
        }
        if (lab.Gcp is { } gcp)
        {
            w.WriteLine();
            w.WriteLine($"GCP, project {gcp.Project}, BigQuery location {gcp.Location}");
            foreach (var line in Fleet.FleetPreview.Gcp(lab)) w.WriteLine(line);
            foreach (var line in Gcp.Datasets.LabDatasetsPreview.Lines(lab)) w.WriteLine(line);
            foreach (var line in Gcp.Hardening.GcpSecurityPreview.Lines(lab)) w.WriteLine(line);
            foreach (var line in Gcp.Workbench.GcpWorkbenchPreview.Lines(lab)) w.WriteLine(line);
        }
    }

    public static string Mermaid(PulumiProgram program)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        w.WriteLine("flowchart LR");
        var ids = program.Resources.Select((r, i) => (r.Name, Id: $"r{i}")).ToDictionary(x => x.Name, x => x.Id);
        foreach (var r in program.Resources)
            w.WriteLine($"  {ids[r.Name]}[\"{r.Name}<br/><small>{r.Type.Split(':').Last()}</small>\"]");
        foreach (var r in program.Resources)
        {
            var targets = Strings(r.ToYaml())
                .SelectMany(s => Check.Interpolation.Parse(s).References)
                .Select(x => x.Root).Where(ids.ContainsKey).Where(t => t != r.Name).Distinct().Order(StringComparer.Ordinal);
            foreach (var t in targets) w.WriteLine($"  {ids[r.Name]} --> {ids[t]}");
        }
        return w.ToString();
    }

    private static IEnumerable<string> Strings(object? value) => value switch
    {
        string s => [s],
        YMap m => m.SelectMany(kv => Strings(kv.Value)),
        System.Collections.IEnumerable e => e.Cast<object?>().SelectMany(Strings),
        _ => [],
    };
}
