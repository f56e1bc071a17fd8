namespace SgdWalk.Reporting.Tests;

public class RunReportTests
{
    private static readonly string[] RunFigures = ["walk", "height", "profiles", "training"];

    [Theory]
    [InlineData(Fixture.RealRun, new[] { "walk", "height", "profiles", "training" })]
    [InlineData(Fixture.Synthetic, new[] { "walk", "height", "profiles", "training", "sharpness" })]
    public void Every_figure_is_drawn_at_the_requested_size_as_png_and_svg(string fixture, string[] figures)
    {
        using var run = new Fixture(fixture);
        var options = new ReportOptions(Width: 900, Height: 700);
        var written = run.Build(options);

        foreach (string name in figures)
        {
            string png = run.File($"figures/{name}.png"), svg = run.File($"figures/{name}.svg");
            ImageAssert.IsDrawnPng(png, 900, 700);
            ImageAssert.IsSvg(svg, 900, 700);
            Assert.Contains(png, written);
            Assert.Contains(svg, written);
        }
        Assert.Equal(figures.Length * 2 + 2, written.Count);
        Assert.Contains(run.File("report.html"), written);
        Assert.Contains(run.File("summary.md"), written);
    }

    [Fact]
    public void Sharpness_figure_is_left_out_when_curvature_was_not_measured()
    {
        using var run = new Fixture(Fixture.RealRun);
        run.Build();
        Assert.False(File.Exists(run.File("figures/sharpness.png")));
        Assert.DoesNotContain("id=\"sharpness\"", File.ReadAllText(run.File("report.html")));
    }

    /// <summary>A run that measured gradient alignment (align_k10_bB columns, empty where not measured) gets its figure in the report.</summary>
    [Fact]
    public void Alignment_figure_is_drawn_when_the_run_measured_alignment()
    {
        using var run = new Fixture(Fixture.Synthetic);
        var lines = File.ReadAllLines(run.File("steps.csv"));
        lines[0] += ",align_k10_b25,align_k10_b25_se,align_k10_b400,align_k10_b400_se,align_k10_converged";
        for (int i = 1; i < lines.Length; i++)
            lines[i] += i % 5 == 1
                ? System.FormattableString.Invariant($",{0.1 + (0.001 * i)},0.01,{0.4 + (0.001 * i)},0.02,1")
                : ",,,,,";
        File.WriteAllLines(run.File("steps.csv"), lines);
        var written = run.Build(new ReportOptions(Width: 900, Height: 700));
        ImageAssert.IsDrawnPng(run.File("figures/alignment.png"), 900, 700);
        Assert.Contains(run.File("figures/alignment.png"), written);
        Assert.Contains("id=\"alignment\"", File.ReadAllText(run.File("report.html")));
    }

    [Fact]
    public void Report_html_embeds_every_figure_and_fetches_nothing()
    {
        using var run = new Fixture(Fixture.Synthetic);
        run.Build();
        string html = File.ReadAllText(run.File("report.html"));
        foreach (string png in Directory.GetFiles(run.File("figures"), "*.png"))
            Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png)) + "\"", html);
        Assert.Equal(5, html.Split("<img ").Length - 1);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain(" src=\"figures/", html);
        // The run's settings and the captions are on the page.
        Assert.Contains("learning_rate", html);
        Assert.Contains("valley floor", html);
    }

    [Fact]
    public void Walk_window_starts_where_asked()
    {
        using var run = new Fixture(Fixture.RealRun);
        run.Build(new ReportOptions(WindowStart: 20, WindowCount: 10));
        ImageAssert.IsDrawnPng(run.File("figures/walk.png"), 1200, 800);
        Assert.Contains("steps 20–29", File.ReadAllText(run.File("figures/walk.svg")).Replace("&#8211;", "–"));
    }

    [Fact]
    public void Rebuilding_a_report_gives_the_same_bytes()
    {
        using var run = new Fixture(Fixture.Synthetic);
        var first = run.Build().ToDictionary(p => p, File.ReadAllBytes);
        var second = run.Build();
        foreach (string path in second) Assert.Equal(first[path], File.ReadAllBytes(path));
        Assert.Equal(RunFigures.Length + 1, Directory.GetFiles(run.File("figures"), "*.png").Length);
    }
}
