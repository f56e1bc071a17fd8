using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk experiment NAME`: a preset, its scale, and overrides applied to every run of it.</summary>
public sealed class ExperimentSettings : ReportSettings, ISweepOutput
{
    [CommandArgument(0, "<NAME>"), Description("The experiment (`sgdwalk list`): sgd-walk, gd-walk, isotropic-noise, lr-vs-batch, lr-schedules.")]
    public string Name { get; init; } = "";

    [CommandOption("--scale <SCALE>"), DefaultValue("cpu"), Description("cpu: the same design on Fashion-MNIST, minutes; paper: the authors' " +
        "models, data (CIFAR-10 via --data-dir) and settings.")]
    public string Scale { get; init; } = "cpu";

    [CommandOption("--compat <MODE>"), DefaultValue("none"), Description("'authors': the authors' conventions (for gd-walk also their summed chunk " +
        "gradients, a 9x step).")]
    public string Compat { get; init; } = "none";

    [CommandOption("--dataset <NAME>"), Description("Override the preset's dataset (fashion-mnist, mnist, cifar10, synthetic, npz:PATH).")]
    public string? Dataset { get; init; }

    [CommandOption("--data-dir <DIR>"), Description("The dataset's folder (paper scale: CIFAR-10's binary version).")]
    public string? DataDir { get; init; }

    [CommandOption("--model <NAME>"), Description("Override the preset's model (a zoo name, or torchscript:PATH; the preset's --hidden then no longer applies).")]
    public string? Model { get; init; }

    [CommandOption("--hidden <WIDTHS>"), Description("Override the model's layer widths.")]
    public string? Hidden { get; init; }

    [CommandOption("--epochs <N>"), Description("Override the number of epochs.")]
    public int? Epochs { get; init; }

    [CommandOption("--steps <N>"), Description("Stop every run after N steps.")]
    public int? Steps { get; init; }

    [CommandOption("--train-size <N>"), Description("Override the number of training images.")]
    public int? TrainSize { get; init; }

    [CommandOption("--probe-size <N|full|auto>"), Description("Override the probe view's size (auto: chosen on a pilot for a 10 % height error).")]
    public string? ProbeSize { get; init; }

    [CommandOption("--record <SCHEDULE>"), Description("Override which steps get segment profiles.")]
    public string? Record { get; init; }

    [CommandOption("--probes <PRESET>"), Description("Override the probe preset (none, cheap, paper).")]
    public string? Probes { get; init; }

    [CommandOption("--seed <N>"), Description("Override the seed of every run.")]
    public long? Seed { get; init; }

    [CommandOption("--threads <N>"), Description("Torch threads per run.")]
    public int? Threads { get; init; }

    [CommandOption("--out <DIR>"), Description("Experiment folder (default runs/<name>[[-paper]]); rerunning resumes it.")]
    public string? Out { get; init; }

    [CommandOption("--shard <I/N>"), Description("Run only shard I of N of the experiment's runs.")]
    public string? Shard { get; init; }

    [CommandOption("--emit <SCHEDULER>"), Description("Write a Slurm array job instead of running ('slurm').")]
    public string? Emit { get; init; }

    [CommandOption("--shards <N>"), Description("Array tasks for --emit (default: one per run).")]
    public int? Shards { get; init; }

    [CommandOption("--jobs <N>"), DefaultValue(1), Description("Runs at once, in that many worker processes with the cores split between them; each worker loads the data once and takes run after run (default 1: one after another, in this process).")]
    public int Jobs { get; init; } = 1;

    [CommandOption("--cell <NAME>", IsHidden = true), Description("Internal: run only this run, for a parent `--jobs` process.")]
    public string? Cell { get; init; }

    [CommandOption("--worker", IsHidden = true), Description("Internal: run the runs named on standard input one after another, for a parent `--jobs` process.")]
    public bool Worker { get; init; }

    [CommandOption("--no-report"), Description("Do not draw the report at the end.")]
    public bool NoReport { get; init; }
}
