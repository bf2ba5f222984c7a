using System.Globalization;
using MimicInfra.Program;

namespace MimicInfra.Lab;

/// <summary>
/// Pulumi.yaml's `config:` block and the README's settings table, written from <see cref="SettingSpecs"/>: the two
/// documents that declare the settings to Pulumi and to users, so neither is edited by hand. Pure text in, text out.
/// </summary>
public static class SettingsDocument
{
    public const string TableBegin = "<!-- settings:begin: written by `settings --write` from Lab/SettingSpecs.cs; edit there -->";
    public const string TableEnd = "<!-- settings:end -->";

    /// <summary>The `config:` block as Pulumi reads it: each setting's type, default and description, in declaration order.</summary>
    public static string ConfigBlock()
    {
        var config = new YMap();
        foreach (var spec in SettingSpecs.All)
        {
            var entry = new YMap { ["type"] = spec.Type };
            if (spec.Type == "array") entry["items"] = new YMap { ["type"] = "string" };
            if (spec.Default is not null) entry["default"] = spec.Default;
            entry["description"] = spec.Description;
            config[spec.Key] = entry;
        }
        // The comment sits inside the block, so the rest of Pulumi.yaml stays as its authors wrote it.
        return "config:\n  # Written by `settings --write` from infra/MimicInfra/Lab/SettingSpecs.cs: edit the settings there.\n" +
            ProgramYaml.Write(new YMap { ["config"] = config })["config:\n".Length..];
    }

    /// <summary>The README's settings table: a row per setting or group of settings, provider settings after the one they follow.</summary>
    public static string Table()
    {
        var lines = new List<string> { "| key | default | meaning |", "| --- | --- | --- |" };
        foreach (var row in SettingSpecs.All.GroupBy(s => s.Row ?? s.Key))
        {
            var specs = row.ToList();
            var shown = specs.Select(ShownDefault).ToList();
            var defaults = shown.Distinct().Count() == 1 ? shown[0] : string.Join(", ", shown);
            var meaning = specs[0].Meaning ?? throw new InvalidOperationException($"setting {specs[0].Key} heads a README row and has no Meaning");
            lines.Add($"| {string.Join(", ", specs.Select(s => $"`{s.Key}`"))} | {defaults} | {meaning} |");
            foreach (var provider in SettingSpecs.ProviderRows.Where(p => specs.Any(s => s.Key == p.After)))
                lines.Add($"| `{provider.Key}` | {provider.Shown} | {provider.Meaning} |");
        }
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>Pulumi.yaml with its `config:` block (from the line `config:` to the end of the file) replaced.</summary>
    public static string WithConfigBlock(string pulumiYaml)
    {
        // Searched with a line break in front, so a file that starts with the block is found at 0.
        var at = ("\n" + pulumiYaml).IndexOf("\nconfig:\n", StringComparison.Ordinal);
        if (at < 0) throw new FormatException("Pulumi.yaml has no top-level `config:` block to replace");
        if (pulumiYaml[at..].Split('\n').Skip(1).Any(l => l.Length > 0 && l[0] is not (' ' or '#')))
            throw new FormatException("Pulumi.yaml has top-level keys after `config:`; the block must come last");
        return pulumiYaml[..at] + ConfigBlock();
    }

    /// <summary>The README with the text between its two settings markers replaced by the table.</summary>
    public static string WithTable(string readme)
    {
        var begin = readme.IndexOf(TableBegin + "\n", StringComparison.Ordinal);
        var end = readme.IndexOf(TableEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new FormatException($"README.md has no settings table between a line `{TableBegin}` and a line `{TableEnd}`");
        var start = begin + TableBegin.Length + 1;
        return readme[..start] + "\n" + Table() + "\n" + readme[end..];
    }

    private const long Gib = 1L << 30;

    private static string ShownDefault(SettingSpec spec) => spec.Shown ?? spec.Default switch
    {
        null => "none",
        bool b => b ? "`true`" : "`false`",
        string s => $"`{s}`",
        long n when n >= Gib && n % Gib == 0 => $"{n / Gib} GiB",
        var n => Convert.ToString(n, CultureInfo.InvariantCulture)!,
    };
}
