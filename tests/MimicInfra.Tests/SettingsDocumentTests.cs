using MimicInfra.Lab;
using YamlDotNet.RepresentationModel;

namespace MimicInfra.Tests;

/// <summary>
/// Each setting is declared once, in <see cref="SettingSpecs"/>: Pulumi.yaml's `config:` block and the README's
/// settings table are exactly what `settings --write` writes from it, and `settings --check` catches a hand edit.
/// </summary>
public class SettingsDocumentTests
{
    private static string RepoFile(string name) => File.ReadAllText(Path.Combine(Shared.RepoRoot, name));

    [Fact]
    public void PulumiYamlIsWhatTheCommandWrites() =>
        Assert.True(SettingsDocument.WithConfigBlock(RepoFile("Pulumi.yaml")) == RepoFile("Pulumi.yaml"),
            "Pulumi.yaml's config: block differs from SettingSpecs: run `dotnet run --project infra/MimicInfra -- settings --write`");

    [Fact]
    public void TheReadmeTableIsWhatTheCommandWrites() =>
        Assert.True(SettingsDocument.WithTable(RepoFile("README.md")) == RepoFile("README.md"),
            "README.md's settings table differs from SettingSpecs: run `dotnet run --project infra/MimicInfra -- settings --write`");

    [Fact]
    public void TheConfigBlockReadsBackAsTheDeclaredSettings()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(SettingsDocument.ConfigBlock()));
        var config = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["config"];
        Assert.Equal(SettingSpecs.All.Select(s => s.Key), config.Children.Keys.Select(k => k.ToString()));
        foreach (var spec in SettingSpecs.All)
        {
            var entry = (YamlMappingNode)config[spec.Key];
            Assert.Equal(spec.Type, entry["type"].ToString());
            Assert.Equal(spec.Description, entry["description"].ToString());
            var expected = spec.Default switch { null => null, bool b => b ? "true" : "false", var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) };
            Assert.Equal(expected, entry.Children.TryGetValue(new YamlScalarNode("default"), out var d) ? d.ToString() : null);
        }
    }

    [Fact]
    public void TheTableListsEverySettingOnceAndEachRowHasAMeaning()
    {
        var rows = SettingsDocument.Table().TrimEnd('\n').Split('\n').Skip(2).ToList();
        var keys = rows.SelectMany(r => r.Split(" | ")[0].TrimStart('|', ' ').Split(", ")).Select(k => k.Trim('`')).ToList();
        Assert.Equal(SettingSpecs.All.Select(s => s.Key).Concat(SettingSpecs.ProviderRows.Select(p => p.Key)).Order(), keys.Order());
        Assert.All(rows, r => Assert.Equal(4, r.Count(c => c == '|') - r.Split('`').Where((_, i) => i % 2 == 1).Sum(code => code.Count(c => c == '|'))));
        Assert.All(SettingSpecs.All.GroupBy(s => s.Row ?? s.Key), g =>
        {
            Assert.False(string.IsNullOrWhiteSpace(g.First().Meaning), $"row {g.Key} has no meaning");
            Assert.Equal(g.Key, g.First().Key);   // a row is named after its first setting
            Assert.All(g.Skip(1), s => Assert.Null(s.Meaning));   // only the first setting's meaning would be shown
        });
        // A declared default is shown as declared, so the two cannot disagree.
        Assert.All(SettingSpecs.All.Where(s => s.Default is not null), s => Assert.Null(s.Shown));
        Assert.Contains(rows, r => r.StartsWith("| `athenaBytesScannedCutoff` | 10 GiB |", StringComparison.Ordinal));
        // Markdown would take <word> outside a code span for an HTML tag and hide it.
        Assert.All(rows, r => Assert.DoesNotContain('<', string.Concat(r.Split('`').Where((_, i) => i % 2 == 0))));
        Assert.Contains("| `researcher`, `study` | (required) | ids used in names and tags |", rows);
        Assert.Contains(rows, r => r.StartsWith("| `notebookInstanceType`, `notebookVolumeSizeGb` | `ml.t3.medium`, 20 |", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("| `auditTrail`, `auditRetentionDays`, `auditKeepOnDestroy` | `lab` (credentialed) or `none` (open), 365, `true` |", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckPassesOnTheRepositoryAndCatchesAHandEdit()
    {
        var scratch = Directory.CreateTempSubdirectory("settings-").FullName;
        try
        {
            File.Copy(Path.Combine(Shared.RepoRoot, "Pulumi.yaml"), Path.Combine(scratch, "Pulumi.yaml"));
            File.Copy(Path.Combine(Shared.RepoRoot, "README.md"), Path.Combine(scratch, "README.md"));
            var clean = Cli.RunIn(scratch, ["settings", "--check"]);
            Assert.True(clean.Code == 0, clean.Err);
            Assert.Equal("Pulumi.yaml: up to date\nREADME.md: up to date\n", clean.Out);

            // A description edited in Pulumi.yaml and a row edited in the README: both reported, exit 1, nothing written.
            var yaml = File.ReadAllText(Path.Combine(scratch, "Pulumi.yaml"));
            var editedYaml = yaml.Replace("Build the AWS side of the lab.", "Build the AWS side.");
            Assert.NotEqual(yaml, editedYaml);
            File.WriteAllText(Path.Combine(scratch, "Pulumi.yaml"), editedYaml);
            var readme = File.ReadAllText(Path.Combine(scratch, "README.md"));
            var editedReadme = readme.Replace("| `gcp` | `false` |", "| `gcp` | `true` |");
            Assert.NotEqual(readme, editedReadme);
            File.WriteAllText(Path.Combine(scratch, "README.md"), editedReadme);

            var check = Cli.RunIn(scratch, ["settings", "--check"]);
            Assert.Equal(1, check.Code);
            Assert.Contains("Pulumi.yaml: differs", check.Err);
            Assert.Contains("-    description: Build the AWS side.\n+    description: Build the AWS side of the lab.", check.Err);
            Assert.Contains("README.md: differs", check.Err);
            Assert.Contains("-| `gcp` | `true` |", check.Err);
            Assert.Equal(editedYaml, File.ReadAllText(Path.Combine(scratch, "Pulumi.yaml")));

            var write = Cli.RunIn(scratch, ["settings", "--write"]);
            Assert.True(write.Code == 0, write.Err);
            Assert.Equal("Pulumi.yaml: written\nREADME.md: written\n", write.Out);
            Assert.Equal(yaml, File.ReadAllText(Path.Combine(scratch, "Pulumi.yaml")));
            Assert.Equal(readme, File.ReadAllText(Path.Combine(scratch, "README.md")));
        }
        finally { Directory.Delete(scratch, true); }
    }

    [Fact]
    public void MissingMarkersOrFlagsAreUserErrors()
    {
        var scratch = Directory.CreateTempSubdirectory("settings-").FullName;
        try
        {
            File.Copy(Path.Combine(Shared.RepoRoot, "Pulumi.yaml"), Path.Combine(scratch, "Pulumi.yaml"));
            File.WriteAllText(Path.Combine(scratch, "README.md"), "# a README without the settings markers\n");
            var noMarkers = Cli.RunIn(scratch, ["settings", "--write"]);
            Assert.Equal(2, noMarkers.Code);
            Assert.Contains(SettingsDocument.TableBegin, noMarkers.Err);
            Assert.Equal("# a README without the settings markers\n", File.ReadAllText(Path.Combine(scratch, "README.md")));
            var neither = Cli.RunIn(scratch, ["settings"]);
            Assert.Equal(2, neither.Code);
            Assert.Contains("--write or --check", neither.Err);
        }
        finally { Directory.Delete(scratch, true); }
    }
}
