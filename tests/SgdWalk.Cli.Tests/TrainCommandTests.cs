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
        Assert.Equal(8 * 9 * 2, profiles.Rows.Count);
        Assert.Equal(-0.5, profiles.Number(0, "alpha"));
        Assert.Equal(2, CsvTable.Read(run.Epochs).Rows.Count);
        Assert.True(File.Exists(Path.Combine(run.Checkpoints, "final.dat")));

        // The run ends with its report, drawn from the files just written.
        Assert.Contains("report:", output);
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.True(File.Exists(Path.Combine(folder, "figures", "walk.png")));
        Assert.True(File.Exists(Path.Combine(folder, "figures", "walk.svg")));

        // ... and can be redrawn later with another window.
        (code, output) = CliHarness.Run("report", folder, "--window", "20:3", "--figure-size", "900x600");
        Assert.True(code == 0, output);
        Assert.Contains("report.html", output);
    }

    /// <summary>`--stop-loss` and `--end-curvature` reach the run: a target no run reaches ends at the cap and says so, the curvature is measured at the end.</summary>
    [Fact]
    public void The_stop_loss_and_end_curvature_options_reach_the_run()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "16", "--steps", "12", "--probes", "cheap", "--probe-size", "200",
            "--stop-loss", "1e-9", "--end-curvature", "--eigen-iterations", "3", "--trace-samples", "2", "--no-report", "--out", folder);
        Assert.True(code == 0, output);
        var manifest = RunManifest.Read(new RunFolder(folder).Manifest);
        Assert.Equal((1e-9, false, 12), (manifest.StopLoss!.Target, manifest.StopLoss.Reached, manifest.StopLoss.Step));
        Assert.Equal((12, 3, 2), (manifest.EndCurvature!.Step, manifest.EndCurvature.EigenIterations, manifest.EndCurvature.TraceSamples));

        (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--stop-loss", "-1", "--out", folder + "-bad");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--stop-loss must be a positive number (got -1)", output);
    }

    [Fact]
    public void TensorBoard_event_files_hold_the_step_and_epoch_scalars()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "16", "--steps", "12", "--probes", "cheap",
            "--no-report", "--tensorboard", "--out", folder);
        Assert.True(code == 0, output);
        Assert.False(File.Exists(Path.Combine(folder, "report.html")));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(folder, "events"), "events.out.tfevents.*"));
        var records = TfRecords(File.ReadAllBytes(file));
        // One file-version record; 8 scalars per step (lr, batch_size, train_loss, grad_norm, step_norm, dist_init,
        // cos_grad, cos_update) less the two cosines step 0 lacks; 9 epoch metrics (losses, accuracies, angle_init, disagree_init).
        Assert.Equal(1 + (12 * 8) - 2 + 9, records.Count);
        string all = string.Join("|", records.Select(r => System.Text.Encoding.UTF8.GetString(r)));
        foreach (var tag in new[] { "brain.Event:2", "step/train_loss", "step/dist_init", "step/cos_grad", "epoch/test_acc", "epoch/val_loss", "epoch/angle_init" })
            Assert.Contains(tag, all);
    }

    /// <summary>An independent reader of TFRecord framing: u64 length, u32 crc, payload, u32 crc.</summary>
    private static List<byte[]> TfRecords(byte[] bytes)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            long length = BitConverter.ToInt64(bytes, at);
            Assert.InRange(length, 1, bytes.Length - at - 16);
            records.Add(bytes[(at + 12)..(at + 12 + (int)length)]);
            at += 16 + (int)length;
        }
        Assert.Equal(bytes.Length, at);
        return records;
    }

    [Fact]
    public void Report_names_the_folder_it_cannot_read_and_rejects_bad_options()
    {
        var (code, output) = CliHarness.Run("report", "/no/such/run");
        Assert.Equal(ExitCodes.InvalidInput, code); // a wrong path is bad input, as in resume, export and barrier
        Assert.Contains("/no/such/run", output);

        (code, output) = CliHarness.Run("report", "/no/such/run", "--window", "ten");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--window must be START:COUNT", output);
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
        foreach (var name in new[] { "mlp", "small-cnn", "vgg11", "resnet20", "resnet56", "fashion-mnist", "cifar10", "synthetic", "valley", "valley-flat", "cheap", "paper", "trapezoid" })
            Assert.Contains(name, output);
    }
}
