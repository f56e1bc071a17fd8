using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>The `sgdwalk bench` options (docs/benchmarks.md). Lists are comma-separated; --quick shrinks every size.</summary>
public sealed class BenchSettings : CommandSettings
{
    [CommandOption("--models <LIST>"), DefaultValue("mlp,small-cnn"), Description("Models to measure: mlp, small-cnn.")]
    public string Models { get; init; } = "mlp,small-cnn";

    [CommandOption("--threads <LIST>"), DefaultValue("1,2"), Description("Torch thread counts, switched in-process with torch.set_num_threads.")]
    public string Threads { get; init; } = "1,2";

    [CommandOption("--repeats <N>"), Description("Timed repetitions per workload; the median is reported (default 7, with --quick 2).")]
    public int? Repeats { get; init; }

    [CommandOption("--preset-rounds <N>"), Description("Interleaved rounds of the probe-preset runs (none, cheap, ...); factors are medians over " +
        "rounds (default 5, with --quick 1).")]
    public int? PresetRounds { get; init; }

    [CommandOption("--paper-rounds <N>"), DefaultValue(1), Description("How many of those rounds also run the paper preset (the first ones); 0 = skip it.")]
    public int PaperRounds { get; init; } = 1;

    [CommandOption("--preset-steps <N>"), Description("Training steps of every preset run (default mlp 300, small-cnn 100; paper on small-cnn 10).")]
    public int? PresetSteps { get; init; }

    [CommandOption("--dataset <NAME>"), DefaultValue("fashion-mnist"), Description("fashion-mnist (the benchmark's data), mnist or synthetic (smoke tests).")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption("--data-dir <DIR>"), Description("Dataset directory; else $SGDWALK_DATA; else /usr/share/datasets/fashion-mnist.")]
    public string? DataDir { get; init; }

    [CommandOption("--seed <N>"), DefaultValue(1111L), Description("Seed of the initialisation, the warm-up batches and the HVP direction.")]
    public long Seed { get; init; } = 1111;

    [CommandOption("--out <DIR>"), Description("Output folder for bench.json, bench.csv, bench.md and the exchange folders (default runs/bench-<UTC timestamp>).")]
    public string? Out { get; init; }

    [CommandOption("--no-reference"), Description("Do not run the PyTorch reference (bench/reference/pytorch_bench.py).")]
    public bool NoReference { get; init; }

    [CommandOption("--reference-dir <PATH>"), Description("The folder holding pytorch_bench.py and ensure-reference.sh (default: bench/reference of this repository).")]
    public string? ReferenceDir { get; init; }

    [CommandOption("--quick"), Description("A tiny smoke configuration (small probe, few steps and repeats); its numbers mean nothing.")]
    public bool Quick { get; init; }
}
