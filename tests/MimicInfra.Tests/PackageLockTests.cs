namespace MimicInfra.Tests;

/// <summary>Both projects restore from a lock file that pins every direct reference at its csproj version.</summary>
public class PackageLockTests
{
    [Theory]
    [InlineData("infra/MimicInfra/MimicInfra.csproj")]
    [InlineData("tests/MimicInfra.Tests/MimicInfra.Tests.csproj")]
    public void PackageLock_EveryDirectReferenceIsPinnedAtItsVersionWithAContentHash(string project)
    {
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(Shared.RepoRoot, project));
        Assert.Equal("true", csproj.Descendants("RestorePackagesWithLockFile").Single().Value);
        Assert.Equal("'$(CI)' == 'true'", csproj.Descendants("RestoreLockedMode").Single().Attribute("Condition")!.Value);
        var lockFile = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Shared.RepoRoot, Path.GetDirectoryName(project)!, "packages.lock.json")))!;
        var pinned = lockFile["dependencies"]!["net10.0"]!.AsObject();
        var references = csproj.Descendants("PackageReference").ToList();
        Assert.NotEmpty(references);
        foreach (var r in references)
        {
            var entry = pinned[r.Attribute("Include")!.Value];
            Assert.NotNull(entry);
            Assert.Equal("Direct", (string?)entry!["type"]);
            Assert.Equal(r.Attribute("Version")!.Value, (string?)entry["resolved"]);
            Assert.False(string.IsNullOrEmpty((string?)entry["contentHash"]));
        }
        Assert.All(pinned.Where(kv => (string?)kv.Value!["type"] == "Transitive"), kv => Assert.False(string.IsNullOrEmpty((string?)kv.Value!["contentHash"])));
    }

    [Fact]
    public void PackageLock_TheCompilersPublishRuntimesAreInTheLockFileSoItsRestoreNeverRewritesIt()
    {
        var script = File.ReadAllText(Path.Combine(Shared.RepoRoot, "infra", "compiler.sh"));
        var lockFile = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Shared.RepoRoot, "infra", "MimicInfra", "packages.lock.json")))!["dependencies"]!.AsObject();
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "osx-x64", "osx-arm64" })
        {
            Assert.Contains($"rid={rid}", script);
            Assert.True(lockFile.ContainsKey($"net10.0/{rid}"), rid);
        }
        Assert.Contains("export RestoreLockedMode=true", File.ReadAllText(Path.Combine(Shared.RepoRoot, ".ci", "run")));
    }
}
