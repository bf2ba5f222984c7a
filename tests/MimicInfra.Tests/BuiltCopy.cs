namespace MimicInfra.Tests;

/// <summary>One copy of the inputs, built once by the compiler script, for the cache's security tests.</summary>
public sealed class BuiltCopy : IDisposable
{
    public string Root { get; } = CompilerScriptTests.CopyOfInputs();

    public BuiltCopy()
    {
        var run = Run(Env("alpha"));
        Assert.True(run.Code == 0, run.Err);
    }

    public string Out => Path.Combine(Root, "infra", ".compiler");

    public Dictionary<string, string> Env(string study) => new()
    {
        ["MIMICINFRA_ROOT"] = Root,
        ["PULUMI_STACK"] = "cache-test",
        ["PULUMI_CONFIG"] = $$"""{"mimic-infra:release":"mimic-iv-demo-2.2","mimic-infra:researcher":"jdoe","mimic-infra:study":"{{study}}","mimic-infra:expires":"2099-01-01"}""",
    };

    public (int Code, string Out, string Err) Run(Dictionary<string, string> env) =>
        CompilerScriptTests.Sh(new Dictionary<string, string>(env) { ["PULUMI_CONFIG_SECRET_KEYS"] = "", ["PULUMI_ROOT_DIRECTORY"] = "", ["MIMICINFRA_NO_CACHE"] = "" }, "pulumi-program");

    public void Dispose() => Directory.Delete(Root, true);
}
