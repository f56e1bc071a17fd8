using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// Issue 13 part 5, "silently wrong results", "crashes" and "unclear": resume, export, report and barrier check what
/// they are given, say what they do when it is not the plain case, and agree on exit codes.
/// </summary>
public class ResumeAndReadingTests
{
    private static readonly string[] Tiny =
        ["--dataset", "synthetic", "--hidden", "8", "--steps", "4", "--probes", "cheap", "--threads", "1", "--no-report"];

    private static readonly string[] Quick = ["--dataset", "synthetic", "--probes", "cheap", "--threads", "1", "--no-report"];

    /// <summary>The console's text as one line: Spectre wraps long lines, keeping or dropping the space it breaks at.</summary>
    private static string Flat(string output) => string.Join(' ', output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static RunFolder Train(params string[] extra)
    {
        var folder = new RunFolder(Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName, "run"));
        var (code, output) = CliHarness.Run(["train", .. Tiny, .. extra, "--out", folder.Path]);
        Assert.True(code == 0, output);
        return folder;
    }

    /// <summary>A completed run with checkpoints at steps 0, 2 and 4, made to look as if it had failed at its very end.</summary>
    private static RunFolder FailedAtTheEnd()
    {
        var run = Train("--checkpoint-every", "2", "--keep-checkpoints", "5");
        var manifest = RunManifest.Read(run.Manifest);
        manifest.Status = RunStatus.Failed;
        manifest.Write(run.Manifest);
        return run;
    }

    private static string Checkpoint(RunFolder run, int step) => Path.Combine(run.Checkpoints, $"step-{step:D9}.ckpt");

    [Fact]
    public void A_damaged_newest_checkpoint_falls_back_to_the_newest_intact_one_and_says_so()
    {
        var run = FailedAtTheEnd();
        byte[] steps = File.ReadAllBytes(run.Steps), final = File.ReadAllBytes(Path.Combine(run.Checkpoints, "final.dat"));
        var bytes = File.ReadAllBytes(Checkpoint(run, 4));
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(Checkpoint(run, 4), bytes);

        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report");
        Assert.True(code == 0, output);
        string text = Flat(output);
        Assert.Contains("damaged checkpoint (checksum mismatch)", text);
        Assert.Contains("resuming from the newest intact checkpoint,", text);
        Assert.Contains("(step 2)", text);
        // Steps 2 and 3 were trained again from step 2's state: the same bytes as the first time.
        Assert.Equal(steps, File.ReadAllBytes(run.Steps));
        Assert.Equal(final, File.ReadAllBytes(Path.Combine(run.Checkpoints, "final.dat")));
    }

    [Fact]
    public void Without_any_checkpoint_resume_refuses_to_start_over_unless_asked()
    {
        var run = FailedAtTheEnd();
        byte[] steps = File.ReadAllBytes(run.Steps);
        Directory.Delete(run.Checkpoints, recursive: true);
        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report");
        Assert.True(code == 2, output);
        Assert.Contains("no checkpoint left, but steps.csv holds 4 step(s)", Flat(output));
        Assert.Equal(steps, File.ReadAllBytes(run.Steps));

        (code, output) = CliHarness.Run("resume", run.Path, "--no-report", "--restart");
        Assert.True(code == 0, output);
        Assert.Contains("starting the run over from step 0", Flat(output));
        Assert.Equal(steps, File.ReadAllBytes(run.Steps)); // the same seed walks the same walk
    }

    [Fact]
    public void A_csv_file_edited_after_the_checkpoint_is_refused_instead_of_merging_rows()
    {
        var run = FailedAtTheEnd();
        // A spreadsheet re-saves steps.csv with Windows line ends: the recorded length no longer ends a row.
        string edited = File.ReadAllText(run.Steps).Replace("\n", "\r\n", StringComparison.Ordinal);
        File.WriteAllText(run.Steps, edited);
        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report");
        Assert.True(code == 2, output);
        Assert.Contains("steps.csv", output);
        Assert.Contains("refusing to resume", Flat(output));
        Assert.Equal(edited, File.ReadAllText(run.Steps));
        Assert.Equal(RunStatus.Failed, RunManifest.Read(run.Manifest).Status);
    }

