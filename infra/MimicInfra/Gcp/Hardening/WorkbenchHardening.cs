using System.Globalization;
using MimicInfra.Program;

namespace MimicInfra.Gcp.Hardening;

/// <summary>
/// What the Workbench instance's VM and JupyterLab allow: no project-wide SSH keys and OS Login for any SSH
/// (CIS GCP 4.3, 4.4), no root, optionally no downloads or terminal (Google's Workbench metadata keys), and
/// disks under the stack's own Cloud KMS key when it names one. Workbench sets enable-oslogin on every instance
/// itself (SSH goes through OS Login by default), and with managed end-user credentials on, as the lab sets them,
/// also block-project-ssh-keys, disable-ssh and ssh-keys; the gcp provider ignores differences in those keys. They
/// are written anyway, so the program states the rule and a reviewer or scanner reading it sees it.
/// </summary>
public static class WorkbenchHardening
{
    public static YMap Metadata(WorkbenchSettings wb, GcpHardening h) => YMap.Of(
        ("idle-timeout-seconds", (wb.IdleMinutes * 60).ToString(CultureInfo.InvariantCulture)),
        ("notebook-disable-root", "true"),
        ("block-project-ssh-keys", "true"),
        ("enable-oslogin", "true"),
        ("notebook-disable-downloads", h.WorkbenchDisableDownloads ? "true" : "false"),
        ("notebook-disable-terminal", h.WorkbenchDisableTerminal ? "true" : "false"));

    /// <summary>Boot disk encryption under gcpWorkbenchKmsKey; null (Google-managed keys) without it.</summary>
    public static YMap? BootDisk(GcpHardening h) => h.WorkbenchKmsKey is { } key ? YMap.Of(("diskEncryption", "CMEK"), ("kmsKey", key)) : null;

    /// <summary>The data disk (where /home/jupyter lives) under the same key; one object, not a list, in gcp 9.37.0; null without it.</summary>
    public static YMap? DataDisks(GcpHardening h) => h.WorkbenchKmsKey is { } key ? YMap.Of(("diskEncryption", "CMEK"), ("kmsKey", key)) : null;
}
