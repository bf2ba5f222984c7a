using MimicInfra.Program;

namespace MimicInfra.Aws.Data;

/// <summary>What the lab's KMS key is made of.</summary>
public sealed record LabKeyArgs
{
    /// <summary>The key's handle, declared by the orchestrator (buckets, the workgroup and the notebook reference it).</summary>
    public required Handle Key { get; init; }

    /// <summary>The lab's name, in the key's description.</summary>
    public required string LabName { get; init; }

    /// <summary>The alias (`alias/...`) that names the key in the console.</summary>
    public required string Alias { get; init; }

    public required int DeletionWindowDays { get; init; }

    /// <summary>The statements of the key policy, in order: who administers the key and who may use it (the perimeter, the audit trail).</summary>
    public required IReadOnlyList<YMap> PolicyStatements { get; init; }

    /// <summary>Whether destroy leaves the key: kept results and kept audit records stay readable only while their key lives.</summary>
    public bool KeepOnDestroy { get; init; }

    public required YMap Tags { get; init; }
}

/// <summary>A per-lab key: rotated yearly, a short deletion window, administered only by the account.</summary>
public sealed class LabKey(ProgramBuilder program, LabKeyArgs args)
{
    public Handle Build()
    {
        var policy = YMap.Of(
            ("Version", "2012-10-17"),
            ("Statement", (List<object>)[.. args.PolicyStatements]));
        var key = program.Add(args.Key, "aws:kms/key:Key", YMap.Of(
            ("description", $"MIMIC lab {args.LabName}: Athena results and notebook volume"),
            ("enableKeyRotation", true),
            ("deletionWindowInDays", args.DeletionWindowDays),
            ("policy", YMap.Fn("toJSON", policy)),
            ("tags", args.Tags)), AwsProvider.Options() with { RetainOnDelete = args.KeepOnDestroy });
        program.Add("labKeyAlias", "aws:kms/alias:Alias", YMap.Of(
            ("name", args.Alias),
            ("targetKeyId", key.Out("keyId"))), AwsProvider.Options());
        return key;
    }
}
