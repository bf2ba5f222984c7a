using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MimicInfra.Catalog;
using MimicInfra.Fleet;
using MimicInfra.Lab;

namespace MimicInfra.Cli;

/// <summary>`labs list | new`: the fleet of labs in stacks/, one stack file per researcher.</summary>
internal static class LabsCommands
{
    /// <summary>Exit code of `labs list` when any lab is past its expiry, for a scheduled job.</summary>
    public const int ExpiredExit = 3;

    public static Command Build(Console io, Func<string, string?> env)
    {
        var labs = new Command("labs", "The labs of this repository (stacks/): list them, or write a new one.");

        var dir = CompileCommands.StacksDirOption();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var examples = new Option<bool>("--examples", "--all") { Description = $"Also list the example stacks (marked `{ExampleStacks.Marker}`)." };
        var list = new Command("list", $"Every lab in stacks/ with researcher, study, release, clouds, expiry and status, in the terminal's width (COLUMNS). Exits {ExpiredExit} when any lab is expired.") { json, examples, dir };
        list.SetAction(r => io.Run(() => List(io, r.GetValue(dir), r.GetValue(json), ExpiryDates.Today(), WidthOf(io, env), r.GetValue(examples))));

        var stack = CompileCommands.StackOption();
        var release = new Option<string>("--release") { Description = "Catalog release, e.g. mimic-iv-3.1 (`catalog list`).", Required = true };
        var researcher = new Option<string>("--researcher") { Description = "Researcher id.", Required = true };
        var study = new Option<string>("--study") { Description = "Study id.", Required = true };
        var expires = new Option<string>("--expires") { Description = "YYYY-MM-DD the study ends (the lab stops at 00:00 UTC that day).", Required = true };
        var modules = new Option<string[]>("--module") { Description = "A module to include (repeat). Default: every module the lab can build from the given sources.", AllowMultipleArgumentsPerToken = true };
        var moduleSources = new Option<string[]>("--module-source") { Description = "MODULE=URI: the S3 URI of a module from another PhysioNet project (e.g. ed=s3://arn:aws:s3:...:accesspoint/NAME/mimic-iv-ed/2.2/ed/; repeat).", AllowMultipleArgumentsPerToken = true };
        var account = new Option<string?>("--aws-account") { Description = "The researcher's AWS account id (12 digits): the lab deploys only there." };
        var region = new Option<string?>("--aws-region") { Description = "AWS region of the lab." };
        var profile = new Option<string?>("--aws-profile") { Description = "AWS CLI profile with the account's credentials." };
        var source = new Option<string?>("--source-uri") { Description = "S3 folder of the data (required for credentialed releases on AWS)." };
        var researcherArn = new Option<string?>("--researcher-arn") { Description = "The researcher's verified IAM user, arn:aws:iam::ACCOUNT:user/NAME (required for credentialed releases on AWS)." };
        var noAws = new Option<bool>("--no-aws") { Description = "No AWS side." };
        var project = new Option<string?>("--gcp-project") { Description = "The researcher's GCP project: adds the GCP side." };
        var members = new Option<string[]>("--gcp-member") { Description = "user:, group: or serviceAccount: member of the GCP lab (repeat).", AllowMultipleArgumentsPerToken = true };
        var newDir = CompileCommands.StacksDirOption();
        var create = new Command("new", "Write stacks/Pulumi.<stack>.yaml for a new researcher, checked by the same reader as `compile`; never overwrites.")
            { stack, release, researcher, study, expires, modules, moduleSources, account, region, profile, source, researcherArn, noAws, project, members, newDir };
        create.SetAction(r => io.Run(() =>
        {
            if (!DateOnly.TryParseExact(r.GetValue(expires), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until))
                throw new UserError($"--expires '{r.GetValue(expires)}' is not a date; write it as YYYY-MM-DD.");
            var gcpProject = r.GetValue(project);
            var lab = new NewLab(r.GetValue(stack)!, r.GetValue(release)!, r.GetValue(researcher)!, r.GetValue(study)!, until,
                r.GetValue(modules) ?? [], !r.GetValue(noAws), r.GetValue(account), r.GetValue(region), r.GetValue(profile), r.GetValue(source),
                gcpProject is not null, gcpProject, r.GetValue(members) ?? [], r.GetValue(researcherArn)) { ModuleSources = r.GetValue(moduleSources) ?? [] };
            return New(io, lab, r.GetValue(newDir));
        }));

        labs.Subcommands.Add(list);
        labs.Subcommands.Add(create);
        return labs;
    }

