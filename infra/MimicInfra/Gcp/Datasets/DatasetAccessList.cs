using MimicInfra.Program;

namespace MimicInfra.Gcp.Datasets;

/// <summary>
/// The authoritative access list of a lab dataset (the Dataset's `accesses`): the deployer as OWNER and the lab's
/// members as READER (views) or WRITER (scratch), nothing else. Set at creation, it replaces BigQuery's default
/// list (projectReaders READER, projectWriters WRITER, projectOwners OWNER, the creator OWNER), so project
/// Viewers and Editors get no read on MIMIC; every later `pulumi up` puts the list back as written. Legacy role
/// names, because the API returns them whatever form is sent (the provider documents a permanent diff otherwise).
/// </summary>
public static class DatasetAccessList
{
    /// <summary>The variable holding the identity that runs `pulumi up` (the gcp provider's own credentials).</summary>
    public const string DeployerVariable = "gcpDeployer";

    public const string Reader = "READER";
    public const string Writer = "WRITER";
    public const string Owner = "OWNER";

    /// <summary>
    /// The deployer, read from the provider's credentials at deploy time (gcp:organizations/getClientOpenIdUserInfo),
    /// so the OWNER entry always names whoever applies the list: a deploy cannot lock itself out of the datasets.
    /// </summary>
    public static YMap DeployerInvoke() => GcpProvider.Invoke("gcp:organizations/getClientOpenIdUserInfo:getClientOpenIdUserInfo");

    /// <summary>The list: the deployer (the variable of <see cref="DeployerInvoke"/>) first, then each member in the stack's order with the given role.</summary>
    public static List<object> For(Handle deployer, IEnumerable<string> members, string memberRole)
    {
        var list = new List<object> { YMap.Of(("role", Owner), ("userByEmail", deployer.Out("email"))) };
        list.AddRange(members.Select(m => (object)Entry(m, memberRole)));
        return list;
    }

    /// <summary>user: and serviceAccount: members are userByEmail entries, group: members groupByEmail (BigQuery's ACL forms).</summary>
    public static YMap Entry(string member, string role)
    {
        var colon = member.IndexOf(':');
        var (kind, email) = (member[..colon], member[(colon + 1)..]);
        return YMap.Of(("role", role), (kind == "group" ? "groupByEmail" : "userByEmail", email));
    }
}
