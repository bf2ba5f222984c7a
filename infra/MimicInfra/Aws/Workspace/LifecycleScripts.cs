using System.Globalization;
using MimicInfra.Program;

namespace MimicInfra.Aws.Workspace;

/// <summary>
/// The notebook's lifecycle scripts, as Pulumi YAML strings: shell `$` is escaped, and only the
/// references passed in (the bucket name) stay `${...}` for Pulumi to fill in.
/// </summary>
public static class LifecycleScripts
{
    public const string InstallDir = "/usr/local/mimic-infra";

    /// <summary>
    /// First boot: copy the lab's example notebook into the researcher's home, never over their copy. The region is
    /// named so the CLI calls the regional S3 endpoint, which a notebook without internet reaches by the lab's S3
    /// gateway endpoint (a redirect from the global endpoint would leave the region's S3 prefix list).
    /// </summary>
    public static string OnCreate(string bucketReference, string notebookKey, string region) =>
        PulumiText.Literal($$"""
            #!/bin/bash
            # MimicInfra on-create: put the lab's example notebook in the researcher's home, once.
            set -euo pipefail
            target="/home/ec2-user/SageMaker/{{Path.GetFileName(notebookKey)}}"
            if [ ! -e "$target" ]; then
              aws s3 cp "s3://@BUCKET@/{{notebookKey}}" "$target" --region {{region}} --only-show-errors
              chown ec2-user:ec2-user "$target"
            fi

            """).Replace("@BUCKET@", bucketReference);

    /// <summary>The root-owned interpreter the idle check runs with; never the researcher's conda environments.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>
    /// Every boot: install the idle check and run it from a systemd timer every five minutes. Amazon Linux 2023
    /// (the notebook-al2023-v1 platform) has no cron by default, and systemd lets the check run without root:
    /// a transient unprivileged user (DynamicUser), the system interpreter in isolated mode (-I: no user site,
    /// no PYTHON* variables, no script folder on sys.path) and no view of /home, so nothing the researcher can
    /// write (their conda environments, a sitecustomize.py, their home) is ever run by it, let alone as root.
    /// </summary>
    public static string OnStart(string instance, int idleMinutes, string region)
    {
        var python = Autostop.TrimEnd('\n');
        var minutes = idleMinutes.ToString(CultureInfo.InvariantCulture);
        return PulumiText.Literal($$"""
            #!/bin/bash
            # MimicInfra on-start: stop this notebook after {{minutes}} minutes without Jupyter activity.
            set -euo pipefail
            # The idle check runs only with a root-owned interpreter nobody else can change.
            case "$(stat -Lc '%U:%a' {{Python}})" in
              root:[0-7][0145][0145]) ;;
              *) echo "{{Python}} is not a root-owned, root-only-writable interpreter; idle stop not installed" >&2; exit 0 ;;
            esac
            install -d -o root -g root -m 755 {{InstallDir}}
            cat > {{InstallDir}}/autostop.py <<'PY'
            {{python}}
            PY
            chown root:root {{InstallDir}}/autostop.py
            chmod 644 {{InstallDir}}/autostop.py
            touch {{InstallDir}}/started
            cat > /etc/systemd/system/mimic-autostop.service <<'UNIT'
            {{ServiceUnit(instance, idleMinutes, region)}}
            UNIT
            cat > /etc/systemd/system/mimic-autostop.timer <<'UNIT'
            {{TimerUnit}}
            UNIT
            systemctl daemon-reload
            systemctl enable --now mimic-autostop.timer

            """);
    }

    /// <summary>The idle check as a oneshot service: no root, no home, no new privileges.</summary>
    public static string ServiceUnit(string instance, int idleMinutes, string region) => $"""
        [Unit]
        Description=MimicInfra: stop this notebook instance when Jupyter has been idle for {idleMinutes} minutes
        After=network-online.target

        [Service]
        Type=oneshot
        DynamicUser=yes
        NoNewPrivileges=yes
        ProtectHome=yes
        ProtectSystem=strict
        PrivateTmp=yes
        Environment=PATH=/usr/local/bin:/usr/bin:/usr/sbin
        ExecStart={Python} -I {InstallDir}/autostop.py --idle-minutes {idleMinutes} --instance {instance} --region {region}
        """;

    /// <summary>Every five minutes from five minutes after boot; a missed run (instance stopped) is not made up.</summary>
    public const string TimerUnit = """
        [Unit]
        Description=MimicInfra: check every five minutes whether this notebook instance is idle

        [Timer]
        OnBootSec=5min
        OnUnitActiveSec=5min
        AccuracySec=30s

        [Install]
        WantedBy=timers.target
        """;

    /// <summary>The idle check (Aws/Workspace/autostop.py), shipped inside the program.</summary>
    public static string Autostop { get; } = ReadAutostop();

    private static string ReadAutostop()
    {
        using var stream = typeof(LifecycleScripts).Assembly.GetManifestResourceStream("aws/autostop.py")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }
}