    /// <summary>
    /// The width `labs list` fits: COLUMNS when set, else the terminal's; none when the output is a pipe or a
    /// file, which then gets one line per lab.
    /// </summary>
    internal static int? WidthOf(Console io, Func<string, string?> env)
    {
        if (int.TryParse(env("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0) return columns;
        try { return ReferenceEquals(io.Out, System.Console.Out) && !System.Console.IsOutputRedirected && System.Console.WindowWidth > 0 ? System.Console.WindowWidth : null; }
        catch (IOException) { return null; }
    }

    internal static int List(Console io, string? stacksDir, bool json, DateOnly today, int? width = null, bool examples = false)
    {
        var dir = stacksDir ?? Path.Combine(CompileCommands.ProjectRoot(), "stacks");
        if (!Directory.Exists(dir)) throw new UserError($"no stacks folder {dir}.");
        var catalog = CatalogLoader.LoadEmbedded();
        var files = Directory.GetFiles(dir, "Pulumi.*.yaml").Order(StringComparer.Ordinal).ToList();
        var hidden = 0;
        var labs = new List<LabStatus>();
        foreach (var file in files)
        {
            var stack = Path.GetFileName(file)["Pulumi.".Length..^".yaml".Length];
            try
            {
                if (!examples && ExampleStacks.IsExample(File.ReadAllText(file))) { hidden++; continue; }
                labs.Add(FleetStatus.Of(StackConfig.FromFile(stack, file), catalog, today));
            }
            catch (Exception e) when (e is UserError or IOException or UnauthorizedAccessException)
            {
                // One unreadable file is that lab's problem, never the whole fleet's.
                labs.Add(new LabStatus(stack, null, null, null, [], [], null, null, null, null, LabState.Problems, [e.Message]));
            }
        }

        if (json)
        {
            var arr = new JsonArray(labs.Select(l => (JsonNode)new JsonObject
            {
                ["stack"] = l.Stack,
                ["researcher"] = l.Researcher,
                ["study"] = l.Study,
                ["release"] = l.Release,
                ["modules"] = new JsonArray(l.Modules.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
                ["clouds"] = new JsonArray(l.Clouds.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
                ["awsAccountId"] = l.AwsAccountId,
                ["gcpProject"] = l.GcpProject,
                ["expires"] = l.Expires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["daysLeft"] = l.DaysLeft,
                ["status"] = l.State.ToString().ToLowerInvariant(),
                ["problems"] = new JsonArray(l.Problems.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
            }).ToArray());
            io.Out.WriteLine(arr.ToJsonString(Json.Indented));
        }
        else
        {
            // Most needed first: columns are left out from the end when the terminal is narrow.
            var rows = labs.Select(l => (IReadOnlyList<string>)[
                l.Stack, l.StateText,
                l.Expires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-",
                l.DaysLeft?.ToString(CultureInfo.InvariantCulture) ?? "-",
                l.Release ?? "-", l.Researcher ?? "-", l.Study ?? "-", string.Join(",", l.Clouds),
                string.Join(" / ", new[] { l.AwsAccountId, l.GcpProject }.Where(x => x is not null)) is { Length: > 0 } a ? a : "-",
                l.Modules.Count == 0 ? "all" : string.Join(",", l.Modules)]).ToList();
            if (labs.Count > 0)
                foreach (var line in FleetTable.Render(["stack", "status", "expires", "days left", "release", "researcher", "study", "clouds", "account / project", "modules"], rows, 2, width))
                    io.Out.WriteLine(line);
            foreach (var l in labs.Where(l => l.Problems.Count > 0))
                foreach (var p in l.Problems)
                    foreach (var line in FleetTable.Wrap($"{l.Stack}: {p}", width, "    ")) io.Out.WriteLine(line);
            var summary = $"{labs.Count} lab(s): {labs.Count(l => l.State == LabState.Active)} active, {labs.Count(l => l.State == LabState.Expiring)} expiring within {StackRules.WarnDays} days, " +
                          $"{labs.Count(l => l.State == LabState.Expired)} expired, {labs.Count(l => l.State == LabState.Problems)} with problems" +
                          (hidden > 0 ? $"; {hidden} example stack(s) not listed (--examples lists them)." : ".");
            foreach (var line in FleetTable.Wrap(summary, width, "")) io.Out.WriteLine(line);
        }
        return labs.Any(l => l.State == LabState.Expired) ? ExpiredExit : 0;
    }

    internal static int New(Console io, NewLab lab, string? stacksDir)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(lab.Stack, "^[A-Za-z0-9_.-]{1,100}$"))
            throw new UserError($"--stack '{lab.Stack}' is not a stack name (letters, digits, '-', '_', '.').");
        var dir = stacksDir ?? Path.Combine(CompileCommands.ProjectRoot(), "stacks");
        var path = Path.Combine(dir, $"Pulumi.{lab.Stack}.yaml");
        if (File.Exists(path)) throw new UserError($"{path} exists; `labs new` never overwrites a lab. Pick another --stack, or edit that file.");
        var catalog = CatalogLoader.LoadEmbedded();
        var problems = NewLabRules.Problems(lab, catalog);
        if (catalog.Find(lab.Release) is not { } release) throw NothingWritten(problems);
        var (modules, leftOut) = NewLabRules.ModulesOf(lab, release);
        lab = lab with { Modules = modules };
        var text = StackFileWriter.Write(lab);
        // Checked by the reader `compile` uses, from the very text that will be written; nothing is written on a problem.
        var temp = Path.Combine(dir, $".Pulumi.{lab.Stack}.{Environment.ProcessId}.tmp");
        Directory.CreateDirectory(dir);
        File.WriteAllText(temp, text);
        try
        {
            LabSettings? settings = null;
            try { settings = LabSettingsReader.Read(StackConfig.FromFile(lab.Stack, temp), catalog); }
            catch (UserError e)
            {
                // The reader speaks in stack keys; the user typed flags. A flag the checks above already named is not named twice.
                // With no module to build (said above), only the problems of the flags that do not choose modules or sources count.
                var named = problems.Select(FlagOf).ToHashSet(StringComparer.Ordinal);
                problems.AddRange(e.Message.Split('\n').Skip(1).Select(l => NewLabRules.InFlags(l.Trim()))
                    .Where(l => l.Length > 0 && !named.Contains(FlagOf(l)) && (modules.Count > 0 || NewLabRules.IsAboutWhoOrWhere(FlagOf(l)))));
            }
            if (problems.Count > 0 || settings is null) throw NothingWritten(problems);
            File.Move(temp, path);
            io.Out.WriteLine($"wrote {path}: lab {settings.Names.Lab} ({settings.Release.Id}: {string.Join(", ", modules)}; expires {settings.Expires:yyyy-MM-dd}).");
            foreach (var l in leftOut) io.Out.WriteLine($"  left out {l.Module}: {l.Why}.");
            io.Out.WriteLine($"Next: preview --stack {lab.Stack}, then `pulumi stack init {lab.Stack}` and `pulumi up`.");
            return 0;
        }
        finally { File.Delete(temp); }
    }

    private static string FlagOf(string problem) => problem.Split([' ', ':'], 2)[0];

    private static UserError NothingWritten(IReadOnlyList<string> problems) =>
        new($"labs new: {problems.Count} problem(s), nothing written:\n  " + string.Join("\n  ", problems));
}
