using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

public class ExperimentCommandTests
{
    [Fact]
    public void List_names_every_paper_experiment()
    {
        var (code, output) = CliHarness.Run("list");
        Assert.Equal(0, code);
        foreach (var name in new[] { "sgd-walk", "gd-walk", "isotropic-noise", "lr-vs-batch", "lr-schedules" })
            Assert.Contains(name, output);
    }

    [Fact]
    public void Unknown_experiments_and_scales_are_refused_with_the_known_names()
    {
        var (code, output) = CliHarness.Run("experiment", "walk-with-sgd");
        Assert.Equal(2, code);
        Assert.Contains("known experiments: sgd-walk, gd-walk, isotropic-noise, lr-vs-batch, lr-schedules", output);
        (code, output) = CliHarness.Run("experiment", "sgd-walk", "--scale", "huge");
        Assert.Equal(2, code);
        Assert.Contains("--scale must be cpu or paper", output);
    }

    [Fact]
    public void Paper_scale_without_CIFAR10_fails_clearly_before_writing_anything()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "exp");
        string empty = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = CliHarness.Run("experiment", "lr-vs-batch", "--scale", "paper", "--data-dir", empty, "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains("needs CIFAR-10", output);
        Assert.Contains("--data-dir", output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Lr_schedules_runs_its_four_schedules_as_cells_with_overrides()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "schedules");
        var (code, output) = CliHarness.Run("experiment", "lr-schedules", "--dataset", "synthetic", "--train-size", "400", "--hidden", "8",
            "--epochs", "2", "--probes", "cheap", "--threads", "1", "--no-report", "--out", folder);
        Assert.True(code == 0, output[^Math.Min(3000, output.Length)..]);
        var manifest = SweepManifest.Read(Path.Combine(folder, SweepManifest.FileName));
        Assert.Equal("lr-schedules", manifest.Experiment);
        Assert.Equal(["constant", "step", "cyclic", "trapezoid"], manifest.Cells.Select(c => c.Name));
        // The cyclic schedule really varies the rate within the run; constant does not.
        double[] Rates(string cell) => CsvTable.Read(Path.Combine(folder, cell, "steps.csv")).Numbers("lr").Distinct().ToArray();
        Assert.Single(Rates("constant"));
        Assert.True(Rates("cyclic").Length >= 4);
        Assert.Equal(4, CsvTable.Read(Path.Combine(folder, SweepSummary.FileName)).Rows.Count);
    }

    [Fact]
    public void Gd_walk_sums_chunk_gradients_only_under_authors_compat()
    {
        string plain = Path.Combine(Directory.CreateTempSubdirectory().FullName, "gd"), authors = Path.Combine(Directory.CreateTempSubdirectory().FullName, "gd");
        string[] tiny = ["--dataset", "synthetic", "--hidden", "8", "--steps", "2", "--probes", "cheap", "--threads", "1", "--no-report"];
        Assert.Equal(0, CliHarness.Run(["experiment", "gd-walk", .. tiny, "--out", plain]).ExitCode);
        Assert.Equal(0, CliHarness.Run(["experiment", "gd-walk", .. tiny, "--compat", "authors", "--out", authors]).ExitCode);
        var options = RunManifest.Read(Path.Combine(plain, "gd", "run.json")).Options;
        Assert.False((bool)options["sum_chunk_gradients"]!);
        Assert.Equal(4500, (int)options["batch_size"]!);
        Assert.Equal(500, (int)options["chunk_size"]!);
        Assert.True((bool)RunManifest.Read(Path.Combine(authors, "gd", "run.json")).Options["sum_chunk_gradients"]!);
        // 9 chunks of 500: the authors' step on the mean gradient is 9x as long at the first step.
        double Step(string folder) => CsvTable.Read(Path.Combine(folder, "gd", "steps.csv")).Number(0, "step_norm");
        Assert.InRange(Step(authors) / Step(plain), 8.9, 9.1);
    }
}
