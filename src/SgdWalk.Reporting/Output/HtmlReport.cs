using System.Text;
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
        "figcaption{margin-top:.5em;color:#444}details{margin:1em 0}";

    public static string Render(ReportPage page)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(HtmlEncode(page.Title)).Append("</title>\n")
            .Append("<style>").Append(Css).Append("</style>\n").Append(ImageCheck).Append("\n</head>\n<body>\n")
            .Append("<h1>").Append(HtmlEncode(page.Title)).Append("</h1>\n")
            .Append("<p>").Append(HtmlEncode(page.Intro)).Append("</p>\n");

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
            html.Append("<details open>\n<summary>Settings (run.json)</summary>\n<table>\n");
            foreach (var (key, value) in page.Settings)
                html.Append("<tr><th>").Append(HtmlEncode(key)).Append("</th><td>").Append(HtmlEncode(value)).Append("</td></tr>\n");
            html.Append("</table>\n</details>\n");
        }

        html.Append("<h2>Figures</h2>\n");
        foreach (var figure in page.Figures)
        {
            string data = Convert.ToBase64String(File.ReadAllBytes(figure.Png));
            html.Append("<figure id=\"").Append(figure.Name).Append("\">\n<h3>").Append(HtmlEncode(figure.Title)).Append("</h3>\n")
                .Append("<img alt=\"").Append(HtmlEncode(figure.Title)).Append("\" src=\"data:image/png;base64,").Append(data).Append("\">\n")
                .Append("<figcaption>").Append(HtmlEncode(figure.Caption)).Append(" (Vector version: figures/")
                .Append(HtmlEncode(figure.Name)).Append(".svg.)</figcaption>\n</figure>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static bool IsNumber(string cell) =>
        double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