    [Fact]
    public void Resuming_on_changed_data_is_refused()
    {
        string data = Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName;
        WriteMnist(data, labelShift: 0);
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName, "run");
        using (var stop = new CancellationTokenSource())
        {
            stop.Cancel(); // interrupted before its first step, with a checkpoint at step 0
            var (stopped, text) = CliHarness.Run(stop.Token, "train", "--dataset", "mnist", "--data-dir", data, "--val-size", "5", "--hidden", "8",
                "--batch-size", "10", "--steps", "3", "--probes", "none", "--threads", "1", "--no-report", "--out", path);
            Assert.True(stopped == 130, text);
        }
        WriteMnist(data, labelShift: 1); // the same images, relabelled
        var (code, output) = CliHarness.Run("resume", path, "--no-report");
        Assert.True(code == 2, output);
        Assert.Contains("differ from those the checkpoint at step 0 was written with", Flat(output));
        Assert.Equal(RunStatus.Interrupted, RunManifest.Read(Path.Combine(path, "run.json")).Status);

        WriteMnist(data, labelShift: 0);
        (code, output) = CliHarness.Run("resume", path, "--no-report");
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Export_refuses_a_renamed_checkpoint_and_one_copied_from_another_run()
    {
        var run = Train("--checkpoint-every", "1", "--keep-checkpoints", "10");
        var other = Train("--checkpoint-every", "1", "--keep-checkpoints", "10", "--lr", "0.2");
        File.Copy(Checkpoint(run, 3), Checkpoint(run, 2), overwrite: true); // "renamed": step 3 under step 2's name
        var (code, output) = CliHarness.Run("export", run.Path, "--step", "2");
        Assert.True(code == 2, output);
        Assert.Contains("holds step 3, not step 2", Flat(output));

        File.Copy(Checkpoint(other, 1), Checkpoint(run, 1), overwrite: true);
        (code, output) = CliHarness.Run("export", run.Path, "--step", "1");
        Assert.True(code == 2, output);
        Assert.Contains("--lr: checkpoint 0.2, run 0.1", Flat(output));
        Assert.Contains("refusing to export it", Flat(output));
    }

