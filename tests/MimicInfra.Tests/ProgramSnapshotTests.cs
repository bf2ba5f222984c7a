using System.Security.Cryptography;
using System.Text;
using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Tests;

/// <summary>
/// The compiled program of 17 varied stacks (ProgramSnapshots/: each release family, every source layout, every notebook
/// network, AWS and GCP options on and off) is byte-identical to the SHA-256 recorded in programs.sha256, so a change
/// meant to move code (a refactor) proves it moved nothing. A change meant to alter programs updates the record:
/// <c>MIMICINFRA_UPDATE_SNAPSHOTS=1 dotnet test MimicInfra.sln --filter ProgramSnapshotTests</c>, and its commit shows
/// which stacks changed.
/// </summary>
public sealed class ProgramSnapshotTests
{
    private static string Folder => Path.Combine(Shared.RepoRoot, "tests", "MimicInfra.Tests", "ProgramSnapshots");

    private static string SumsFile => Path.Combine(Folder, "programs.sha256");

    private static IReadOnlyList<string> Stacks() => Directory.GetFiles(Folder, "Pulumi.*.yaml")
        .Select(f => Path.GetFileNameWithoutExtension(f)["Pulumi.".Length..]).Order(StringComparer.Ordinal).ToList();

    private static Dictionary<string, string> Recorded() => File.ReadAllLines(SumsFile)
        .Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

    private static string Sha256Of(string stack)
    {
        var config = StackConfig.FromFile(stack, Path.Combine(Folder, $"Pulumi.{stack}.yaml"));
        var text = ProgramYaml.Write(LabCompiler.Compile(config, Labs.Catalog));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static TheoryData<string> SnapshotStacks() => [.. Stacks()];

    [Theory]
    [MemberData(nameof(SnapshotStacks))]
    public void TheProgramIsTheOneRecorded(string stack)
    {
        if (Environment.GetEnvironmentVariable("MIMICINFRA_UPDATE_SNAPSHOTS") == "1")
        {
            lock (typeof(ProgramSnapshotTests))
                File.WriteAllLines(SumsFile, Stacks().Select(s => $"{Sha256Of(s)}  {s}"));
            return;
        }
        var recorded = Recorded();
        Assert.True(recorded.ContainsKey(stack), $"{stack} has no SHA-256 in programs.sha256; record it (see the class comment)");
        var actual = Sha256Of(stack);
        Assert.True(recorded[stack] == actual,
            $"the program of snapshot stack {stack} changed (SHA-256 {actual}, recorded {recorded[stack]}). See it with " +
            $"`dotnet run --project infra/MimicInfra -- compile --stack {stack} --stacks-dir tests/MimicInfra.Tests/ProgramSnapshots`; " +
            "if the change is meant, record it: MIMICINFRA_UPDATE_SNAPSHOTS=1 dotnet test MimicInfra.sln --filter ProgramSnapshotTests");
    }

    [Fact]
    public void EveryRecordedStackIsInTheFolder() =>
        Assert.Equal(Stacks(), Recorded().Keys.Order(StringComparer.Ordinal).ToList());

    [Fact]
    public void ASingleChangedByteIsCaught()
    {
        var config = StackConfig.FromFile("demo", Path.Combine(Folder, "Pulumi.demo.yaml"));
        var changed = config with { Values = new Dictionary<string, string>(config.Values) { ["mimic-infra:study"] = "sepsis-2027" } };
        var text = ProgramYaml.Write(LabCompiler.Compile(changed, Labs.Catalog));
        Assert.NotEqual(Recorded()["demo"], Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }
}
