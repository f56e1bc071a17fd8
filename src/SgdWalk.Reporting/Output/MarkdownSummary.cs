using System.Text;

namespace SgdWalk.Reporting.Output;

/// <summary>summary.md: the report's table in Markdown, with links to the figure files, for READMEs and issues.</summary>
internal static class MarkdownSummary
{
    public static string Render(ReportPage page)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(page.Title).Append("\n\n").Append(page.Intro).Append("\n\n");
        if (page.Claims is { } claims)
        {
            md.Append("## Claims\n\n| claim | verdict | estimate, 95 % CI per test |\n|---|---|---|\n");
            foreach (var c in claims.Outcome.Claims)
                md.Append(Row([c.Claim.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimsReport.VerdictText(c.Verdict),
                    string.Join("; ", c.Tests.Select(t => $"{t.Id} {SgdWalk.Reporting.Claims.ClaimTest.Format(t.Estimate)} {ClaimsReport.Interval(t)}"))]));
            md.Append("\nDetails: [claims.md](claims.md).\n\n");
        }
        md.Append(Row(page.TableHeader)).Append(Row(page.TableHeader.Select(_ => "---").ToArray()));
        foreach (var row in page.TableRows) md.Append(Row(row));
        md.Append("\n## Figures\n\n");
        foreach (var f in page.Figures)
            md.Append("- [").Append(f.Title).Append("](figures/").Append(f.Name).Append(".png) (")
              .Append("[svg](figures/").Append(f.Name).Append(".svg)): ").Append(f.Caption).Append('\n');
        return md.ToString();
    }

    // Pipes inside a cell would split it; Markdown tables have no quoting, only the escape.
    private static string Row(IReadOnlyList<string> cells) =>
        "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |\n";
}
