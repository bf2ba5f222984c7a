using MimicInfra.Program;
using MimicInfra.Sources;

namespace MimicInfra.Aws;

/// <summary>IAM policy statements as the lab writes them: always Allow, explicit actions and resources.</summary>
internal static class Iam
{
    public static YMap Statement(string sid, string[] actions, string[] resources, YMap? condition = null) => YMap.Of(
        ("Sid", sid),
        ("Effect", "Allow"),
        ("Action", actions.Select(a => (object)a).ToList()),
        ("Resource", resources.Select(r => (object)r).ToList()),
        ("Condition", condition));

    /// <summary>A statement of the lab key's policy: Allow, for the given principal (`AWS` or `Service`), on the key itself ("*").</summary>
    public static YMap KeyPolicyStatement(string sid, YMap principal, object actions, YMap? condition = null) => YMap.Of(
        ("Sid", sid),
        ("Effect", "Allow"),
        ("Principal", principal),
        ("Action", actions),
        ("Resource", "*"),
        ("Condition", condition));

    /// <summary>An ARN in the lab's account (the getCallerIdentity variable) and partition (the getPartition variable).</summary>
    public static string Arn(Handle partition, Handle account, string service, string region, string resource) =>
        $"arn:{partition.Out("partition")}:{service}:{region}:{account.Out("accountId")}:{resource}";

    /// <summary>Reading Glue databases and their tables, as Athena needs to plan a query over them.</summary>
    public static YMap ReadGlueDatabases(string sid, Handle partition, Handle account, string region, IReadOnlyCollection<string> databases)
    {
        var glue = Arn(partition, account, "glue", region, "");
        return Statement(sid, ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
            [$"{glue}catalog", .. databases.Select(d => $"{glue}database/{d}"), .. databases.Select(d => $"{glue}table/{d}/*")]);
    }

    /// <summary>Reading an encrypted Glue Data Catalog through Athena: the actions Athena's guide lists, on that key only.</summary>
    public static IEnumerable<YMap> UseTheGlueCatalogKey(string? keyArn) => keyArn is { } key
        ? [Statement("UseTheGlueCatalogKey", ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], [key])]
        : [];

    /// <summary>
    /// s3:GetBucketLocation on the lab's buckets, in a statement of its own: the action carries no s3:prefix (Service
    /// Authorization Reference, Amazon S3), so beside ListBucket under an s3:prefix condition it was never granted. Athena
    /// calls it on the query-results bucket as the caller (Athena User Guide, "Access to Amazon S3"; re:Post "Unable to
    /// verify/create output bucket": the caller needs s3:GetBucketLocation).
    /// </summary>
    public static YMap LocateBuckets(string sid, params string[] buckets) => Statement(sid, ["s3:GetBucketLocation"], buckets);

    /// <summary>Using the lab key for SSE-KMS objects and results.</summary>
    public static YMap UseTheLabKey(Handle labKey) => Statement("UseTheLabKey", ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [labKey.Arn]);

    /// <summary>
    /// Read-only on S3 folders, in the resource forms each takes (bucket or access point): s3:GetObject under
    /// each prefix, and listing only those prefixes (one statement per bucket or access point).
    /// </summary>
    public static IEnumerable<YMap> ReadFolders(string sid, IReadOnlyCollection<S3Source> folders, Handle partitionVariable)
    {
        var partition = partitionVariable.Out("partition");
        yield return Statement($"Read{sid}", ["s3:GetObject"], folders.Select(f => f.ObjectsArn(partition)).Distinct().Order(StringComparer.Ordinal).ToArray());
        var lists = folders.GroupBy(f => f.ListArn(partition)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < lists.Count; i++)
            yield return Statement($"List{sid}{(lists.Count > 1 ? i + 1 : "")}", ["s3:ListBucket"], [lists[i].Key],
                YMap.Of(("StringLike", YMap.Of(("s3:prefix", lists[i].Select(f => (object)(f.Prefix + "*")).Distinct().ToList())))));
    }

}
