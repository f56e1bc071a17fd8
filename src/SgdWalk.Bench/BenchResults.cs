using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Reference;
using SgdWalk.Bench.Workloads;
using SgdWalk.Platform;
using SgdWalk.Training;

namespace SgdWalk.Bench;

/// <summary>
/// One timed workload of one model × threads: our median (and spread), the FLOPs it does, the rate that gives as a
/// share of the machine's matmul rate, its peak memory, and the PyTorch reference's time when there is one.
/// </summary>
public sealed record WorkloadResult(string Workload, string Description, Timings Timings, double Flops, double MatmulGflops, double PeakMb, double StartMb)
{
    public double? ReferenceMs { get; init; }

    public double Gflops => Flops / (Timings.Median * 1e6);

    public double MatmulFraction => Gflops / MatmulGflops;

    /// <summary>SgdWalk ÷ PyTorch time: below 1 we are faster.</summary>
    public double? Ratio => ReferenceMs is { } reference ? Timings.Median / reference : null;
}

/// <summary>How our numbers agree with the reference's on the same segment, direction and data.</summary>
/// <param name="MaxLossDifference">max over α of |our loss − PyTorch's| (our loss from the fast profile).</param>
/// <param name="MaxLossRelativeDifference">the same, relative to PyTorch's loss.</param>
/// <param name="HvpNormRelativeDifference">|‖Hv‖ ours − ‖Hv‖ PyTorch| / ‖Hv‖ PyTorch.</param>
/// <param name="HvpDotRelativeDifference">|v·Hv ours − v·Hv PyTorch| / |v·Hv PyTorch|.</param>
public sealed record ReferenceChecks(double MaxLossDifference, double MaxLossRelativeDifference, double HvpNormRelativeDifference, double HvpDotRelativeDifference)
{
    public static ReferenceChecks Compare(IReadOnlyList<double> losses, double hvpNorm, double hvpDot, ReferenceResult reference)
    {
        if (reference.ProfileLosses.Count != losses.Count)
            throw new FormatException($"the PyTorch reference returned {reference.ProfileLosses.Count} profile losses for {losses.Count} alphas");
        var differences = losses.Zip(reference.ProfileLosses, (ours, theirs) => (Absolute: Math.Abs(ours - theirs),
            Relative: Math.Abs(ours - theirs) / Math.Abs(theirs))).ToArray();
        return new ReferenceChecks(differences.Max(d => d.Absolute), differences.Max(d => d.Relative),
            Math.Abs(hvpNorm - reference.HvpNorm) / Math.Abs(reference.HvpNorm), Math.Abs(hvpDot - reference.HvpDot) / Math.Abs(reference.HvpDot));
    }
}

/// <summary>Everything measured for one model at one thread count.</summary>
public sealed record BlockResult
{
    public required string Model { get; init; }
    public required int Threads { get; init; }
    public required FlopCount FlopsPerSample { get; init; }
    /// <summary>The machine's dense matmul rate at this thread count, measured in this block.</summary>
    public double MatmulGflops { get; set; } = double.NaN;
    public List<WorkloadResult> Workloads { get; } = [];
    public IReadOnlyList<double> ProfileLosses { get; set; } = [];
    public double HvpNorm { get; set; } = double.NaN;
    public double HvpDot { get; set; } = double.NaN;
    public string? ExchangeFolder { get; set; }
    public ReferenceResult? Reference { get; set; }
    public string? ReferenceProblem { get; set; }
    public ReferenceChecks? Checks { get; set; }
    public List<PresetResult> Presets { get; } = [];
    /// <summary>Cores kept busy by other processes during this block, on average (see <see cref="OtherLoad"/>); ≈ 0 means a quiet machine.</summary>
    public double OtherLoadCores { get; set; } = double.NaN;
    /// <summary>The default walk's peak memory in its own process (measured in the model's first block only).</summary>
    public DefaultRunPeak? DefaultRun { get; set; }

    public WorkloadResult? this[string workload] => Workloads.FirstOrDefault(w => w.Workload == workload);

    public double StepsPerSecond => this["train_step"] is { } t ? 1000 / t.Timings.Median : double.NaN;

    /// <summary>One recorded step of the default walk (batch + probe profiles) in plain training steps; the target is ≤ 60 for the mlp.</summary>
    public double RecordedStepInTrainSteps =>
        this["recorded_step"] is { } r && this["train_step"] is { } t ? r.Timings.Median / t.Timings.Median : double.NaN;

    /// <summary>The same when the previous step was recorded too (the probe view's profile starts from its end); the target is ≤ 55 for the mlp.</summary>
    public double ConsecutiveRecordedStepInTrainSteps =>
        this["recorded_step_consecutive"] is { } r && this["train_step"] is { } t ? r.Timings.Median / t.Timings.Median : double.NaN;

    /// <summary>The same with `--alphas adaptive` on both views; the target is ≤ 35 for the mlp.</summary>
    public double AdaptiveRecordedStepInTrainSteps =>
        this["recorded_step_adaptive"] is { } r && this["train_step"] is { } t ? r.Timings.Median / t.Timings.Median : double.NaN;
}

/// <summary>bench.json: the invocation, the machine, and every block's results.</summary>
public sealed record BenchResult
{
    public const string Completed = "completed", Interrupted = "interrupted", Failed = "failed";

    /// <summary>A result about to be filled: the plan, the command line, the machine and the software versions.</summary>
    public static BenchResult Start(BenchPlan plan, IReadOnlyList<string> command) => new()
    {
        Plan = plan,
        StartedUtc = DateTimeOffset.UtcNow,
        Command = command,
        Machine = MachineInfo.Describe(),
        Versions = RunEnvironment.Versions(),
    };

    public string Tool { get; init; } = "sgdwalk bench";
    public required BenchPlan Plan { get; init; }
    public required DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>completed, interrupted or failed (with <see cref="Message"/>).</summary>
    public string Status { get; set; } = "running";
    public string? Message { get; set; }
    public required IReadOnlyList<string> Command { get; init; }
    public required Dictionary<string, string> Machine { get; init; }
    public required Dictionary<string, string> Versions { get; init; }
    public string FlopConvention { get; init; } = FlopCount.Convention;
    public string MemoryMethod { get; set; } = "";
    /// <summary>ran, disabled (--no-reference), missing or partly (failed for some blocks; see <see cref="ReferenceProblem"/>).</summary>
    public string Reference { get; set; } = "disabled";
    public string? ReferenceProblem { get; set; }
    public string? ReferenceDirectory { get; set; }
    public List<BlockResult> Results { get; } = [];
}
