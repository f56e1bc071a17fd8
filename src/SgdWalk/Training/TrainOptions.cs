using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using SgdWalk.Formats;
using SgdWalk.Landscape;
using SgdWalk.Probes;

namespace SgdWalk.Training;

/// <summary>
/// Every setting of one run, immutable, with the defaults of docs/commands.md (the authors' where they have one). Each option is
/// defined once: its default here, or in <see cref="Recorder"/> (<see cref="RecorderOptions"/> with its
/// <see cref="SharpnessOptions"/> and <see cref="AlignmentOptions"/>) for what the recorder measures; its check in
/// <see cref="Validate"/> (which delegates the recorder's knobs to <see cref="RecorderOptions.Validate()"/>).
/// <see cref="Resolve"/> applies `--compat authors` so run.json records what actually ran. run.json's `options` are one
/// flat object written by <see cref="TrainOptionsJson"/>; the property order is its key order.
/// </summary>
[JsonConverter(typeof(TrainOptionsJson))]
public sealed partial record TrainOptions
{
    /// <summary>The defaults, as constants so the command line's attributes (and its --help) show the same values.</summary>
    public static class Defaults
    {
        public const string Model = "mlp";
        public const string Dataset = "fashion-mnist";
        public const double LearningRate = 0.1;
        public const int BatchSize = 100;
        public const int Epochs = 1;
        public const double Momentum = 0;
        public const double WeightDecay = 1e-4;
        public const string Schedule = "constant";
        public const double IsotropicNoise = 0;
        public const long Seed = 1111;
        public const string ProbeSize = "5000";
        public const int ProbeSizeSamples = 5000;
        public const double ProbeError = 0.1;
        public const string Compat = "none";
        public const string Optimizer = "sgd";
        public const double HeightFraction = 0.5;
        public const string FloorView = "batch";
        public const int EvaluationChunkSize = 1000;
        public const string Device = "cpu";
        public const int KeepCheckpoints = Checkpoints.CheckpointStore.DefaultKeep;
        public const int MaxThreads = 1024;
    }

    public string Model { get; init; } = Defaults.Model;
    public IReadOnlyList<int>? Hidden { get; init; }
    public bool ModelBatchNorm { get; init; } = true;
    public int? Depth { get; init; }
    /// <summary>
    /// `--init-from FILE`: θ_0 (and the buffers) from a PyTorch state_dict (.pt/.pth/.bin by torch.save, or .safetensors)
    /// instead of the seeded initialisation; null = seeded. Left out of run.json (and so of older checkpoints'
    /// fingerprints) when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InitFrom { get; init; }

    public string Dataset { get; init; } = Defaults.Dataset;
    public string? DataDir { get; init; }
    public int? ValidationSize { get; init; }
    public int? TrainSize { get; init; }
    /// <summary>Random crop + flip during training; null = the dataset's default (on for CIFAR-10 only).</summary>
    public bool? Augment { get; init; }

    public double LearningRate { get; init; } = Defaults.LearningRate;
    public int BatchSize { get; init; } = Defaults.BatchSize;
    /// <summary>Samples per forward/backward; a batch larger than this is accumulated over chunks (the authors used 100).</summary>
    public int? ChunkSize { get; init; }
    public int Epochs { get; init; } = Defaults.Epochs;
    /// <summary>Stop after this many steps (overrides the end of the last epoch when smaller).</summary>
    public int? Steps { get; init; }

    /// <summary>
    /// `--stop-loss L`: end the run at the first stop check (<see cref="StopCheck"/>) where the mean training loss on the
    /// training images outside the probe view is at most L; --epochs / --steps are then the cap. Null: no target. Left
    /// out of run.json (and so of older checkpoints' fingerprints) when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StopLoss { get; init; }

