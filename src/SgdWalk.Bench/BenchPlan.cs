namespace SgdWalk.Bench;

/// <summary>
/// Every size and count of one `sgdwalk bench` invocation, fixed before anything runs. The defaults are the
/// workloads the targets are stated for (and of the PyTorch reference's contract); <see cref="Quick"/> shrinks them to a smoke test.
/// </summary>
public sealed record BenchPlan
{
    public static readonly IReadOnlyList<string> KnownModels = ["mlp", "small-cnn"];

    public IReadOnlyList<string> Models { get; init; } = KnownModels;
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];
    public int Repeats { get; init; } = 7;
    public long Seed { get; init; } = 1111;
    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    public bool Quick { get; init; }

    /// <summary>α = 0, 0.1, …, 1: the default walk's grid.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
    /// <summary>The probe view: the first this many training samples.</summary>
    public int ProbeCount { get; init; } = 5000;
    /// <summary>BatchNorm batch-stats chunks, as the default walk evaluates (the training batch size).</summary>
    public int ProbeChunk { get; init; } = 100;
    public int TrainBatch { get; init; } = 100;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>Plain SGD steps from the seeded initialisation before the profiled segment (a realistic, trained point).</summary>
    public int WarmupSteps { get; init; } = 20;
    /// <summary>Individually timed training steps whose median is train_step_ms.</summary>
    public int TimedTrainSteps { get; init; } = 100;
    public int HvpSamples { get; init; } = 1000;
    public int HvpChunk { get; init; } = 100;
    public int MatmulSize { get; init; } = 2000;

    public int PresetRounds { get; init; } = 5;
    public int PaperRounds { get; init; } = 1;
    /// <summary>Overrides the per-model preset run length (<see cref="PresetSteps(string)"/>).</summary>
    public int? PresetStepsOverride { get; init; }

    /// <summary>
    /// Steps of a none/cheap preset run: enough that per-step medians resolve a few per cent. small-cnn steps are
    /// ~10× dearer, so fewer.
    /// </summary>
    public int PresetSteps(string model) => PresetStepsOverride ?? (Quick ? 6 : model == "mlp" ? 300 : 100);

    /// <summary>
    /// Steps of a paper preset run. The default record schedule (steps:0-49+every:10) records every one of the first
    /// 50 steps, and a small-cnn recorded step costs seconds, so small-cnn's paper run is short (every step recorded).
    /// </summary>
    public int PaperSteps(string model) => PresetStepsOverride ?? (Quick ? 2 : model == "mlp" ? 300 : 10);

    /// <summary>The smoke configuration the tests use: tiny views, few steps, two repeats.</summary>
    public static BenchPlan QuickPlan(BenchPlan plan) => plan with
    {
        Quick = true,
        ProbeCount = 200,
        WarmupSteps = 3,
        TimedTrainSteps = 5,
        HvpSamples = 100,
        MatmulSize = 256,
    };
}
