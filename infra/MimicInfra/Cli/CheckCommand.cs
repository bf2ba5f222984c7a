using System.CommandLine;
using MimicInfra.Check;
using MimicInfra.Program;

namespace MimicInfra.Cli;

/// <summary>`check`: a stack's program against the provider schemas, as Pulumi would type-check it.</summary>
internal static class CheckCommand
{
    public static Command Build(Console io)
    {
        var stack = CompileCommands.StackOption();
        stack.Required = false;
        var dir = CompileCommands.StacksDirOption();
        var file = new Option<string?>("--file") { Description = "Check this program file instead of compiling a stack." };
        var schemas = new Option<string?>("--schemas")
        {
            Description = "Folder of provider schemas (aws.json, gcp.json). Default: $MIMICINFRA_PROVIDER_SCHEMAS, else the schemas built into the program (infra/provider-schemas).",
        };
        var cmd = new Command("check", "Check a program against the provider schemas: types, inputs, required inputs, references, cycles, names.") { stack, dir, file, schemas };
        cmd.SetAction(r => io.Run(() =>
        {
            var lab = r.GetValue(file) is null && r.GetValue(stack) is { } st ? CompileCommands.ReadLab(st, r.GetValue(dir)) : null;
            var (name, text) = r.GetValue(file) is { } path
                ? (path, File.Exists(path) ? ReadProgram(path) : throw new UserError($"--file {path} does not exist."))
                : lab is not null
                    ? ($"stack {lab.Stack}", ProgramYaml.Write(Lab.LabCompiler.Compile(lab)))
                    : throw new UserError("give --stack <name> or --file <program.yaml>.");
            var providers = LoadSchemas(r.GetValue(schemas));
            var schemaReport = new ProgramChecker(providers).Check(text);
            // The lab's own rules: no Glue view without a SerDe, queried tables in catalog types, notebook off the source.
            var report = schemaReport with { Problems = [.. schemaReport.Problems, .. LabRules.Check(text, lab)] };
            io.Out.WriteLine($"{name}: {report.Resources} resources, {report.References} references checked against {string.Join(", ", providers.Values.Select(x => $"{x.Name} {x.Version}"))}");
            foreach (var (type, count) in report.ResourcesByType) io.Out.WriteLine($"  {count,4}  {type}");
            foreach (var p in report.Problems) io.Error.WriteLine($"problem: {p}");
            io.Out.WriteLine(report.Ok ? "ok: no problems" : $"{report.Problems.Count} problem(s)");
            return report.Ok ? 0 : 1;
        }));
        return cmd;
    }

    /// <summary>A program file, screened with the same bounded reader as stack files (no aliases, finite size and depth) before the checker walks it.</summary>
    private static string ReadProgram(string path)
    {
        var limits = Input.YamlLimits.Program;
        if (new FileInfo(path).Length > limits.MaxBytes)
            throw new UserError($"--file {path} is larger than {limits.MaxBytes:N0} bytes; a compiled lab program is far smaller.");
        var text = File.ReadAllText(path);
        try { Input.BoundedYaml.Parse(text, limits); }
        catch (Input.YamlInputException e) { throw new UserError($"--file {path}: {(e.At is { } at ? $"{at}: " : "")}{e.Message}"); }
        return text;
    }

    /// <summary>The schemas generated into the repository (infra/provider-schemas), as built into the program.</summary>
    internal static IReadOnlyDictionary<string, ProviderSchema> BuiltInSchemas() =>
        new[] { "aws", "gcp" }.Select(p => ProviderSchema.Parse(Fleet.ProviderInputs.SchemaText(p))).ToDictionary(s => s.Name);

    private static IReadOnlyDictionary<string, ProviderSchema> LoadSchemas(string? dir)
    {
        dir ??= Environment.GetEnvironmentVariable("MIMICINFRA_PROVIDER_SCHEMAS");
        if (dir is null) return BuiltInSchemas();
        if (!Directory.Exists(dir) || Directory.GetFiles(dir, "*.json").Length == 0)
            throw new UserError($"no provider schemas in {dir}; pass --schemas <folder with aws.json and gcp.json>.");
        return ProviderSchema.LoadDirectory(dir);
    }
}
