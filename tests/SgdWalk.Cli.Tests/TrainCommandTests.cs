using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

public class TrainCommandTests
{
    [Fact]
    public void A_short_synthetic_run_leaves_a_complete_folder_and_prints_the_summary()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "32,16", "--batch-size", "50",
            "--epochs", "2", "--probe-size", "200", "--record", "steps:0-4+every:20", "--alphas", "-0.5:1.5:0.25", "--out", folder);
        Assert.True(code == 0, output);
        Assert.Contains("walk summary", output);
        Assert.Contains("interior floor fraction (probe)", output);
        Assert.Contains("completed 80 steps", output);

        var run = new RunFolder(folder);
        var manifest = RunManifest.Read(run.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal(2, manifest.Counts["epochs"]);
        var steps = CsvTable.Read(run.Steps);
        Assert.Equal(80, steps.Rows.Count);
        Assert.Equal(5 + 3, steps.Numbers("probe_height").Count(v => !double.IsNaN(v))); // steps 0-4 and 20, 40, 60
        var profiles = CsvTable.Read(run.Profiles);
        Assert.Equal(9 * 9 * 2, profiles.Rows.Count);
        Assert.Equal(-0.5, profiles.Number(0, "alpha"));
        Assert.Equal(2, CsvTable.Read(run.Epochs).Rows.Count);
        Assert.True(File.Exists(Path.Combine(run.Checkpoints, "final.dat")));
    }

    [Fact]
    public void Help_lists_every_command_and_option()
    {
        var (code, output) = CliHarness.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("train", output);
        Assert.Contains("list", output);

        (code, output) = CliHarness.Run("train", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--model", "--dataset", "--data-dir", "--lr", "--batch-size", "--epochs", "--steps", "--momentum",
                     "--weight-decay", "--seed", "--record", "--alphas", "--probe-size", "--bn", "--out", "--threads", "--compat", "--schedule", "--probes" })
            Assert.Contains(option, output);

        (code, output) = CliHarness.Run("list", "--help");
        Assert.Equal(0, code);
    }

    [Fact]
    public void List_shows_models_datasets_presets_and_schedules()
    {
        var (code, output) = CliHarness.Run("list");
        Assert.Equal(0, code);
        foreach (var name in new[] { "mlp", "small-cnn", "vgg11", "resnet20", "resnet56", "fashion-mnist", "cifar10", "synthetic", "cheap", "paper", "trapezoid" })
            Assert.Contains(name, output);
    }
}