    /// <summary>
    /// `--end-curvature`: measure λ_max and the Hutchinson trace of the probe-view Hessian once, at the run's final weights
    /// (run.json's end_curvature), with the --eigen / --eigen-iterations / --trace-samples knobs. Left out of run.json when off.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EndCurvature { get; init; }
    public double Momentum { get; init; } = Defaults.Momentum;
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; } = Defaults.WeightDecay;
    public string Schedule { get; init; } = Defaults.Schedule;
    /// <summary>
    /// Sum the chunk-mean gradients of an accumulated batch instead of averaging them: the authors' full-batch GD
    /// (k chunks give a k× effective step on the mean gradient). Only the gd-walk preset under --compat authors sets it.
    /// </summary>
    public bool SumChunkGradients { get; init; }
    /// <summary>
    /// GD + isotropic noise: Gaussian noise with std = this × the largest per-coordinate variance of the chunk gradients
    /// across the training split at initialisation is added to every gradient (the authors used 0.02); 0 = none.
    /// </summary>
    public double IsotropicNoise { get; init; } = Defaults.IsotropicNoise;
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>
    /// What the recorder measures: --probes, --record, --alphas, --bn, --floor-lags, --floor-lag-origin, --sharpness and its knobs, --alignment
    /// and its knobs. Its chunk sizes, the cosine's weight decay and its seeds follow from this run's other options
    /// (<see cref="ToRecorderOptions"/> sets them); run.json writes its knobs as flat keys (<see cref="RecorderOptionsJson"/>).
    /// </summary>
    public RecorderOptions Recorder { get; init; } = new();

    /// <summary>Samples in the fixed probe view; null = the whole training split ("full").</summary>
    public int? ProbeSize { get; init; } = Defaults.ProbeSizeSamples;
    /// <summary>`--probe-size auto`: choose the probe size on a pilot so the height's standard error is <see cref="ProbeError"/> of it.</summary>
    public bool ProbeSizeAuto { get; init; }
    /// <summary>Target relative standard error of the height for `--probe-size auto`.</summary>
    public double ProbeError { get; init; } = Defaults.ProbeError;
    public CompatMode Compat { get; init; } = CompatMode.None;

    /// <summary>sgd, or the interventions floor-sgd (land on the step's valley floor) and height-sgd.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>height-sgd: where to land between the floor (0) and plain SGD's landing point (1).</summary>
    public double HeightFraction { get; init; } = Defaults.HeightFraction;
    /// <summary>The view the floor-sgd line search uses: batch (the step's mini-batch) or probe.</summary>
    public FloorSearchView FloorView { get; init; } = FloorSearchView.Batch;

    public int EvaluationChunkSize { get; init; } = Defaults.EvaluationChunkSize;
    public int? Threads { get; init; }
    public string Device { get; init; } = Defaults.Device;
    /// <summary>Also write TensorBoard event files under the run's events/ folder.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>Also write a checkpoint every this many steps (one is always written at every epoch end); null = epoch ends only.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>How many of the newest checkpoints to keep.</summary>
    public int KeepCheckpoints { get; init; } = Defaults.KeepCheckpoints;

    [JsonIgnore]
    public int MicroBatch => Math.Min(ChunkSize ?? BatchSize, BatchSize);

    [JsonIgnore]
    public bool AuthorsCompat => Compat == CompatMode.Authors;

    /// <summary>Applies `--compat authors`: α = 0…0.9, the whole training split as probe, chunks of 100, weight-decayed cosine.</summary>
    public TrainOptions Resolve() => !AuthorsCompat ? this : this with
    {
        Recorder = Recorder with { Alphas = RecorderOptions.AuthorsAlphas, BatchNorm = BatchNormPolicy.BatchStats },
        ProbeSize = null,
        // Chunks of 100 as the authors' SGD; an explicit chunk size (their GD used 5,000) is kept.
        ChunkSize = ChunkSize ?? 100,
    };

    /// <summary>
    /// What the <see cref="WalkRecorder"/> of this run measures: <see cref="Recorder"/> with what follows from the run's other
    /// options filled in. Call it on resolved options (<see cref="Resolve"/>).
    /// </summary>
    public RecorderOptions ToRecorderOptions()
    {
        // Their own streams: the probes draw nothing from the generators training uses.
        var seeds = new SeedStreams(Seed);
        return Recorder with
        {
            BatchChunkSize = MicroBatch,
            CosineWeightDecay = AuthorsCompat ? WeightDecay : 0,
            Sharpness = Recorder.Sharpness with
            {
                BatchSize = BatchSize,
                Seed = seeds.Sharpness,
                BatchSharpnessSeed = seeds.BatchSharpness,
                EndCurvatureSeed = seeds.EndCurvature,
            },
            // A gradient batch is normalised as a step at batch B would be: as one chunk, or in --chunk-size chunks when given.
            Alignment = Recorder.Alignment with { ChunkSize = ChunkSize ?? int.MaxValue, Seed = seeds.Alignment },
            RandomDirectionSeed = seeds.RandomDirection,
        };
    }

    /// <summary>
    /// Every problem with these options alone, one readable line each naming the command-line option (empty when
    /// none). What needs the data or the machine (sizes against the training split, memory, the model on the data's
    /// shape, the device) is checked by <see cref="RunCheck"/>.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(!string.IsNullOrWhiteSpace(Model), "--model must name a model (`sgdwalk list`)");
        Require(!string.IsNullOrWhiteSpace(Dataset), "--dataset must name a dataset (`sgdwalk list`)");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, $"--lr must be a positive number (got {Show(LearningRate)})");
        Require(BatchSize >= 1, $"--batch-size must be at least 1 (got {BatchSize})");
        Require(ChunkSize is null or >= 1, $"--chunk-size must be at least 1 (got {ChunkSize})");
        Require(Epochs >= 1, $"--epochs must be at least 1 (got {Epochs})");
        Require(Steps is null or >= 1, $"--steps must be at least 1 (got {Steps})");
        Require(StopLoss is null || (double.IsFinite(StopLoss.Value) && StopLoss > 0), $"--stop-loss must be a positive number (got {(StopLoss is { } l ? Show(l) : "")})");
        Require(double.IsFinite(Momentum) && Momentum is >= 0 and < 1, $"--momentum must be in [0, 1) (got {Show(Momentum)})");
        Require(!Nesterov || Momentum > 0, "--nesterov needs --momentum > 0");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"--weight-decay must be 0 or positive (got {Show(WeightDecay)})");
        Require(double.IsFinite(IsotropicNoise) && IsotropicNoise >= 0, $"--isotropic-noise must be 0 or positive (got {Show(IsotropicNoise)})");
        Require(ProbeSize is null or >= 1, $"--probe-size must be a positive number of samples or 'full' (got {ProbeSize})");
        Require(double.IsFinite(ProbeError) && ProbeError is > 0 and <= 1, $"--probe-error must be in (0, 1] (got {Show(ProbeError)})");
        Require(!ProbeSizeAuto || Recorder.Probes == ProbePreset.Paper, "--probe-size auto needs --probes paper (it sizes the probe view's profiles)");
        Require(ValidationSize is null or >= 0, $"--val-size must not be negative (got {ValidationSize})");
        Require(TrainSize is null or >= 2, $"--train-size must be at least 2 (got {TrainSize})");
        Require(Threads is null or (>= 1 and <= Defaults.MaxThreads), $"--threads must be between 1 and {Defaults.MaxThreads} (got {Threads})");
        Require(EvaluationChunkSize >= 1, $"--eval-chunk must be at least 1 (got {EvaluationChunkSize})");
        Require(Enum.IsDefined(Optimizer), $"--optimizer must be sgd, floor-sgd or height-sgd (got {Optimizer})");
        Require(double.IsFinite(HeightFraction) && HeightFraction is >= 0 and <= 1, $"--height-fraction must be in [0, 1] (got {Show(HeightFraction)})");
        Require(Enum.IsDefined(FloorView), $"--floor-view must be batch or probe (got {FloorView})");
        Require(Enum.IsDefined(Compat), $"--compat must be none or authors (got {Compat})");
        Require(Schedule is not null, "--schedule must be given");
        Require(Device is not null && DevicePattern().IsMatch(Device), $"--device must be cpu, cuda or cuda:N (got '{Device}')");
        Require(Hidden is null || (Hidden.Count > 0 && Hidden.All(h => h >= 1)), "--hidden must list positive layer widths, e.g. 500,350");
        Require(Depth is null or >= 1, $"--depth must be positive (got {Depth})");
        Require(!Models.TorchScriptModel.Names(Model) || (Hidden is null && Depth is null && ModelBatchNorm),
            "--hidden, --depth and --no-model-bn apply to zoo models, not to a TorchScript model (its file defines it)");
        Require(InitFrom is null || StateDictFile.FormatOf(InitFrom) is not null,
            $"--init-from must name a .pt, .pth, .bin (torch.save of a state_dict) or .safetensors file (got '{InitFrom}')");
        Require(CheckpointEvery is null or >= 1, $"--checkpoint-every must be at least 1 step (got {CheckpointEvery})");
        Require(KeepCheckpoints >= 1, $"--keep-checkpoints must be at least 1 (got {KeepCheckpoints})");
        // The recorder's own rules, spelled with this command line's option names.
        errors.AddRange(Resolve().ToRecorderOptions().Validate(CommandLineName));
        // The Hessian of V_k is the probe view's; the gradient batches come from the rest of the training split.
        Require(!Recorder.Alignment.Enabled || ProbeSize is not null,
            "--alignment needs --probe-size smaller than the training split (V_k uses the probe view, the gradient batches the rest)");
        if (Schedule is not null && double.IsFinite(LearningRate) && LearningRate > 0 && Epochs >= 1)
        {
            try { LearningRateSchedule.Parse(Schedule, LearningRate, Epochs); }
            catch (FormatException e) { errors.Add(e.Message); }
        }
        return errors.Distinct().ToList();
    }

    /// <summary>A property of <see cref="RecorderOptions"/>, <see cref="SharpnessOptions"/> or <see cref="AlignmentOptions"/> as the command line spells it.</summary>
    private static string CommandLineName(string property) => property switch
    {
        nameof(RecorderOptions.BatchNorm) => "--bn",
        nameof(RecorderOptions.AdaptiveTolerance) => "--alphas adaptive:TOL",
        nameof(RecorderOptions.BatchChunkSize) => "--chunk-size",
        nameof(RecorderOptions.CosineWeightDecay) => "--weight-decay",
        nameof(SharpnessOptions.Schedule) => "--sharpness",
        nameof(SharpnessOptions.TopK) => "--top-k",
        "AlignmentSchedule" => "--alignment",
        "AlignmentTopK" => "--alignment-k",
        "AlignmentEigenIterations" => "--alignment-iterations",
        "AlignmentChunkSize" => "--chunk-size",
        _ => "--" + KebabBoundary().Replace(property, "-$1").ToLowerInvariant(),
    };

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,3})?)$")]
    private static partial Regex DevicePattern();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex KebabBoundary();

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
