namespace SgdWalk.Cli.Tests;

/// <summary>Every run comes with its figures: an experiment reports each cell like `train`, and the sweep as a whole.</summary>
public class ExperimentReportTests
{
    [Fact]
    public void An_experiment_draws_each_cells_run_report_and_the_sweep_report()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "walk");
        var (code, output) = CliHarness.Run("experiment", "sgd-walk", "--dataset", "synthetic", "--train-size", "400", "--hidden", "8",
            "--steps", "12", "--probe-size", "100", "--record", "all", "--threads", "1", "--out", folder);
        Assert.True(code == 0, output[^Math.Min(3000, output.Length)..]);
        string cell = Path.Combine(folder, "sgd");
        Assert.True(File.Exists(Path.Combine(cell, "report.html")));
        Assert.True(File.Exists(Path.Combine(cell, "figures", "walk.png")));
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
    }
}
