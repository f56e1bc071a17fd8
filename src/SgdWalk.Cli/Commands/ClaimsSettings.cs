using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk claims`: the scale, the seeds, the model and data the claims are tested on, and where the runs go.</summary>
public sealed class ClaimsSettings : ScaleOutSettings
{
    [CommandOption("--seeds <N>"), DefaultValue(Records.Claims.ClaimTest.DefaultSeeds),
     Description("Seeds per setting (the base seed and the next N−1); a verdict needs at least 10; rerunning a claims folder with more seeds extends it.")]
    public int Seeds { get; init; } = Records.Claims.ClaimTest.DefaultSeeds;

    [CommandOption("--lr <RATE>"), Description("The base learning rate (the plan also runs half, double and 4x it); default 0.1.")]
    public double? LearningRate { get; init; }

    [CommandOption("--batch-size <N>"), Description("The base batch size (the plan also runs a quarter and 4x it); default 100.")]
    public int? BatchSize { get; init; }

    [CommandOption("--out <DIR>"), Description("Claims folder (default runs/claims-<dataset>-<model>); rerunning resumes it.")]
    public string? Out { get; init; }

    [CommandOption("--yes"), Description("Run a plan estimated to take more than a day on this machine anyway.")]
    public bool Yes { get; init; }
}
