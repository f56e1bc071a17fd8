using System.Globalization;
using System.Text.Json.Serialization;
using SgdWalk.Landscape;
using SgdWalk.Probes;

namespace SgdWalk.Training;

/// <summary>
/// Every setting of one run, immutable, with the README's defaults (the authors' where they have one).
/// <see cref="Validate"/> lists every problem in words before any work starts; <see cref="Resolve"/> applies
/// `--compat authors` so run.json records what actually ran.
/// </summary>
public sealed record TrainOptions
{
    public string Model { get; init; } = "mlp";
    public IReadOnlyList<int>? Hidden { get; init; }
    public bool ModelBatchNorm { get; init; } = true;
    public int? Depth { get; init; }

    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    public int? ValidationSize { get; init; }
    public int? TrainSize { get; init; }
    /// <summary>Random crop + flip during training; null = the dataset's default (on for CIFAR-10 only).</summary>
    public bool? Augment { get; init; }

    public double LearningRate { get; init; } = 0.1;
    public int BatchSize { get; init; } = 100;
    /// <summary>Samples per forward/backward; a batch larger than this is accumulated over chunks (the authors used 100).</summary>
    public int? ChunkSize { get; init; }
    public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many steps (overrides the end of the last epoch when smaller).</summary>
    public int? Steps { get; init; }
    public double Momentum { get; init; }
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; } = 1e-4;
    public string Schedule { get; init; } = "constant";
    /// <summary>
    /// Sum the chunk-mean gradients of an accumulated batch instead of averaging them: the authors' full-batch GD
    /// (k chunks give a k× effective step on the mean gradient). Only the gd-walk preset under --compat authors sets it.
    /// </summary>
    public bool SumChunkGradients { get; init; }
    /// <summary>
    /// GD + isotropic noise: Gaussian noise with std = this × the largest per-coordinate variance of the chunk gradients
    /// across the training split at initialisation is added to every gradient (the authors used 0.02); 0 = none.
    /// </summary>
    public double IsotropicNoise { get; init; }
    public long Seed { get; init; } = 1111;

    public ProbePreset Probes { get; init; } = ProbePreset.Paper;
    public string Record { get; init; } = RecordSchedule.Default;
    public IReadOnlyList<double> Alphas { get; init; } = RecorderOptions.DefaultAlphas;
    /// <summary>`--alphas adaptive[:TOL]`: step profiles on an adaptive grid, floor α to this tolerance; null = the fixed grid.</summary>
    public double? AdaptiveAlphas { get; init; }
    /// <summary>Samples in the fixed probe view; null = the whole training split ("full").</summary>
    public int? ProbeSize { get; init; } = 5000;
    /// <summary>`--probe-size auto`: choose the probe size on a pilot so the height's standard error is <see cref="ProbeError"/> of it.</summary>
    public bool ProbeSizeAuto { get; init; }
    /// <summary>Target relative standard error of the height for `--probe-size auto`.</summary>
    public double ProbeError { get; init; } = 0.1;
    public BatchNormPolicy BatchNorm { get; init; } = BatchNormPolicy.BatchStats;
    public string Compat { get; init; } = "none";
    /// <summary>Floor-path lags in steps (barriers between floor points φ_{t−k} → φ_t); empty = off.</summary>
    public IReadOnlyList<int> FloorLags { get; init; } = [];

    /// <summary>sgd, or the interventions floor-sgd (land on the step's valley floor) and height-sgd.</summary>
    public string Optimizer { get; init; } = "sgd";
    /// <summary>height-sgd: where to land between the floor (0) and plain SGD's landing point (1).</summary>
    public double HeightFraction { get; init; } = 0.5;
    /// <summary>The view the floor-sgd line search uses: batch (the step's mini-batch) or probe.</summary>
    public string FloorView { get; init; } = "batch";

    /// <summary>Steps on which curvature is measured (λ_max, trace, step and batch sharpness); "none" = off.</summary>
    public string Sharpness { get; init; } = "none";
    public HvpMethod Hvp { get; init; } = HvpMethod.Autograd;
    public EigenMethod Eigen { get; init; } = EigenMethod.Lanczos;
    public int TopK { get; init; } = 1;
    public int EigenIterations { get; init; } = 20;
    public double EigenTolerance { get; init; } = 1e-3;
    public int TraceSamples { get; init; } = 10;
    public int BatchSharpnessBatches { get; init; } = 8;

    public int EvaluationChunkSize { get; init; } = 1000;
    public int? Threads { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>Also write TensorBoard event files under the run's events/ folder.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>Also write a checkpoint every this many steps (one is always written at every epoch end); null = epoch ends only.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>How many of the newest checkpoints to keep.</summary>
    public int KeepCheckpoints { get; init; } = Checkpoints.CheckpointStore.DefaultKeep;

    [JsonIgnore]
    public int MicroBatch => Math.Min(ChunkSize ?? BatchSize, BatchSize);

    [JsonIgnore]
    public bool AuthorsCompat => Compat == "authors";

    /// <summary>Applies `--compat authors`: α = 0…0.9, the whole training split as probe, chunks of 100, weight-decayed cosine.</summary>
    public TrainOptions Resolve() => !AuthorsCompat ? this : this with
    {
        Alphas = RecorderOptions.AuthorsAlphas,
        ProbeSize = null,
        BatchNorm = BatchNormPolicy.BatchStats,
        // Chunks of 100 as the authors' SGD; an explicit chunk size (their GD used 5,000) is kept.
        ChunkSize = ChunkSize ?? 100,
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(double.IsFinite(LearningRate) && LearningRate > 0, $"--lr must be a positive number (got {Show(LearningRate)})");
        Require(BatchSize >= 1, $"--batch-size must be at least 1 (got {BatchSize})");
        Require(ChunkSize is null or >= 1, $"--chunk-size must be at least 1 (got {ChunkSize})");
        Require(Epochs >= 1, $"--epochs must be at least 1 (got {Epochs})");
        Require(Steps is null or >= 1, $"--steps must be at least 1 (got {Steps})");
        Require(double.IsFinite(Momentum) && Momentum is >= 0 and < 1, $"--momentum must be in [0, 1) (got {Show(Momentum)})");
        Require(!Nesterov || Momentum > 0, "--nesterov needs --momentum > 0");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"--weight-decay must be 0 or positive (got {Show(WeightDecay)})");
        Require(double.IsFinite(IsotropicNoise) && IsotropicNoise >= 0, $"--isotropic-noise must be 0 or positive (got {Show(IsotropicNoise)})");
        Require(ProbeSize is null or >= 1, $"--probe-size must be a positive number of samples or 'full' (got {ProbeSize})");
        Require(AdaptiveAlphas is null || (double.IsFinite(AdaptiveAlphas.Value) && AdaptiveAlphas > 0 && AdaptiveAlphas < 1), $"--alphas adaptive:TOL needs 0 < TOL < 1 (got {AdaptiveAlphas})");
        Require(double.IsFinite(ProbeError) && ProbeError is > 0 and <= 1, $"--probe-error must be in (0, 1] (got {Show(ProbeError)})");
        Require(!ProbeSizeAuto || Probes == ProbePreset.Paper, "--probe-size auto needs --probes paper (it sizes the probe view's profiles)");
        Require(ValidationSize is null or >= 0, $"--val-size must not be negative (got {ValidationSize})");
        Require(TrainSize is null or >= 2, $"--train-size must be at least 2 (got {TrainSize})");
        Require(Threads is null or >= 1, $"--threads must be at least 1 (got {Threads})");
        Require(EvaluationChunkSize >= 1, "--eval-chunk must be at least 1");
        Require(Optimizer is "sgd" or "floor-sgd" or "height-sgd", $"--optimizer must be sgd, floor-sgd or height-sgd (got '{Optimizer}')");
        Require(double.IsFinite(HeightFraction) && HeightFraction is >= 0 and <= 1, $"--height-fraction must be in [0, 1] (got {Show(HeightFraction)})");
        Require(FloorView is "batch" or "probe", $"--floor-view must be batch or probe (got '{FloorView}')");
        Require(FloorLags.All(k => k >= 1), "--floor-lags must list positive step lags, e.g. 1,10");
        Require(Compat is "none" or "authors", $"--compat must be 'none' or 'authors' (got '{Compat}')");
        Require(Device == "cpu" || Device.StartsWith("cuda", StringComparison.Ordinal), $"--device must be cpu or cuda[:N] (got '{Device}')");
        Require(Alphas.Count >= 3 && Alphas.Zip(Alphas.Skip(1)).All(p => p.Second > p.First) && Alphas.All(double.IsFinite),
            "--alphas must list at least three increasing numbers, e.g. 0,0.1,...,1 or -0.5:1.5:0.1");
        Require(Hidden is null || (Hidden.Count > 0 && Hidden.All(h => h >= 1)), "--hidden must list positive layer widths, e.g. 500,350");
        Require(CheckpointEvery is null or >= 1, $"--checkpoint-every must be at least 1 step (got {CheckpointEvery})");
        Require(KeepCheckpoints >= 1, $"--keep-checkpoints must be at least 1 (got {KeepCheckpoints})");
        Try(() => RecordSchedule.Parse(Record));
        Try(() => RecordSchedule.Parse(Sharpness));
        Require(Sharpness == "none" || Probes != ProbePreset.None, "--sharpness needs --probes cheap or paper (--probes none records nothing)");
        Require(TopK >= 1, $"--top-k must be at least 1 (got {TopK})");
        Require(TopK == 1 || Eigen == EigenMethod.Lanczos, "--top-k above 1 needs --eigen lanczos (power iteration finds one eigenvalue)");
        Require(EigenIterations >= Math.Max(1, TopK) && EigenIterations <= 1000, $"--eigen-iterations must be between --top-k and 1000 (got {EigenIterations})");
        Require(double.IsFinite(EigenTolerance) && EigenTolerance is > 0 and < 1, $"--eigen-tolerance must be in (0, 1) (got {Show(EigenTolerance)})");
        Require(TraceSamples == 0 || TraceSamples >= 2, $"--trace-samples must be 0 (no trace) or at least 2 (got {TraceSamples})");
        Require(BatchSharpnessBatches >= 0, $"--batch-sharpness-batches must not be negative (got {BatchSharpnessBatches})");
        Try(() => LearningRateSchedule.Parse(Schedule, Math.Max(LearningRate, 1e-12), Epochs));
        return errors;

        void Try(Action parse)
        {
            try { parse(); }
            catch (FormatException e) { errors.Add(e.Message); }
        }
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
