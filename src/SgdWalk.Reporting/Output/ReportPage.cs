using SgdWalk.Reporting.Figures;

namespace SgdWalk.Reporting.Output;

/// <summary>What report.html and summary.md say, independent of the format.</summary>
internal sealed record ReportPage(
    string Title,
    string Intro,
    IReadOnlyList<(string Key, string Value)> Settings,
    IReadOnlyList<string> TableHeader,
    IReadOnlyList<IReadOnlyList<string>> TableRows,
    IReadOnlyList<FigureFile> Figures);
