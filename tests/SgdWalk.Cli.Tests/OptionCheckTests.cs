using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using SgdWalk.Cli.Commands;
using SgdWalk.Data;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// Issue 13's validation findings: each used to run (or fail after writing run.json); each is now one line naming the
/// option, exit 2, with nothing written. And the command line's defaults are the library's.
/// </summary>
public class OptionCheckTests
{
    public static TheoryData<string[], string> TrainCases => new()
    {
        { ["--dataset", "synthetic", "--batch-size", "5000"], "--batch-size 5000 is larger than the training split (2000 images); use at most 2000" },
        { ["--dataset", "synthetic", "--train-size", "50", "--batch-size", "100"], "--batch-size 100 is larger than the training split (50 images, from --train-size)" },
        { ["--dataset", "synthetic", "--schedule", "step:1:-1"], "--schedule 'step:1:-1': GAMMA must be positive" },
        { ["--dataset", "synthetic", "--schedule", "step:1:0"], "--schedule 'step:1:0': GAMMA must be positive, or the rate would reach zero" },
        { ["--dataset", "synthetic", "--schedule", "cosine:-1"], "--schedule 'cosine:-1': MIN is a fraction of --lr and must not be negative" },
        { ["--dataset", "synthetic", "--schedule", "cyclic:0.2:-0.1:2"], "--schedule 'cyclic:0.2:-0.1:2': LOW and HIGH are fractions of --lr and must be positive" },
        { ["--dataset", "synthetic", "--schedule", "step:1:nan"], "--schedule 'step:1:nan': GAMMA must be a finite number (got 'nan')" },
        { ["--dataset", "synthetic", "--schedule", "step::0.5"], "--schedule 'step::0.5': the milestones must be epochs from 0, comma-separated" },
        { ["--dataset", "synthetic", "--model", "resnet", "--depth", "2000000"], "the run would need about" },
        { ["--dataset", "synthetic", "--hidden", "100000000"], "the run would need about" },
        { ["--dataset", "synthetic", "--train-size", "1000000000"], "the run would need about" },
        { ["--dataset", "synthetic", "--model", "resnet", "--depth", "7"], "--model resnet on synthetic: resnet: Depth must be 6n+2" },
        { ["--dataset", "synthetic", "--model", "vgg11"], "--model vgg11 on synthetic: vgg11: needs 32x32 inputs" },
        { ["--dataset", "synthetic", "--model", "small-cnn", "--hidden", "4,4,4,4,4"], "--model small-cnn on synthetic: small-cnn: 5 max-pools " +
            "need Height and Width of at least 32 (got 8x8)" },
        { ["--dataset", "synthetic", "--floor-lags", "1,1"], "--floor-lags must not repeat a lag (got 1,1)" },
        { ["--dataset", "synthetic", "--floor-lag-origin", "10"], "--floor-lag-origin needs --floor-lags (it places their segments)" },
        { ["--dataset", "synthetic", "--device", "cuda"], "--device cuda: this build of libtorch has no CUDA support" },
        { ["--dataset", "synthetic", "--epochs", "2000000000"], "--epochs 2000000000 gives 40000000000 steps, more than 2147483647" },
        { ["--dataset", "synthetic", "--lr", "inf"], "--lr: 'inf' is not a finite number, e.g. 0.1" },
        { ["--dataset", "synthetic", "--lr", ""], "--lr: '' is not a finite number, e.g. 0.1" },
        { ["--dataset", "synthetic", "--steps", "2147483648"], "--steps: '2147483648' is not a whole number from 0 to 2147483647" },
        { ["--dataset", "synthetic", "--batch-size", "4000000000"], "--batch-size: '4000000000' is not a whole number from 0 to 2147483647" },
        { ["--dataset", "synthetic", "--optimizer", "adam"], "--optimizer must be sgd, floor-sgd or height-sgd (got 'adam')" },
        { ["--dataset", "synthetic", "--floor-view", "val"], "--floor-view must be batch or probe (got 'val')" },
        { ["--dataset", "synthetic", "--compat", "theirs"], "--compat must be none or authors (got 'theirs')" },
        { ["--dataset", "synthetic", "--figure-size", "100000x100000"], "--figure-size must be WIDTHxHEIGHT with both from 200 to 10000" },
    };

