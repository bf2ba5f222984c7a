using System.CommandLine;
using MimicInfra.Lab;

namespace MimicInfra.Cli;

/// <summary>`settings --write | --check`: Pulumi.yaml's `config:` block and the README's settings table, from the settings' one declaration.</summary>
internal static class SettingsCommand
{
    public static Command Build(Console io)
    {
        var write = new Option<bool>("--write") { Description = "Rewrite Pulumi.yaml's config: block and the README's settings table from the declared settings." };
        var check = new Option<bool>("--check") { Description = "Exit 1, showing the first difference, when either file differs from what --write would write." };
        var cmd = new Command("settings", "Write or check Pulumi.yaml's config: block and the README's settings table (found from the current folder up).") { write, check };
        cmd.SetAction(r => io.Run(() =>
        {
            if (r.GetValue(write) == r.GetValue(check)) throw new UserError("give one of --write or --check.");
            var root = CompileCommands.ProjectRoot();
            var files = new[]
            {
                (Name: "Pulumi.yaml", Rewrite: (Func<string, string>)SettingsDocument.WithConfigBlock),
                (Name: "README.md", Rewrite: SettingsDocument.WithTable),
            };
            var differing = 0;
            foreach (var (name, rewrite) in files)
            {
                var path = Path.Combine(root, name);
                if (!File.Exists(path)) throw new UserError($"no {name} beside Pulumi.yaml in {root}.");
                var current = File.ReadAllText(path);
                string expected;
                try { expected = rewrite(current); }
                catch (FormatException e) { throw new UserError($"{e.Message}."); }
                if (expected == current) { io.Out.WriteLine($"{name}: up to date"); continue; }
                differing++;
                if (r.GetValue(write))
                {
                    File.WriteAllText(path, expected);
                    io.Out.WriteLine($"{name}: written");
                }
                else io.Error.WriteLine($"{name}: differs from the declared settings (Lab/SettingSpecs.cs); run `settings --write`\n{FirstDifference(current, expected)}");
            }
            return r.GetValue(check) && differing > 0 ? 1 : 0;
        }));
        return cmd;
    }

    /// <summary>The first line that differs, as a diff shows it: its number, the file's line (-) and the expected one (+).</summary>
    internal static string FirstDifference(string current, string expected)
    {
        var (a, b) = (current.Split('\n'), expected.Split('\n'));
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        return $"@@ line {i + 1} @@\n-{(i < a.Length ? a[i] : "(end of file)")}\n+{(i < b.Length ? b[i] : "(end of file)")}";
    }
}
