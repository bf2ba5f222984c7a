using System.Globalization;
using YamlDotNet.Serialization;

namespace MimicInfra.Costs;

/// <summary>
/// One price of the table: a figure in USD per unit, read on a given day on the cloud's own pricing page
/// (<see cref="PriceBasis.Official"/>) or, where that page cannot be read, on another public source that states it
/// (<see cref="PriceBasis.ThirdParty"/>, with the date the source gives, if any), which preview labels as such.
/// <see cref="Usd"/> is null when no figure was found; such a price never enters a total.
/// </summary>
public sealed record Price(string Key, string What, string Region, string Unit, decimal? Usd, string Source, DateOnly Read, string? Note)
{
    public bool Verified => Usd is not null;

    public PriceBasis Basis { get; init; } = PriceBasis.Official;

    /// <summary>The date the third-party source itself gives (updated, published, transcribed); null when it gives none.</summary>
    public DateOnly? SourceDate { get; init; }

    /// <summary>How preview labels a figure that is not read on the cloud's own page: source and dates.</summary>
    public string? ThirdPartyLabel => Basis == PriceBasis.ThirdParty
        ? $"third-party figure: {Source}, {(SourceDate is { } d ? $"dated {d:yyyy-MM-dd}" : "undated")}, read {Read:yyyy-MM-dd}"
        : null;
}

public enum PriceBasis { Official, ThirdParty }

/// <summary>
/// What a release weighs, where the catalog has no size: its own data copy (<see cref="Gb"/>, for storage) and the source
/// files the import scans (<see cref="SourceBytes"/>, for the one-off Athena cost), with where the figures come from.
/// </summary>
public sealed record ReleaseSize(string Release, decimal Gb, string Basis)
{
    public long? SourceBytes { get; init; }
}

/// <summary>The dated price table (Costs/prices.yaml, embedded in the program like the catalog).</summary>
public sealed record PriceTable(IReadOnlyList<string> Regions, IReadOnlyList<Price> Prices, IReadOnlyList<ReleaseSize> ReleaseSizes)
{
    private static readonly Lazy<PriceTable> BuiltIn = new(() =>
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("costs/prices.yaml")!;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    /// <summary>The table committed in the repository.</summary>
    public static PriceTable Embedded => BuiltIn.Value;

    public bool Covers(string region) => Regions.Contains(region, StringComparer.Ordinal);

    /// <summary>The price with this key in this region, verified or not; null when the table has no such line.</summary>
    public Price? Find(string key, string region) =>
        Prices.FirstOrDefault(p => p.Key == key && p.Region == region);

    public ReleaseSize? SizeOf(string release) => ReleaseSizes.FirstOrDefault(s => s.Release == release);

    /// <summary>Reads a price table; a malformed one is a bug in the repository, so it fails loudly.</summary>
    public static PriceTable Parse(string yaml)
    {
        var doc = new DeserializerBuilder().WithNamingConvention(YamlDotNet.Serialization.NamingConventions.CamelCaseNamingConvention.Instance).Build().Deserialize<Doc>(yaml)
                  ?? throw new InvalidDataException("price table: empty");
        var prices = (doc.Prices ?? []).Select(p => new Price(
            Required(p.Key, "key"), Required(p.What, $"{p.Key}: what"), Required(p.Region, $"{p.Key}: region"),
            Required(p.Unit, $"{p.Key}: unit"),
            p.Usd is null ? null : decimal.Parse(p.Usd, NumberStyles.Number, CultureInfo.InvariantCulture),
            Required(p.Source, $"{p.Key}: source"),
            DateOnly.ParseExact(Required(p.Read, $"{p.Key}: read"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            p.Note)
        {
            Basis = p.Basis switch
            {
                null or "official" => PriceBasis.Official,
                "third-party" => PriceBasis.ThirdParty,
                _ => throw new InvalidDataException($"price table: {p.Key}: basis '{p.Basis}' is neither official nor third-party"),
            },
            SourceDate = p.Dated is null ? null : DateOnly.ParseExact(p.Dated, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        }).ToList();
        foreach (var p in prices.Where(p => !p.Verified && string.IsNullOrWhiteSpace(p.Note)))
            throw new InvalidDataException($"price table: {p.Key} has no figure and no note saying why");
        var sizes = (doc.ReleaseSizes ?? []).Select(s => new ReleaseSize(
            Required(s.Release, "release"),
            decimal.Parse(Required(s.Gb, $"{s.Release}: gb"), NumberStyles.Number, CultureInfo.InvariantCulture),
            Required(s.Basis, $"{s.Release}: basis")) { SourceBytes = s.SourceBytes is null ? null : long.Parse(s.SourceBytes, NumberStyles.None, CultureInfo.InvariantCulture) }).ToList();
        return new(doc.Regions ?? [], prices, sizes);
    }

    private static string Required(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidDataException($"price table: {what} is missing") : value;

    private sealed class Doc
    {
        public List<string>? Regions { get; set; }
        public List<PriceDoc>? Prices { get; set; }
        public List<SizeDoc>? ReleaseSizes { get; set; }
    }

    private sealed class PriceDoc
    {
        public string? Key { get; set; }
        public string? What { get; set; }
        public string? Region { get; set; }
        public string? Unit { get; set; }
        public string? Usd { get; set; }
        public string? Source { get; set; }
        public string? Read { get; set; }
        public string? Note { get; set; }
        public string? Basis { get; set; }
        public string? Dated { get; set; }
    }

    private sealed class SizeDoc
    {
        public string? Release { get; set; }
        public string? Gb { get; set; }
        public string? Basis { get; set; }
        public string? SourceBytes { get; set; }
    }
}