    [Theory]
    [MemberData(nameof(TrainCases))]
    public void Train_refuses_before_anything_is_written(string[] args, string expected)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run(["train", .. args, "--out", folder]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, Flat(output));
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void An_oversized_train_size_is_refused_from_the_file_headers()
    {
        string data = Directory.CreateTempSubdirectory().FullName;
        foreach (var (name, count) in new[] { ("train", 30), ("t10k", 10) })
        {
            IdxReader.Write(Path.Combine(data, $"{name}-images-idx3-ubyte"), new byte[count * 28 * 28], [count, 28, 28], gzip: false);
            IdxReader.Write(Path.Combine(data, $"{name}-labels-idx1-ubyte"), new byte[count], [count], gzip: false);
        }
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, output) = CliHarness.Run("train", "--dataset", "mnist", "--data-dir", data, "--val-size", "10", "--train-size", "100",
            "--batch-size", "10", "--out", folder);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--train-size 100 is more than the 20 training images of mnist (30 in the file minus 10 for --val-size)", Flat(output));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void An_empty_out_is_refused()
    {
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--out", "");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--out must name a folder (got '')", Flat(output));
        (code, output) = CliHarness.Run("sweep", "--dataset", "synthetic", "--out", "");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--out must name a folder (got '')", Flat(output));
    }

    [Theory]
    [InlineData(new[] { "sweep", "--dataset", "synthetic", "--hidden", "8", "--batch-size", "100,5000" }, "--batch-size 5000 is larger than the " +
        "training split (2000 images)")]
    [InlineData(new[] { "sweep", "--dataset", "synthetic", "--schedule", "step:1:0" }, "--schedule 'step:1:0': GAMMA must be positive")]
    [InlineData(new[] { "sweep", "--dataset", "synthetic", "--model", "vgg11" }, "--model vgg11 on synthetic: vgg11: needs 32x32 inputs")]
    [InlineData(new[] { "sweep", "--dataset", "synthetic", "--device", "cuda:1" }, "--device cuda:1: this build of libtorch has no CUDA support")]
    [InlineData(new[] { "experiment", "sgd-walk", "--dataset", "synthetic", "--model", "small-cnn", "--hidden", "4,4,4,4,4" }, "--model small-cnn " +
        "on synthetic: small-cnn: 5 max-pools")]
    [InlineData(new[] { "experiment", "lr-vs-batch", "--dataset", "synthetic", "--train-size", "40" }, "is larger than the training split (40 " +
        "images, from --train-size)")]
    [InlineData(new[] { "experiment", "sgd-walk", "--probe-size", "lots" }, "--probe-size must be a positive number of samples, 'full' or 'auto' (got 'lots')")]
    [InlineData(new[] { "experiment", "sgd-walk", "--hidden", "0" }, "--hidden must list positive layer widths, e.g. 500,350 (got '0')")]
    [InlineData(new[] { "experiment", "sgd-walk", "--compat", "theirs" }, "--compat must be none or authors (got 'theirs')")]
    public void Sweep_and_experiment_check_every_cell_before_anything_is_written(string[] args, string expected)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "sweep");
        var (code, output) = CliHarness.Run([.. args, "--out", folder]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, Flat(output));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void The_command_line_defaults_are_the_library_defaults()
    {
        // Spectre fills each option from its [DefaultValue] (what --help shows); the initialisers must agree with it ...
        foreach (var property in typeof(TrainSettings).GetProperties())
        {
            if (property.GetCustomAttribute<DefaultValueAttribute>() is not { } shown) continue;
            Assert.True(Equals(shown.Value, property.GetValue(new TrainSettings())), $"{property.Name}: --help shows {shown.Value}, the " +
                $"initialiser is {property.GetValue(new TrainSettings())}");
        }
        // ... and the options they map onto are exactly a default TrainOptions.
        var (options, errors) = OptionParsing.ToOptions(new TrainSettings());
        Assert.Empty(errors);
        Assert.Equal(JsonSerializer.Serialize(new TrainOptions(), RunManifest.Json), JsonSerializer.Serialize(options, RunManifest.Json));
    }

    /// <summary>Record schedules are parsed once, here at the command line, into the recorder's options; a bad one names its option.</summary>
    [Fact]
    public void Schedules_are_parsed_at_the_command_line_and_a_bad_one_names_its_option()
    {
        var (options, errors) = OptionParsing.ToOptions(new TrainSettings { Record = "every:7", Sharpness = "steps:0,3", Alignment = "every:5" });
        Assert.Empty(errors);
        var r = options.Recorder;
        Assert.Equal(("every:7", "steps:0,3", "every:5"), (r.Record.Text, r.Sharpness.Schedule.Text, r.Alignment.Schedule.Text));
        foreach (var (settings, option) in new[]
        {
            (new TrainSettings { Record = "sometimes" }, "--record"),
            (new TrainSettings { Sharpness = "often" }, "--sharpness"),
            (new TrainSettings { Alignment = "every:x" }, "--alignment"),
        })
            Assert.Contains(OptionParsing.ToOptions(settings).Errors, e => e.StartsWith(option + ": record schedule", StringComparison.Ordinal));
    }

    [Fact]
    public void Help_still_shows_the_defaults()
    {
        var (_, output) = CliHarness.Run("train", "--help");
        foreach (var text in new[] { "--top-k", "--eigen-iterations", "20", "lanczos", "batch-stats", "steps:0-49+every:10", "1111" })
            Assert.Contains(text, output);
    }

    private static string Flat(string output) => output.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal);
}
