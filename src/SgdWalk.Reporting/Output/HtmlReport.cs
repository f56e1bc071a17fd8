using System.Text;
using SgdWalk.Reporting.Figures;
using static System.Net.WebUtility;

namespace SgdWalk.Reporting.Output;

/// <summary>
/// One self-contained HTML page: figures embedded as data URIs, no scripts or styles fetched from anywhere, so the
/// file can be mailed or archived alone and opened offline.
/// </summary>
internal static class HtmlReport
{
    // Harmless for readers; lets an automated check (tests/browser-check.sh) see that every image decoded.
    private const string ImageCheck =
        "<script>window.addEventListener('load',function(){var i=Array.prototype.slice.call(document.images);" +
        "var ok=i.filter(function(m){return m.complete&&m.naturalWidth>0;}).length;" +
        "document.body.dataset.imagesLoaded=ok+'/'+i.length;});</script>";

    private const string Css =
        "body{font-family:system-ui,sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222}" +
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
        "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}" +
        "figure{margin:2em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}" +
        "figcaption{margin-top:.5em;color:#444}details{margin:1em 0}" +
        ".verdict.supported{background:#e6f4e6}.verdict.contradicted{background:#fbe3e3}.verdict.inconclusive{background:#fff6d6}.verdict.underpowered{background:#ececec}";

    public static string Render(ReportPage page)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(HtmlEncode(page.Title)).Append("</title>\n")
            .Append("<style>").Append(Css).Append("</style>\n").Append(ImageCheck).Append("\n</head>\n<body>\n")
            .Append("<h1>").Append(HtmlEncode(page.Title)).Append("</h1>\n")
            .Append("<p>").Append(HtmlEncode(page.Intro)).Append("</p>\n");

        if (page.Claims is { } claims) AppendClaims(html, claims);
        // A results section first: the figures, then the numbers, then the settings (collapsed) for whoever repeats the run.
        html.Append("<h2>Figures</h2>\n");
        foreach (var figure in page.Figures) AppendFigure(html, figure);