    [Fact]
    public void Input_mistakes_get_exit_2_and_a_message_naming_them_in_every_command()
    {
        var run = Train();
        var (code, output) = CliHarness.Run("export", run.Path);
        Assert.Equal(2, code);
        Assert.Contains("--step is required", output);
        Assert.DoesNotContain("(got -1)", output);

        string file = Path.Combine(run.Path, "a-file");
        File.WriteAllText(file, "x");
        (code, output) = CliHarness.Run("export", run.Path, "--step", "0", "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("--out", output);
        Assert.Contains("is a file", output);

        string missing = Path.Combine(run.Path, "missing");
        foreach (var args in new[] { new[] { "report", missing }, ["resume", missing], ["export", missing, "--step", "0"], ["barrier", missing, missing] })
        {
            (code, output) = CliHarness.Run(args);
            Assert.True(code == 2, $"{args[0]}: {output}");
        }
        string empty = Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName;
        foreach (var args in new[] { new[] { "report", empty }, ["resume", empty], ["export", empty, "--step", "0"] })
        {
            (code, output) = CliHarness.Run(args);
            Assert.True(code == 2, $"{args[0]}: {output}");
            Assert.Contains("no run.json", output);
        }
    }

    [Fact]
    public void Report_draws_a_live_run_with_a_half_written_row_and_says_so()
    {
        var run = Train("--record", "all");
        var manifest = RunManifest.Read(run.Manifest);
        manifest.Status = RunStatus.Running;
        manifest.Write(run.Manifest);
        File.AppendAllText(run.Steps, "4,1,0.1,10,2.2");       // a row cut off mid-write
        File.AppendAllText(run.Profiles, "4,probe,0.");
        var (code, output) = CliHarness.Run("report", run.Path);
        Assert.True(code == 0, output);
        Assert.Contains("still running", output);
        Assert.True(File.Exists(Path.Combine(run.Path, "report.html")));
    }

    [Fact]
    public void A_sweep_report_leaves_out_a_damaged_cell_names_it_and_draws_the_rest()
    {
        string sweep = Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName;
        var (code, output) = CliHarness.Run(["sweep", .. Tiny, "--lr", "0.05,0.1", "--batch-size", "50", "--seeds", "1", "--out", sweep]);
        Assert.True(code == 0, output);
        File.AppendAllText(Path.Combine(sweep, "lr0.05-b50-s1", "steps.csv"), "4,1,x,y\n"); // a damaged, complete row
        (code, output) = CliHarness.Run("report", sweep);
        Assert.True(code == 0, output);
        Assert.Contains("cell lr0.05-b50-s1 left out", output);
        string html = File.ReadAllText(Path.Combine(sweep, "report.html"));
        Assert.Contains("<td>lr0.1-b50-s1</td>", html);
        Assert.Contains("Not drawn: cell lr0.05-b50-s1 left out", html);
    }

    [Fact]
    public void Barrier_takes_the_runs_own_step_checkpoints_and_refuses_another_runs()
    {
        var run = Train("--checkpoint-every", "2");
        string csv = Path.Combine(run.Path, "ckpt.csv");
        var (code, output) = CliHarness.Run("barrier", Checkpoint(run, 0), run.Path + ":initial", "--alphas", "0:1:0.5", "--probe-size", "100", "--out", csv);
        Assert.True(code == 0, output);
        // Step 0's checkpoint is θ_0: the line to initial.dat is a single point, the same loss all along.
        var losses = CsvTable.Read(csv).Numbers("train_loss");
        Assert.All(losses, l => Assert.Equal(losses[0], l, 9));

        var other = Train("--checkpoint-every", "2", "--seed", "7");
        File.Copy(Checkpoint(other, 2), Checkpoint(run, 2), overwrite: true);
        (code, output) = CliHarness.Run("barrier", Checkpoint(run, 2), run.Path, "--alphas", "0:1:0.5", "--probe-size", "100");
        Assert.True(code == 2, output);
        Assert.Contains("--seed: checkpoint 7, run 1111", Flat(output));
    }

    [Fact]
    public void An_exploding_loss_is_divergence_and_a_barrier_through_non_finite_losses_is_an_error()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName, "run");
        var (code, output) = CliHarness.Run(["train", .. Quick, "--hidden", "16", "--steps", "30", "--lr", "1e3", "--out", path]);
        Assert.True(code == 3, output);
        Assert.Contains("exceeds 1e6 × max(1, the initial loss", Flat(output));
        Assert.Equal(RunStatus.Diverged, RunManifest.Read(Path.Combine(path, "run.json")).Status);

        string nan = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName, "run");
        (code, output) = CliHarness.Run(["train", .. Quick, "--hidden", "16", "--steps", "30", "--lr", "1e30", "--out", nan]);
        Assert.True(code == 3, output);
        (code, output) = CliHarness.Run("barrier", nan + ":initial", nan + ":final", "--alphas", "0:1:0.5", "--probe-size", "100");
        Assert.True(code == 3, output);
        Assert.Contains("the loss is not finite", Flat(output));
    }

    [Fact]
    public void A_small_cnn_run_prints_no_nnpack_warning()
    {
        // A real child process: libtorch writes the warning to the process's stderr, past any test console.
        string path = Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-read-").FullName, "run");
        var (code, output) = ChildCli.Run(["train", .. Quick, "--model", "small-cnn", "--steps", "3", "--out", path]);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("NNPACK", output);
    }

    /// <summary>A 40-image MNIST-format training set (3×4 pixels) and a 10-image test set; labels shifted by <paramref name="labelShift"/>.</summary>
    private static void WriteMnist(string folder, int labelShift)
    {
        static byte[] Idx(int[] dims, IEnumerable<byte> data)
        {
            var bytes = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
            foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
            bytes.AddRange(data);
            return [.. bytes];
        }
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), Idx([40, 3, 4], Enumerable.Range(0, 40 * 12).Select(i => (byte)(i * 37 % 256))));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), Idx([40], Enumerable.Range(0, 40).Select(i => (byte)((i + labelShift) % 10))));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), Idx([10, 3, 4], Enumerable.Range(0, 10 * 12).Select(i => (byte)(i * 11 % 256))));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), Idx([10], Enumerable.Range(0, 10).Select(i => (byte)(i * 3 % 10))));
    }
}
