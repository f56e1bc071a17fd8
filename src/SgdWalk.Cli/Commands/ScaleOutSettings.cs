using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// The options that override a preset plan (`experiment NAME`, `claims`): data, model, length and probe size,
/// declared once. Null = the plan's own value.
/// </summary>
public abstract class PlanOverrideSettings : ReportSettings
{
    [CommandOption("--scale <SCALE>"), DefaultValue("cpu"), Description("cpu: the design on Fashion-MNIST, minutes; paper: the authors' " +
        "models, data (CIFAR-10 via --data-dir) and settings.")]
    public string Scale { get; init; } = "cpu";

    [CommandOption("--dataset <NAME>"), Description("Override the plan's dataset (fashion-mnist, mnist, cifar10, synthetic, npz:PATH).")]
    public string? Dataset { get; init; }

    [CommandOption("--data-dir <DIR>"), Description("The dataset's folder (paper scale: CIFAR-10's binary version).")]
    public string? DataDir { get; init; }

    [CommandOption("--model <NAME>"), Description("Override the plan's model (a zoo name, or torchscript:PATH; the plan's --hidden then no longer applies).")]
    public string? Model { get; init; }

    [CommandOption("--hidden <WIDTHS>"), Description("Override the model's layer widths.")]
    public string? Hidden { get; init; }

    [CommandOption("--epochs <N>"), Description("Override the number of epochs of every run.")]
    public int? Epochs { get; init; }

    [CommandOption("--train-size <N>"), Description("Override the number of training images.")]
    public int? TrainSize { get; init; }

    [CommandOption("--probe-size <N|full|auto>"), Description("Override the probe view's size: N or full (experiment also takes auto: chosen on a pilot for a 10 % height error; claims needs one view for every run).")]
    public string? ProbeSize { get; init; }

    [CommandOption("--record <SCHEDULE>"), Description("Override which steps get segment profiles.")]
    public string? Record { get; init; }

    [CommandOption("--seed <N>"), Description("Override the (first) seed.")]
    public long? Seed { get; init; }

    [CommandOption("--threads <N>"), Description("Torch threads per run.")]
    public int? Threads { get; init; }
}

/// <summary>
/// How a plan of runs (a sweep's cells, an experiment's or the claims' runs) is split and run: --shard, --emit,
/// --shards, --jobs and the internal --cell / --worker, declared once here for `experiment` and `claims` (after their plan overrides). `sweep`
/// inherits the run options instead (C# has one base class), so it declares the same properties with these same texts
/// (<see cref="ScaleOutText"/>); <see cref="ISweepOutput"/> is what the scale-out code reads from all three.
/// </summary>
public abstract class ScaleOutSettings : PlanOverrideSettings, ISweepOutput
{
    [CommandOption("--shard <I/N>"), Description(ScaleOutText.Shard)]
    public string? Shard { get; init; }

    [CommandOption("--emit <SCHEDULER>"), Description(ScaleOutText.Emit)]
    public string? Emit { get; init; }

    [CommandOption("--shards <N>"), Description(ScaleOutText.Shards)]
    public int? Shards { get; init; }

    [CommandOption("--jobs <N>"), DefaultValue(1), Description(ScaleOutText.Jobs)]
    public int Jobs { get; init; } = 1;

    [CommandOption("--cell <NAME>", IsHidden = true), Description(ScaleOutText.Cell)]
    public string? Cell { get; init; }

    [CommandOption("--worker", IsHidden = true), Description(ScaleOutText.Worker)]
    public bool Worker { get; init; }

    [CommandOption("--no-report"), Description(ScaleOutText.NoReport)]
    public bool NoReport { get; init; }
}

/// <summary>The scale-out options' help texts, one copy for every verb that has them.</summary>
public static class ScaleOutText
{
    public const string Shard = "Run only shard I of N of the plan's runs: those whose index % N == I-1 (machines sharing the folder split a plan).";
    public const string Emit = "Write a job script instead of running: 'slurm' (an array job, one task per shard, then a report job).";
    public const string Shards = "Array tasks for --emit (default: one per run).";
    public const string Jobs = "Runs at once, in that many worker processes with the cores split between them; each worker loads the data once " +
        "and takes run after run (default 1: one after another, in this process).";
    public const string Cell = "Internal: run only this run, for a parent `--jobs` process.";
    public const string Worker = "Internal: run the runs named on standard input one after another, for a parent `--jobs` process.";
    public const string NoReport = "Do not draw the figures and report.html at the end (`sgdwalk report` can later).";
}
