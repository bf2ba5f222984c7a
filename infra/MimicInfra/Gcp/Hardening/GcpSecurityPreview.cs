using MimicInfra.Gcp.Boundary;
using MimicInfra.Lab;

namespace MimicInfra.Gcp.Hardening;

/// <summary>What `preview` says about the GCP side's access lists, keys, audit trail, Workbench restrictions and exfiltration boundary.</summary>
public static class GcpSecurityPreview
{
    public static IEnumerable<string> Lines(LabSettings lab)
    {
        var gcp = lab.Gcp!;
        var h = gcp.Hardening;
        yield return "  acl         each dataset admits only gcpMembers and the account running `pulumi up` (OWNER); BigQuery's project Viewer/Editor/Owner defaults are replaced";
        yield return h.ScratchKmsKey is { } key
            ? $"  key         scratch under {key}; grant roles/cloudkms.cryptoKeyEncrypterDecrypter on it to bq-PROJECT_NUMBER@bigquery-encryption.iam.gserviceaccount.com (output kmsGrantsNeeded; the lab does not)"
            : "  key         scratch under Google-managed keys (gcpKmsKey names a key of your own)";
        if (gcp.Workbench is not null)
            yield return h.WorkbenchKmsKey is { } wk
                ? $"  disk key    Workbench disks under {wk}; grant roles/cloudkms.cryptoKeyEncrypterDecrypter on it to service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com (output kmsGrantsNeeded; the lab does not)"
                : "  disk key    Workbench disks under Google-managed keys (gcpWorkbenchKmsKey names a key of your own)";
        yield return Audit.GcpDataAccessLog.PreviewLine(lab);
        if (gcp.Workbench is not null)
            yield return "  jupyter     no root, no project SSH keys, OS Login" +
                         (h.WorkbenchDisableDownloads ? ", no downloads" : ", downloads on") +
                         (h.WorkbenchDisableTerminal ? ", no terminal" : ", terminal on");
        foreach (var line in GcpBoundaryPreview.Lines(lab)) yield return line;
    }
}
