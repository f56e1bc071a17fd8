using SgdWalk.Reporting.Figures;

namespace SgdWalk.Reporting.Output;

/// <summary>What report.html and summary.md say, independent of the format.</summary>
internal sealed record ReportPage(
    string Title,
    string Intro,
    IReadOnlyList<(string Key, string Value)> Settings,
    IReadOnlyList<string> TableHeader,
    IReadOnlyList<IReadOnlyList<string>> TableRows,
    IReadOnlyList<FigureFile> Figures,
    ClaimsSection? Claims = null);

/// <summary>The verdicts a claims folder leads its report with, and one figure per claim.</summary>
internal sealed record ClaimsSection(SgdWalk.Records.Claims.ClaimsOutcome Outcome, IReadOnlyList<FigureFile> Figures);
