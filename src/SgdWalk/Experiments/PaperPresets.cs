using SgdWalk.Probes;
using SgdWalk.Sweeps;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>
/// The paper's experiments (../shared/paper-digest.md "Set-up"). Paper scale follows the authors: CIFAR-10 (45k train,
/// 5k validation), VGG-11 with BatchNorm, plain SGD, weight decay 1e-4, batch 100, seed 1111, chunks of 100.
/// CPU scale keeps each design but uses a Fashion-MNIST subset and the MLP, so a preset finishes in minutes on two cores.
/// </summary>
public static class PaperPresets
{
    public static IReadOnlyList<Experiment> All { get; } =
    [
        new("sgd-walk", "SGD's walk: segment profiles of consecutive steps, heights, cosines, distance (the walk figure)",
            "VGG-11 on CIFAR-10, lr 0.1, batch 100, 100 epochs, profiles at epochs 1, 10, 25, 100", SgdWalk),
        new("gd-walk", "full-batch gradient descent by accumulation over chunks; --compat authors sums the chunk means (their 9x step)",
            "VGG-11 on CIFAR-10, the 45k set as 9 chunks of 5,000, one step per epoch", GdWalk),
        new("isotropic-noise", "GD plus isotropic Gaussian noise, std = 0.02 x the largest per-coordinate chunk-gradient variance at init",
            "as gd-walk, with the authors' noise", IsotropicNoise),
        new("lr-vs-batch", "grid of learning rate x batch size: height by LR, distance from init by batch, equal LR/batch ratios marked",
            "VGG-11 on CIFAR-10, lr 0.05..0.4 x batch 50..400, 100 epochs", LrVersusBatch),
        new("lr-schedules", "constant, step, cyclic and trapezoid learning-rate schedules side by side",
            "VGG-11 on CIFAR-10, 100 epochs, the authors' trapezoid, cyclic and step annealing", LrSchedules),
    ];

    /// <summary>The authors' settings: CIFAR-10, VGG-11, SGD without momentum, weight decay 1e-4, batch 100, seed 1111.</summary>
    public static TrainOptions PaperBase { get; } = new()
    {
        Dataset = "cifar10", Model = "vgg11", LearningRate = 0.1, BatchSize = 100, ChunkSize = 100, WeightDecay = 1e-4,
        Epochs = 100, Seed = 1111, ProbeSize = 5000, Recorder = new() { Record = RecordSchedule.Parse("epochs:1,10,25,100") },
    };

    /// <summary>CPU scale: 10,000 Fashion-MNIST training images, the authors' MNIST MLP, a 1,000-sample probe view.</summary>
    public static TrainOptions CpuBase { get; } = new()
    {
        Dataset = "fashion-mnist", Model = "mlp", LearningRate = 0.1, BatchSize = 100, WeightDecay = 1e-4,
        TrainSize = 10_000, Epochs = 2, Seed = 1111, ProbeSize = 1000, Recorder = new() { Record = RecordSchedule.Parse("steps:0-49+every:10") },
    };

    /// <summary>The options with profiles recorded on these steps.</summary>
    private static TrainOptions Recording(TrainOptions options, string steps) =>
        options with { Recorder = options.Recorder with { Record = RecordSchedule.Parse(steps) } };

    private static TrainOptions Base(ExperimentRequest r) => r.Scale == ExperimentScale.Paper ? PaperBase : CpuBase;

    private static SweepPlan Single(string experiment, string name, TrainOptions options) =>
        new([new SweepCell(0, name, options)], new Dictionary<string, IReadOnlyList<string>>(), experiment);

    private static SweepPlan SgdWalk(ExperimentRequest r) => Single("sgd-walk", "sgd", Base(r));

    /// <summary>
    /// One step per epoch on the whole training split, accumulated over chunks (paper: 9 × 5,000; CPU: 9 × 500 of a
    /// 4,500-image subset, so the authors' quirk is the same 9×). The mean gradient unless --compat authors.
    /// </summary>
    private static TrainOptions Gd(ExperimentRequest r) => r.Scale == ExperimentScale.Paper
        ? Recording(PaperBase, "steps:0-49+every:10") with { BatchSize = 45_000, ChunkSize = 5_000, Epochs = 200, SumChunkGradients = r.Compat == CompatMode.Authors }
        : Recording(CpuBase, "all") with { TrainSize = 4_500, BatchSize = 4_500, ChunkSize = 500, Epochs = 60, SumChunkGradients = r.Compat == CompatMode.Authors };

    private static SweepPlan GdWalk(ExperimentRequest r) => Single("gd-walk", "gd", Gd(r));

    private static SweepPlan IsotropicNoise(ExperimentRequest r) => Single("isotropic-noise", "gd-noise", Gd(r) with { IsotropicNoise = 0.02 });

    private static SweepPlan LrVersusBatch(ExperimentRequest r) => r.Scale == ExperimentScale.Paper
        ? SweepPlan.Grid(PaperBase, [0.05, 0.1, 0.2, 0.4], [50, 100, 400], [1111], "lr-vs-batch")
        : SweepPlan.Grid(Recording(CpuBase, "steps:0-19+every:25") with { Epochs = 3 }, [0.02, 0.05, 0.1, 0.2], [25, 100, 400], [1111], "lr-vs-batch");

    /// <summary>
    /// The early version's comparison. Paper scale: trapezoid (warm-up from 0.1 over 10 epochs, plateau at 1.0, decay to
    /// 0.01 over the last 40), cyclic 0.01↔1.0 with a 20-epoch period, step annealing from 0.5 halving at 25, 50, 75
    /// (their 0.5→0.25→0.05 is not a single factor; halving is our approximation), and constant 0.1. CPU scale: the
    /// same shapes compressed into 6 epochs.
    /// </summary>
    private static SweepPlan LrSchedules(ExperimentRequest r)
    {
        bool paper = r.Scale == ExperimentScale.Paper;
        var shared = paper ? PaperBase : Recording(CpuBase, "steps:0-19+every:50") with { Epochs = 6 };
        (string Name, double Lr, string Schedule)[] schedules = paper
            ? [("constant", 0.1, "constant"), ("step", 0.5, "step:25,50,75:0.5"), ("cyclic", 1.0, "cyclic:0.01:1:20"), ("trapezoid", 1.0, "trapezoid:10:40")]
            : [("constant", 0.1, "constant"), ("step", 0.2, "step:2,4:0.5"), ("cyclic", 0.2, "cyclic:0.05:1:2"), ("trapezoid", 0.2, "trapezoid:1:3")];
        var cells = schedules.Select((s, i) => new SweepCell(i, s.Name, shared with { LearningRate = s.Lr, Schedule = s.Schedule })).ToList();
        return new SweepPlan(cells, new Dictionary<string, IReadOnlyList<string>> { ["schedule"] = schedules.Select(s => s.Schedule).ToList() }, "lr-schedules");
    }
}
