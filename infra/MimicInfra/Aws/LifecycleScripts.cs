using System.Globalization;
using MimicInfra.Program;

namespace MimicInfra.Aws;

/// <summary>
/// The notebook's lifecycle scripts, as Pulumi YAML strings: shell `$` is escaped, and only the
/// references passed in (the bucket name) stay `${...}` for Pulumi to fill in.
/// </summary>
public static class LifecycleScripts
{
    public const string InstallDir = "/usr/local/mimic-infra";

    /// <summary>First boot: copy the lab's example notebook into the researcher's home, never over their copy.</summary>
    public static string OnCreate(string bucketReference, string notebookKey) =>
        PulumiText.Literal($$"""
            #!/bin/bash
            # MimicInfra on-create: put the lab's example notebook in the researcher's home, once.
            set -euo pipefail
            target="/home/ec2-user/SageMaker/{{Path.GetFileName(notebookKey)}}"
            if [ ! -e "$target" ]; then
              aws s3 cp "s3://@BUCKET@/{{notebookKey}}" "$target" --only-show-errors
              chown ec2-user:ec2-user "$target"
            fi

            """).Replace("@BUCKET@", bucketReference);

    /// <summary>Every boot: install the idle check and run it from cron every five minutes.</summary>
    public static string OnStart(string instance, int idleMinutes)
    {
        var python = Autostop.TrimEnd('\n');
        var minutes = idleMinutes.ToString(CultureInfo.InvariantCulture);
        return PulumiText.Literal($$"""
            #!/bin/bash
            # MimicInfra on-start: stop this notebook after {{minutes}} minutes without Jupyter activity.
            set -euo pipefail
            install -d -m 755 {{InstallDir}}
            cat > {{InstallDir}}/autostop.py <<'PY'
            {{python}}
            PY
            touch {{InstallDir}}/started
            # SageMaker's Jupyter environment has boto3; the system python falls back to the AWS CLI.
            py=/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python
            [ -x "$py" ] || py=/usr/bin/python3
            echo "*/5 * * * * root $py {{InstallDir}}/autostop.py --idle-minutes {{minutes}} --instance {{instance}} >> /var/log/mimic-autostop.log 2>&1" > /etc/cron.d/mimic-autostop
            chmod 644 /etc/cron.d/mimic-autostop

            """);
    }

    /// <summary>The idle check (Aws/autostop.py), shipped inside the program.</summary>
    public static string Autostop { get; } = ReadAutostop();

    private static string ReadAutostop()
    {
        using var stream = typeof(LifecycleScripts).Assembly.GetManifestResourceStream("aws/autostop.py")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }
}
