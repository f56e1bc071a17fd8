using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>`sgdwalk resume` refuses what it cannot continue faithfully, naming why, and touches nothing.</summary>
public class ResumeRefusalTests
{
    private static readonly string[] Small =
        ["train", "--dataset", "synthetic", "--hidden", "32,16", "--steps", "10", "--probes", "cheap", "--threads", "1", "--no-report"];

    /// <summary>A run stopped by Ctrl-C before its first step: interrupted, with a checkpoint at step 0.</summary>
    private static RunFolder Interrupted(params string[] extra)
    {
        var folder = new RunFolder(Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-refuse-").FullName, "run"));
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var (code, output) = CliHarness.Run(stop.Token, [.. Small, .. extra, "--out", folder.Path]);
        Assert.True(code == 130, output);
        Assert.True(File.Exists(Path.Combine(folder.Checkpoints, "step-000000000.ckpt")), output);
        return folder;
    }

    private static void AssertRefused(RunFolder folder, params string[] expected)
    {
        var status = RunManifest.Read(folder.Manifest).Status;
        byte[] steps = File.ReadAllBytes(folder.Steps);
        var checkpoints = Directory.GetFiles(folder.Checkpoints).Order().ToArray();
        var (code, output) = CliHarness.Run("resume", folder.Path, "--no-report");
        Assert.True(code == 2, output);
        string line = output.Replace("\n", " ", StringComparison.Ordinal);
        foreach (var text in expected) Assert.Contains(text, line);
        Assert.Equal(steps, File.ReadAllBytes(folder.Steps));
        Assert.Equal(status, RunManifest.Read(folder.Manifest).Status);
        Assert.Equal(checkpoints, Directory.GetFiles(folder.Checkpoints).Order().ToArray());
    }

    [Theory]
    [InlineData(new[] { "--lr", "0.2" }, "--lr: checkpoint 0.2, run 0.1")]
    [InlineData(new[] { "--hidden", "16" }, "--hidden: checkpoint [16], run [32,16]")]
    [InlineData(new[] { "--seed", "7" }, "--seed: checkpoint 7, run 1111")]
    public void A_checkpoint_from_another_model_or_option_set_is_refused_with_the_difference_named(string[] other, string difference)
    {
        var run = Interrupted();
        var foreign = Interrupted(other);
        string target = Path.Combine(run.Checkpoints, "step-000000000.ckpt");
        File.Copy(Path.Combine(foreign.Checkpoints, "step-000000000.ckpt"), target, overwrite: true);
        AssertRefused(run, "written with other options than this run", difference, "refusing");
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused()
    {
        var run = Interrupted();
        string path = Path.Combine(run.Checkpoints, "step-000000000.ckpt");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        AssertRefused(run, "damaged checkpoint (checksum mismatch)");
    }

    [Fact]
    public void The_same_interrupted_run_resumes_and_completes()
    {
        var run = Interrupted();
        var (code, output) = CliHarness.Run("resume", run.Path, "--no-report");
        Assert.True(code == 0, output);
        Assert.Equal(RunStatus.Completed, RunManifest.Read(run.Manifest).Status);
        Assert.Equal(10, CsvTable.Read(run.Steps).Rows.Count);
        // A completed run has nothing left to resume.
        AssertRefused(run, "the run is completed; there is nothing to resume");
    }

    [Fact]
    public void A_folder_that_is_not_a_run_is_refused()
    {
        string empty = Directory.CreateTempSubdirectory("sgdwalk-refuse-").FullName;
        var (code, output) = CliHarness.Run("resume", empty);
        Assert.Equal(2, code);
        Assert.Contains("no run.json", output);
        (code, output) = CliHarness.Run("resume", Path.Combine(empty, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("no such run folder", output);
    }
}
