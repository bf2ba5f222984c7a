using MimicInfra.Lab;

namespace MimicInfra.Aws.Perimeter;

/// <summary>What `preview` says of the perimeter's controls: the deployer's mode, where the notebook's role works, who opens the notebook.</summary>
public static class PerimeterPreview
{
    /// <summary>Who the buckets and key admit (the first perimeter line, before the key's).</summary>
    public static string PrincipalsLine(AwsSettings aws) => aws.Perimeter.ResearcherArn is { } researcherArn
        ? $"  perimeter   the data and results buckets{(aws.KmsEncryption ? " and the lab key" : "")} admit only {researcherArn}, " +
          $"{(aws.Notebook is null ? "" : "the notebook's role, ")}and the deployer (read at each deploy); their ready policy is the output researcherPolicy"
        : "  perimeter   none: the lab names no researcherPrincipalArn, so any principal IAM allows in this account can read its data (open data only)";

    public static IEnumerable<string> Lines(LabSettings lab)
    {
        if (lab.Aws is not { } aws) yield break;
        yield return aws.Perimeter.DeployerReads
            ? "  deployer    deployerDataAccess read: whoever runs `pulumi up` may also read the data, the results and the query history (set none to keep it to administering)"
            : "  deployer    deployerDataAccess none: whoever runs `pulumi up` administers the buckets and key but reads no data, results or query history and cannot decrypt with the key";
        if (aws.Notebook is not { } nb) yield break;
        yield return nb.LabVpc is not null
            ? "  role        the notebook's role works only inside the lab: the buckets and key deny it unless the request comes through the lab VPC's S3 endpoint or from a service acting for it (Athena, S3)"
            : "  role        the notebook's role works wherever its credentials are used (notebookNetwork " + (nb.DirectInternetAccess ? "internet" : "vpc") +
              "): only lab-vpc binds it to the lab's own S3 endpoint";
        yield return aws.Perimeter.Closed
            ? "  opening     whoever may call sagemaker:CreatePresignedNotebookInstanceUrl on the notebook opens Jupyter and reads the data as its role: the stack output accountGuardrailPolicy (an SCP) keeps that, UpdateNotebookInstance and passing its role to the researcher and the deployer"
            : "  opening     whoever may call sagemaker:CreatePresignedNotebookInstanceUrl on the notebook opens Jupyter and reads the data as its role (open data: no guardrail)";
    }
}
