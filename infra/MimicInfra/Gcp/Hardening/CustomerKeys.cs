using MimicInfra.Lab;
using MimicInfra.Program;

namespace MimicInfra.Gcp;

/// <summary>
/// The grants the stack's own Cloud KMS keys need, as a stack output with the real service agents' e-mails
/// (read at deploy time): the BigQuery service agent for the scratch dataset's key, the Compute Engine service
/// agent for the Workbench disks' key. The lab grants neither: the grant is made on a key the lab does not own
/// and is shared by every dataset or disk of the project that uses the key, so one lab's destroy would revoke it
/// for all of them.
/// </summary>
public static class CustomerKeys
{
    public const string GrantsOutput = "kmsGrantsNeeded";

    public static void Build(LabSettings lab, ProgramBuilder program)
    {
        var gcp = lab.Gcp!;
        var grants = new List<object>();
        if (gcp.Hardening.ScratchKmsKey is { } scratch)
        {
            program.Variable("bigqueryServiceAgent", GcpProvider.Invoke("gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount", YMap.Of(("project", gcp.Project))));
            grants.Add($"roles/cloudkms.cryptoKeyEncrypterDecrypter on {scratch} to serviceAccount:${{bigqueryServiceAgent.email}} (BigQuery, scratch dataset)");
        }
        if (gcp.Hardening.WorkbenchKmsKey is { } disks)
        {
            program.Variable("gcpProjectInfo", GcpProvider.Invoke("gcp:organizations/getProject:getProject", YMap.Of(("projectId", gcp.Project))));
            grants.Add($"roles/cloudkms.cryptoKeyEncrypterDecrypter on {disks} to serviceAccount:service-${{gcpProjectInfo.number}}@compute-system.iam.gserviceaccount.com (Compute Engine, Workbench disks)");
        }
        if (grants.Count > 0) program.Output(GrantsOutput, grants);
    }

}
