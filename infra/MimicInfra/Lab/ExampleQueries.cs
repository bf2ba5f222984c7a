using System.Text.RegularExpressions;
using MimicInfra.Catalog;

namespace MimicInfra.Lab;

/// <summary>An example query of a lab: a title and SQL that Athena (Trino), BigQuery and DuckDB all run unchanged.</summary>
public sealed record ExampleQuery(string Module, string Title, string Sql)
{
    /// <summary>The Python variable the notebooks keep its result in.</summary>
    public string Name { get; init; } = "result";

    /// <summary>How the notebooks plot its result, when they do.</summary>
    public ExampleFigure? Figure { get; init; }
}

/// <summary>
/// A figure of an example's result, drawn with pandas' own plotting (matplotlib): <paramref name="Kind"/> is a
/// pandas plot kind (line, bar, barh), <paramref name="X"/> the column of categories or the x axis, <paramref name="Y"/>
/// the column of values; the labels name the axes as a reader sees them (for barh the value axis is horizontal).
/// </summary>
public sealed record ExampleFigure(string Kind, string X, string Y, string ValueLabel, string CategoryLabel);

/// <summary>
/// The example queries of a lab, one or more per module it has. Table names are unqualified: Athena runs
/// them in the lab database, BigQuery with the module's lab dataset as default dataset, DuckDB with the
/// module schemas on its search path. Only what all three share is used (count, avg, round, EXTRACT,
/// GROUP BY expressions rather than select aliases, which Trino does not allow).
/// </summary>
public static partial class ExampleQueries
{
    // (modules the query is for, variable, title, figure, SQL): MIMIC-III's clinical module shares the MIMIC-IV
    // queries whose tables and columns it has.
    private static readonly (string[] Modules, string Name, string Title, ExampleFigure Figure, string Sql)[] All =
    [
        (["hosp", "clinical"], "admissions_per_year", "Admissions per year", new("line", "admit_year", "admissions", "admissions", "year of admission (shifted for de-identification)"),
            """
            SELECT EXTRACT(YEAR FROM admittime) AS admit_year, count(*) AS admissions
            FROM admissions
            GROUP BY EXTRACT(YEAR FROM admittime)
            ORDER BY admit_year
            """),
        (["hosp"], "top_diagnoses", "Top 10 diagnoses", new("barh", "long_title", "n", "times recorded", ""),
            """
            SELECT d.icd_version, d.icd_code, d.long_title, count(*) AS n
            FROM diagnoses_icd AS dx
            JOIN d_icd_diagnoses AS d ON d.icd_code = dx.icd_code AND d.icd_version = dx.icd_version
            GROUP BY d.icd_version, d.icd_code, d.long_title
            ORDER BY n DESC, d.icd_code
            LIMIT 10
            """),
        (["icu", "clinical"], "icu_stays_by_unit", "ICU length of stay by first care unit", new("barh", "first_careunit", "mean_los_days", "mean ICU length of stay (days)", "first care unit"),
            """
            SELECT first_careunit, count(*) AS stays, round(avg(los), 2) AS mean_los_days
            FROM icustays
            GROUP BY first_careunit
            ORDER BY stays DESC, first_careunit
            """),
        (["ed"], "ed_dispositions", "ED stays by disposition", new("barh", "disposition", "stays", "ED stays", "disposition"),
            """
            SELECT disposition, count(*) AS stays
            FROM edstays
            GROUP BY disposition
            ORDER BY stays DESC, disposition
            """),
        (["note"], "notes_per_type", "Notes per type", new("bar", "note_type", "notes", "notes", "note type"),
            """
            SELECT note_type, count(*) AS notes
            FROM discharge
            GROUP BY note_type
            UNION ALL
            SELECT note_type, count(*) AS notes
            FROM radiology
            GROUP BY note_type
            """),
        (["derived"], "first_day_sofa_scores", "First-day SOFA score distribution", new("bar", "sofa", "stays", "ICU stays", "first-day SOFA score"),
            """
            SELECT sofa, count(*) AS stays
            FROM first_day_sofa
            GROUP BY sofa
            ORDER BY sofa
            """),
    ];

    /// <summary>
    /// The queries for these modules, in module order; a query is offered only where its module has every table
    /// it reads (a local lab's derived module holds only the concepts its data allowed).
    /// </summary>
    public static IReadOnlyList<ExampleQuery> For(IEnumerable<Module> modules) =>
        modules.SelectMany(m => All
            .Where(q => q.Modules.Contains(m.Name) && TableReference().Matches(q.Sql).All(t => m.FindTable(t.Groups[1].Value) is not null))
            .Select(q => new ExampleQuery(m.Name, q.Title, q.Sql) { Name = q.Name, Figure = q.Figure })).ToList();

    /// <summary>The queries of these modules that <see cref="For"/> leaves out, with the tables each lacks.</summary>
    public static IReadOnlyList<(string Title, IReadOnlyList<string> Missing)> Unavailable(IEnumerable<Module> modules) =>
        modules.SelectMany(m => All.Where(q => q.Modules.Contains(m.Name)).Select(q => (q.Title,
            Missing: (IReadOnlyList<string>)TableReference().Matches(q.Sql).Select(t => t.Groups[1].Value).Where(t => m.FindTable(t) is null).Distinct().ToList())))
            .Where(x => x.Missing.Count > 0).ToList();

    [GeneratedRegex(@"(?m)^\s*(?:FROM|JOIN) ([a-z_][a-z0-9_]*)")]
    private static partial Regex TableReference();
}
