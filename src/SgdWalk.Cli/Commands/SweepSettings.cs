using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk sweep`: every run option, with lists for the grid's axes, plus the sweep folder and scaling out.</summary>
public sealed class SweepSettings : RunSettings, ISweepOutput
{
    [CommandOption("--lr <RATES>"), DefaultValue("0.1"), Description("Learning rates of the grid, comma-separated, e.g. 0.02,0.05,0.1,0.2.")]
    public string LearningRates { get; init; } = "0.1";

    [CommandOption("--batch-size <SIZES>"), DefaultValue("100"), Description("Batch sizes of the grid, comma-separated, e.g. 25,100,400.")]
    public string BatchSizes { get; init; } = "100";

    [CommandOption("--seeds <SEEDS>"), DefaultValue("1111"), Description("Seeds of the grid, comma-separated; cells with one seed share initialisation and data order.")]
    public string Seeds { get; init; } = "1111";

    [CommandOption("--out <DIR>"), Description("Sweep folder, one run folder per cell (default runs/sweep-<dataset>-<model>). Rerunning resumes it.")]
    public string? Out { get; init; }

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
}

/// <summary>Where a sweep goes and how it is split; shared by `sweep` and `experiment`.</summary>
public interface ISweepOutput
{
    string? Shard { get; }

    string? Emit { get; }

    int? Shards { get; }

    /// <summary>Cells run at once in child processes (1: one after another, in this process).</summary>
    int Jobs { get; }

    /// <summary>Set only in a child of a `--jobs` run: the one cell it runs, reporting progress as lines (<see cref="ParallelCells"/>).</summary>
    string? Cell { get; }

    /// <summary>Set only in a warm worker of a `--jobs` run: runs the cells its parent names on standard input, one after another (<see cref="ParallelCells"/>).</summary>
    bool Worker { get; }

    bool NoReport { get; }
}
