using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk claims`: the scale, the seeds, the model and data the claims are tested on, and where the runs go.</summary>
public sealed class ClaimsSettings : ScaleOutSettings
{
    [CommandOption("--seeds <N>"),
     Description("Seeds per setting (the base seed and the next N−1; default 12, with --quick 10); a verdict needs at least 10; rerunning a claims folder with more seeds extends it.")]
    public int? Seeds { get; init; }

    [CommandOption("--quick"),
     Description("The CPU design on 2,000 images with a 250-image probe view, profiles every 2 steps and 10 seeds: minutes, not an hour; the tests it cannot power say so before it starts.")]
    public bool Quick { get; init; }

    [CommandOption("--horizon <EPOCHS>"),
     Description("Epochs of the horizon runs that test claims 1, 2, 5 and 6a in an early, middle and late epoch (default 20 at CPU scale, 0 with --quick or --scale paper; 0 turns them off).")]
    public int? Horizon { get; init; }

    [CommandOption("--lr <RATE>"), Description("The base learning rate (the plan also runs half, double and 4x it); default 0.1.")]
    public double? LearningRate { get; init; }

    [CommandOption("--batch-size <N>"), Description("The base batch size (the plan also runs a quarter and 4x it); default 100.")]
    public int? BatchSize { get; init; }

    [CommandOption("--out <DIR>"), Description("Claims folder (default runs/claims-<dataset>-<model>); rerunning resumes it.")]
    public string? Out { get; init; }

    [CommandOption("--yes"), Description("Run a plan estimated to take more than a day on this machine anyway.")]
    public bool Yes { get; init; }
}
