namespace SgdWalk.Cli.Tests;

/// <summary>Bad input: one line naming the culprit, a non-zero exit, and nothing on disk touched.</summary>
public class InvalidInputTests
{
    public static TheoryData<string[], string> Cases => new()
    {
        { ["train", "--lr", "-0.1"], "--lr must be a positive number (got -0.1)" },
        { ["train", "--batch-size", "0"], "--batch-size must be at least 1 (got 0)" },
        { ["train", "--model", "transformer"], "unknown model 'transformer'; known models: mlp" },
        { ["train", "--dataset", "imagenet"], "imagenet" },
        { ["train", "--data-dir", "/no/such/dir"], "/no/such/dir" },
        { ["train", "--probe-size", "lots"], "--probe-size must be a positive number of samples, 'full' or 'auto' (got 'lots')" },
        { ["train", "--probe-size", "auto", "--probe-error", "0"], "--probe-error must be in (0, 1] (got 0)" },
        { ["train", "--probe-size", "auto", "--probes", "cheap"], "--probe-size auto needs --probes paper" },
        { ["train", "--alphas", "adaptive:x"], "--alphas" },
        { ["train", "--alphas", "adaptive:1.5"], "--alphas adaptive:TOL needs 0 < TOL < 1 (got 1.5)" },
        { ["train", "--bn", "frozen"], "--bn must be batch-stats or running (got 'frozen')" },
        { ["train", "--alphas", "1,0.5,0"], "--alphas must list at least three increasing numbers" },
        { ["train", "--record", "sometimes"], "record schedule 'sometimes'" },
        { ["train", "--schedule", "linear"], "unknown schedule 'linear'" },
        { ["train", "--lr", "fast"], "fast" },
        { ["train", "--no-such-option"], "no-such-option" },
        { ["train", "--sharpness", "often"], "record schedule 'often'" },
        { ["train", "--hvp", "exact"], "--hvp must be autograd or finite-difference (got 'exact')" },
        { ["train", "--eigen", "qr"], "--eigen must be lanczos or power (got 'qr')" },
        { ["train", "--top-k", "3", "--eigen", "power"], "--top-k above 1 needs --eigen lanczos" },
        { ["train", "--trace-samples", "1"], "--trace-samples must be 0 (no trace) or at least 2 (got 1)" },
        { ["train", "--sharpness", "all", "--probes", "none"], "--sharpness needs --probes cheap or paper" },
        { ["train", "--checkpoint-every", "0"], "--checkpoint-every must be at least 1 step (got 0)" },
        { ["train", "--keep-checkpoints", "0"], "--keep-checkpoints must be at least 1 (got 0)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_mistake_is_reported_in_one_line_and_touches_nothing(string[] args, string expected)
    {
        string existing = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(existing, "steps.csv"), "precious");
        var (code, output) = CliHarness.Run([.. args, "--out", existing, "--overwrite"]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Contains("error", output);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(existing, "steps.csv")));
        Assert.Single(Directory.EnumerateFileSystemEntries(existing));
    }

    [Theory]
    [InlineData(new[] { "experiment", "edge-of-nothing" }, "unknown experiment 'edge-of-nothing'; known experiments: sgd-walk, gd-walk")]
    [InlineData(new[] { "experiment", "edge-of-stability", "--scale", "huge" }, "--scale must be cpu or paper (got 'huge')")]
    [InlineData(new[] { "experiment", "edge-of-stability", "--steps", "0" }, "--steps must be at least 1 (got 0)")]
    public void Experiment_mistakes_are_reported_in_one_line_and_write_nothing(string[] args, string expected)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "experiment");
        var (code, output) = CliHarness.Run([.. args, "--out", folder]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output.Replace("\n", " ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void An_existing_run_folder_is_not_overwritten_without_the_flag()
    {
        string existing = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(existing, "run.json"), "{}");
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--steps", "2", "--out", existing);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--overwrite", output);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(existing, "run.json")));
    }

    [Fact]
    public void A_corrupt_dataset_file_is_named_in_the_error()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(dir, name), [0, 0, 8, 3, 0, 0]);
        string output_ = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run("train", "--data-dir", dir, "--out", output_);
        Assert.NotEqual(0, code);
        Assert.Contains("-idx", output);
        Assert.Contains("truncated", output.ToLowerInvariant());
    }
}
