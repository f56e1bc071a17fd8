using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Sweeps;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>
/// Two curvature experiments as ready-made options. `edge-of-stability` (Cohen et al. 2021): full-batch gradient
/// descent on a 5,000-image subset with a small MLP without BatchNorm and a constant rate; λ_max of the training loss
/// rises until it reaches 2/η and then hovers there. `edge-of-stochastic-stability` (Andreyev &amp; Beneventano): the same
/// network under mini-batch SGD, where batch sharpness settles near 2/η while λ_max stays below it.
/// Scale `cpu` finishes in minutes on two cores; `paper` runs longer with the authors' widths.
/// </summary>
public static class CurvaturePresets
{
    public static IReadOnlyList<(string Name, string Description)> Known { get; } =
    [
        ("edge-of-stability", "full-batch GD, mlp without BN on 5k images, lr 0.5: lambda_max rises to 2/lr = 4"),
        ("edge-of-stochastic-stability", "SGD batch 50 on the same set, lr 0.1: batch sharpness rises towards 2/lr (to about half of it in the 1,500 CPU-scale steps)"),
    ];

    /// <summary>The presets as catalog entries (one run each, through the sweep runner like every experiment).</summary>
    public static IReadOnlyList<Experiment> All { get; } = Known.Select(k => new Experiment(k.Name, k.Description,
        "the same design with the authors' MLP widths (500-350) and longer runs",
        r => new SweepPlan([new SweepCell(0, k.Name, Create(k.Name, r.Scale == ExperimentScale.Paper ? "paper" : "cpu"))],
            new Dictionary<string, IReadOnlyList<string>>(), k.Name))).ToList();

    public static TrainOptions Create(string name, string scale = "cpu")
    {
        if (scale is not ("cpu" or "paper")) throw new ArgumentException($"--scale must be cpu or paper (got '{scale}')");
        bool paper = scale == "paper";
        var common = new TrainOptions
        {
            Model = "mlp",
            Hidden = paper ? [500, 350] : [200, 200],
            ModelBatchNorm = false,
            TrainSize = 5000,
            ProbeSize = null, // the probe view is the whole 5k training set: λ_max of the loss being minimised
            LearningRate = 0.1,
            WeightDecay = 0,
            Recorder = new()
            {
                Probes = ProbePreset.Paper,
                BatchNorm = BatchNormPolicy.BatchStats,
                Sharpness = new() { Eigen = EigenMethod.Lanczos, EigenIterations = 20, TraceSamples = 0 },
            },
        };
        return name switch
        {
            // A large rate puts 2/η = 4 within reach of progressive sharpening in a few hundred steps (λ_max ≈ 0.9 at init).
            "edge-of-stability" => common with
            {
                LearningRate = 0.5,
                BatchSize = 5000,
                ChunkSize = 1000,
                Steps = paper ? 2000 : 300,
                Recorder = common.Recorder with
                {
                    Record = RecordSchedule.Parse("every:20"),
                    Sharpness = common.Recorder.Sharpness with { Schedule = RecordSchedule.Parse("every:10"), BatchSharpnessBatches = 0 },
                },
            },
            "edge-of-stochastic-stability" => common with
            {
                BatchSize = 50,
                Steps = paper ? 6000 : 1500,
                Recorder = common.Recorder with
                {
                    Record = RecordSchedule.Parse("every:25"),
                    Sharpness = common.Recorder.Sharpness with { Schedule = RecordSchedule.Parse("every:25"), BatchSharpnessBatches = 10 },
                },
            },
            _ => throw new ArgumentException($"unknown experiment '{name}'; known experiments: {string.Join(", ", Known.Select(k => k.Name))}"),
        };
    }
}
