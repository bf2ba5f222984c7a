using MimicInfra.Lab;

namespace MimicInfra.Fleet;

/// <summary>
/// Which config keys Pulumi holds as secret when it runs the compiler. The YAML language host (pulumi-yaml
/// v1.38.1, pkg/server/server.go) passes only PULUMI_STACK, PULUMI_PROJECT, PULUMI_ORGANIZATION,
/// PULUMI_CONFIG (secrets decrypted) and PULUMI_ROOT_DIRECTORY, not the secret key names; so the names
/// come from the stack file's `secure:` entries, and from PULUMI_CONFIG_SECRET_KEYS (a JSON list, the Go
/// SDK's name for them) when a host sets it.
/// </summary>
public static class SecretKeys
{
    public static StackConfig WithSecretsOf(StackConfig config, Func<string, string?> env)
    {
        var secrets = new HashSet<string>(config.Secrets, StringComparer.Ordinal);
        if (env("PULUMI_CONFIG_SECRET_KEYS") is { Length: > 0 } json)
        {
            foreach (var key in Input.JsonText.StringList(json) ?? throw new Cli.UserError("PULUMI_CONFIG_SECRET_KEYS is not a JSON list of config keys."))
                secrets.Add(key);
        }
        if (env("PULUMI_ROOT_DIRECTORY") is { Length: > 0 } root)
        {
            var file = Path.Combine(root, "stacks", $"Pulumi.{config.Stack.Split('/')[^1]}.yaml");
            if (File.Exists(file))
                try { secrets.UnionWith(StackConfig.FromFile(config.Stack, file).Secrets); }
                catch (Cli.UserError) { }   // a broken file is reported by `compile`; the config itself came from Pulumi
        }
        return config with { Secrets = secrets };
    }
}
