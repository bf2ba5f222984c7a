namespace MimicInfra.Aws.Workspace;

/// <summary>The researcher's SageMaker notebook.</summary>
public sealed record NotebookSettings(
    string InstanceType,
    int VolumeSizeGb,
    int IdleMinutes,
    bool DirectInternetAccess,
    string? SubnetId,
    IReadOnlyList<string> SecurityGroupIds)
{
    /// <summary>The private network the lab creates for the notebook (notebookNetwork lab-vpc); null otherwise.</summary>
    public Network.LabVpcSettings? LabVpc { get; init; }
}

/// <summary>A monthly budget for the lab's tagged costs, alerting by e-mail at 80 % and 100 %.</summary>
public sealed record BudgetSettings(int MonthlyUsd, IReadOnlyList<string> Emails);
