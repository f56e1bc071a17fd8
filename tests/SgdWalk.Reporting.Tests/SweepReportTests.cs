namespace SgdWalk.Reporting.Tests;

public class SweepReportTests
{
    private static readonly string[] SweepFigures =
        ["sweep-height-vs-lr", "sweep-distance-vs-batch", "sweep-test-accuracy", "sweep-interior-fraction", "sweep-median-height"];

    [Fact]
    public void A_sweep_folder_gets_its_figures_and_a_row_per_cell()
    {
        using var sweep = new Fixture(Fixture.Sweep);
        var written = sweep.Build(new ReportOptions(Width: 800, Height: 600));

        foreach (string name in SweepFigures)
        {
            ImageAssert.IsDrawnPng(sweep.File($"figures/{name}.png"), 800, 600);
            ImageAssert.IsSvg(sweep.File($"figures/{name}.svg"), 800, 600);
        }
        // Figures (PNG + SVG), report.html, summary.md and the sweep's summary.csv recomputed from the cells.
        Assert.Equal(SweepFigures.Length * 2 + 3, written.Count);
        Assert.Equal(4, Records.CsvTable.Read(sweep.File("summary.csv")).Rows.Count);

        var table = CsvOracle.MarkdownTable(sweep.File("summary.md"));
        Assert.Equal("run", table[0][0]);
        var cells = table.Skip(2).ToList();
        Assert.Equal(["lr0.05-bs50", "lr0.05-bs200", "lr0.2-bs50", "lr0.2-bs200"], cells.Select(c => c[0]));
        foreach (var cell in cells)
        {
            var steps = new CsvOracle(sweep.File($"{cell[0]}/steps.csv"));
            var epochs = new CsvOracle(sweep.File($"{cell[0]}/epochs.csv"));
            CsvOracle.Near(steps.Column("lr")[0], cell[1], "learning rate");
            CsvOracle.Near(steps.Column("batch_size")[0], cell[2], "batch size");
            CsvOracle.Near(CsvOracle.Median(steps.Column("probe_height")), cell[7], $"{cell[0]} median height");
            CsvOracle.Near(steps.Column("dist_init")[^1], cell[8], $"{cell[0]} final distance");
            CsvOracle.Near(epochs.Column("test_acc")[^1], cell[10], $"{cell[0]} test accuracy");
        }

        string html = File.ReadAllText(sweep.File("report.html"));
        Assert.Equal(SweepFigures.Length, html.Split("src=\"data:image/png;base64,").Length - 1);
        foreach (var cell in cells) Assert.Contains($"<td>{cell[0]}</td>", html);
    }

    [Fact]
    public void Sweep_folder_ignores_subfolders_that_are_not_runs()
    {
        using var sweep = new Fixture(Fixture.Sweep);
        Directory.CreateDirectory(sweep.File("notes"));
        File.WriteAllText(sweep.File("notes/readme.txt"), "not a run");
        sweep.Build();
        Assert.Equal(4 + 2, CsvOracle.MarkdownTable(sweep.File("summary.md")).Count);
    }
}
