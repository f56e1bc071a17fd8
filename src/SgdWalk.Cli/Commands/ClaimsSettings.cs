using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk claims`: the scale, the seeds, the model and data the claims are tested on, and where the runs go.</summary>
public sealed class ClaimsSettings : ReportSettings, ISweepOutput
{
    [CommandOption("--scale <SCALE>"), DefaultValue("cpu"), Description("cpu: the paper's mlp on 10,000 Fashion-MNIST images, 2 epochs (minutes); " +
        "paper: the authors' CIFAR-10 / VGG-11 protocol (days here: prints the estimate; run with --emit slurm, or --yes).")]
    public string Scale { get; init; } = "cpu";

    [CommandOption("--seeds <N>"), DefaultValue(Records.Claims.ClaimTest.DefaultSeeds),
     Description("Seeds per setting (the base seed and the next N−1); a verdict needs at least 10; rerunning a claims folder with more seeds extends it.")]
    public int Seeds { get; init; } = Records.Claims.ClaimTest.DefaultSeeds;

    [CommandOption("--dataset <NAME>"), Description("Override the dataset (fashion-mnist, mnist, cifar10, synthetic).")]
    public string? Dataset { get; init; }

    [CommandOption("--data-dir <DIR>"), Description("The dataset's folder (paper scale: CIFAR-10's binary version).")]
    public string? DataDir { get; init; }

    [CommandOption("--model <NAME>"), Description("Override the model (mlp, small-cnn, vgg11, resnet20, ...).")]
    public string? Model { get; init; }

    [CommandOption("--hidden <WIDTHS>"), Description("Override the model's layer widths.")]
    public string? Hidden { get; init; }

    [CommandOption("--lr <RATE>"), Description("The base learning rate (the plan also runs half, double and 4x it); default 0.1.")]
    public double? LearningRate { get; init; }

    [CommandOption("--batch-size <N>"), Description("The base batch size (the plan also runs a quarter and 4x it); default 100.")]
    public int? BatchSize { get; init; }

    [CommandOption("--epochs <N>"), Description("Epochs of every run (at least 2: the tests read the steps after the first epoch).")]
    public int? Epochs { get; init; }

    [CommandOption("--train-size <N>"), Description("Training images (cpu default 10000).")]
    public int? TrainSize { get; init; }

    [CommandOption("--probe-size <N|full>"), Description("The probe view's size (cpu default 500).")]
    public string? ProbeSize { get; init; }

    [CommandOption("--record <SCHEDULE>"), Description("Steps profiled in the base-batch runs (default every:10).")]
    public string? Record { get; init; }

    [CommandOption("--seed <N>"), Description("The first seed (default 1111).")]
    public long? Seed { get; init; }

    [CommandOption("--threads <N>"), Description("Torch threads per run.")]
    public int? Threads { get; init; }

    [CommandOption("--out <DIR>"), Description("Claims folder (default runs/claims-<dataset>-<model>); rerunning resumes it.")]
    public string? Out { get; init; }

    [CommandOption("--shard <I/N>"), Description("Run only shard I of N of the plan's runs.")]
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

    [CommandOption("--yes"), Description("Run a plan estimated to take more than a day on this machine anyway.")]
    public bool Yes { get; init; }

    [CommandOption("--no-report"), Description("No figures or report.html (claims.json and claims.md are still written).")]
    public bool NoReport { get; init; }
}
