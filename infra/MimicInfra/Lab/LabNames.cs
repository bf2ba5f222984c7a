using System.Security.Cryptography;
using System.Text;

namespace MimicInfra.Lab;

/// <summary>
/// Physical names of a lab's resources. Each is readable (researcher and study) and unique (a hash of
/// stack, researcher and study), so two labs in one account never collide, and each fits the strictest
/// rule of the services it names: an S3 bucket prefix (37 characters, lower case, digits, hyphens).
/// </summary>
public sealed record LabNames(string Lab)
{
    public static LabNames For(string stack, string researcher, string study)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{stack}\n{researcher}\n{study}")))[..8];
        return new LabNames($"mimic-{Slug(researcher, 12)}-{Slug(study, 8)}-{hash}")
        {
            DataBucketPrefix = $"mimic-{Slug(researcher, 12)}-{hash}-data-",
        };
    }

    /// <summary>Glue database of the typed tables researchers query (Athena prefers no hyphens).</summary>
    public string Database => Lab.Replace('-', '_');

    /// <summary>Glue database of the raw tables over the import's staging copies (source types); the import's alone.</summary>
    public string ImportDatabase => Database + "_import";

    public string Workgroup => Lab;

    /// <summary>The workgroup the one-time import runs in, with its own scan cap and results prefix.</summary>
    public string ImportWorkgroup => Lab + "-import";

    /// <summary>S3 adds a unique suffix to this prefix, since bucket names are global.</summary>
    public string BucketPrefix => Lab + "-";

    public string KmsAlias => $"alias/{Lab}";

    /// <summary>The data bucket's prefix: the study slug is left out so it fits S3's 37 characters with "-data-".</summary>
    public string DataBucketPrefix { get; init; } = Lab + "-";

    private static string Slug(string text, int max)
    {
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
            sb.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        var slug = string.Join('-', sb.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        slug = slug.Length > max ? slug[..max].TrimEnd('-') : slug;
        return slug.Length == 0 ? "x" : slug;
    }
}
