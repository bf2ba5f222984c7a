using MimicInfra.Program;

namespace MimicInfra.Gcp.Hardening;

/// <summary>What the customer keys' output needs: the lab's project, its keys, and the project-info variable it shares with the boundary.</summary>
public sealed record CustomerKeysArgs
{
    public required string Project { get; init; }
    public required GcpHardening Hardening { get; init; }
    public required Handle ProjectInfo { get; init; }
}

/// <summary>
/// The grants the stack's own Cloud KMS keys need, as a stack output with the real service agents' e-mails
/// (read at deploy time): the BigQuery service agent for the scratch dataset's key, the Compute Engine service
/// agent for the Workbench disks' key. The lab grants neither: the grant is made on a key the lab does not own
/// and is shared by every dataset or disk of the project that uses the key, so one lab's destroy would revoke it
/// for all of them.
/// </summary>
public sealed class CustomerKeys(ProgramBuilder program, CustomerKeysArgs args)
{
    public const string GrantsOutput = "kmsGrantsNeeded";

    public void Build()
    {
        var grants = new List<object>();
        if (args.Hardening.ScratchKmsKey is { } scratch)
        {
            var agent = program.Variable("bigqueryServiceAgent", GcpProvider.Invoke("gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount", YMap.Of(("project", args.Project))));
            grants.Add($"roles/cloudkms.cryptoKeyEncrypterDecrypter on {scratch} to serviceAccount:{agent.Out("email")} (BigQuery, scratch dataset)");
        }
        if (args.Hardening.WorkbenchKmsKey is { } disks)
        {
            var project = program.Variable(args.ProjectInfo, GcpProvider.Invoke("gcp:organizations/getProject:getProject", YMap.Of(("projectId", args.Project))));
            grants.Add($"roles/cloudkms.cryptoKeyEncrypterDecrypter on {disks} to serviceAccount:service-{project.Out("number")}@compute-system.iam.gserviceaccount.com (Compute Engine, Workbench disks)");
        }
        if (grants.Count > 0) program.Output(GrantsOutput, grants);
    }
}