        html.Append("<h2>Summary</h2>\n<table>\n<tr>");
        foreach (string h in page.TableHeader) html.Append("<th>").Append(HtmlEncode(h)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in page.TableRows)
        {
            html.Append("<tr>");
            foreach (string cell in row)
                html.Append(IsNumber(cell) ? "<td class=\"n\">" : "<td>").Append(HtmlEncode(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");

        if (page.Settings.Count > 0)
        {
            html.Append("<details>\n<summary>Settings (run.json)</summary>\n<table>\n");
            foreach (var (key, value) in page.Settings)
                html.Append("<tr><th>").Append(HtmlEncode(key)).Append("</th><td>").Append(HtmlEncode(value)).Append("</td></tr>\n");
            html.Append("</table>\n</details>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendFigure(StringBuilder html, FigureFile figure)
    {
        string data = Convert.ToBase64String(File.ReadAllBytes(figure.Png));
        html.Append("<figure id=\"").Append(figure.Name).Append("\">\n<h3>").Append(HtmlEncode(figure.Title)).Append("</h3>\n")
            .Append("<img alt=\"").Append(HtmlEncode(figure.Title)).Append("\" src=\"data:image/png;base64,").Append(data).Append("\">\n")
            .Append("<figcaption>").Append(HtmlEncode(figure.Caption)).Append(" (Vector version: figures/")
            .Append(HtmlEncode(figure.Name)).Append(".svg.)</figcaption>\n</figure>\n");
    }

    /// <summary>The verdict table (one row per test, the claim's verdict on its first row), then one figure per claim.</summary>
    private static void AppendClaims(StringBuilder html, ClaimsSection claims)
    {
        html.Append("<h2 id=\"claims\">Claims</h2>\n<p>Each claim of the paper as a test stated before the runs: one statistic per seed, ")
            .Append("its mean with the 95 % interval over seeds (").Append(HtmlEncode(claims.Outcome.Inference))
            .Append("), the per-seed values, and the verdict by the bounds in docs/claims.md.</p>\n")
            .Append("<table>\n<tr><th>claim</th><th>verdict</th><th>test</th><th>estimate</th><th>95 % CI</th><th>p</th><th>per-seed values</th><th>why</th></tr>\n");
        foreach (var c in claims.Outcome.Claims)
            foreach (var (t, i) in c.Tests.Select((t, i) => (t, i)))
            {
                html.Append("<tr>");
                if (i == 0)
                    html.Append("<td rowspan=\"").Append(c.Tests.Count).Append("\" title=\"").Append(HtmlEncode(c.Statement)).Append("\">")
                        .Append(c.Claim).Append(". ").Append(HtmlEncode(c.Statement)).Append("</td><td rowspan=\"").Append(c.Tests.Count)
                        .Append("\" class=\"verdict ").Append(ClaimsReport.VerdictText(c.Verdict)).Append("\"><b>")
                        .Append(HtmlEncode(ClaimsReport.ClaimVerdictText(c))).Append("</b></td>");
                html.Append("<td>").Append(HtmlEncode($"{t.Id} {t.Title}")).Append("</td><td class=\"n\">").Append(HtmlEncode(SgdWalk.Reporting.Claims.ClaimTest.Format(t.Estimate)))
                    .Append("</td><td class=\"n\">").Append(HtmlEncode(ClaimsReport.Interval(t))).Append("</td><td class=\"n\">")
                    .Append(HtmlEncode(ClaimsReport.PValues(t))).Append("</td><td class=\"n\">").Append(HtmlEncode(ClaimsReport.SeedValues(t))).Append("</td><td>")
                    .Append(HtmlEncode($"{ClaimsReport.VerdictText(t.Verdict)}: {t.Reason}")).Append("</td></tr>\n");
            }
        html.Append("</table>\n");
        if (claims.Outcome.Controls.Count > 0)
        {
            html.Append("<h3 id=\"controls\">Controls</h3>\n<p>Tests that must not come out supported where the claimed effect cannot be (negative), ")
                .Append("and tests that must where it is built in (positive); a failed control marks the claims it undermines.</p>\n<table>\n")
                .Append("<tr><th>control</th><th>kind</th><th>arm</th><th>expectation</th>")
                .Append("<th>outcome</th><th>estimate</th><th>95 % CI</th><th>per-seed values</th><th>undermines</th></tr>\n");
            foreach (var k in claims.Outcome.Controls)
                html.Append("<tr><td>").Append(HtmlEncode(k.Name)).Append("</td><td>").Append(ClaimsReport.ControlKind(k)).Append("</td><td>").Append(HtmlEncode(k.Arm)).Append("</td><td>")
                    .Append(HtmlEncode(k.Expectation)).Append("</td><td><b>").Append(HtmlEncode(ClaimsReport.ControlText(k.Outcome))).Append("</b> (")
                    .Append(HtmlEncode(ClaimsReport.VerdictText(k.Test.Verdict))).Append(")</td><td class=\"n\">")
                    .Append(HtmlEncode(SgdWalk.Reporting.Claims.ClaimTest.Format(k.Test.Estimate))).Append("</td><td class=\"n\">")
                    .Append(HtmlEncode(ClaimsReport.Interval(k.Test))).Append("</td><td class=\"n\">").Append(HtmlEncode(ClaimsReport.SeedValues(k.Test)))
                    .Append("</td><td>claim ").Append(string.Join(", ", k.Undermines)).Append("</td></tr>\n");
            html.Append("</table>\n");
            foreach (var c in claims.Outcome.Claims.Where(c => c.UnderminedBy is not null))
                html.Append("<p><b>Claim ").Append(c.Claim).Append("'s verdict is undermined:</b> ").Append(HtmlEncode(c.UnderminedBy!)).Append("</p>\n");
        }
        foreach (var line in claims.Outcome.LeftOut.Concat(claims.Outcome.Damaged)) html.Append("<p>").Append(HtmlEncode(line)).Append("</p>\n");
        foreach (var figure in claims.Figures) AppendFigure(html, figure);
    }

    private static bool IsNumber(string cell) =>
        double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
