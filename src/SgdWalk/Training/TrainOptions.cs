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
    /// <summary>Samples in the fixed probe view; null = the whole training split ("full").</summary>
    public int? ProbeSize { get; init; } = 5000;
    public BatchNormPolicy BatchNorm { get; init; } = BatchNormPolicy.BatchStats;
    public string Compat { get; init; } = "none";

    public int EvaluationChunkSize { get; init; } = 1000;
    public int? Threads { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>Also write TensorBoard event files under the run's events/ folder.</summary>
    public bool TensorBoard { get; init; }

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
        Require(ValidationSize is null or >= 0, $"--val-size must not be negative (got {ValidationSize})");
        Require(TrainSize is null or >= 2, $"--train-size must be at least 2 (got {TrainSize})");
        Require(Threads is null or >= 1, $"--threads must be at least 1 (got {Threads})");
        Require(EvaluationChunkSize >= 1, "--eval-chunk must be at least 1");
        Require(Compat is "none" or "authors", $"--compat must be 'none' or 'authors' (got '{Compat}')");
        Require(Device == "cpu" || Device.StartsWith("cuda", StringComparison.Ordinal), $"--device must be cpu or cuda[:N] (got '{Device}')");
        Require(Alphas.Count >= 3 && Alphas.Zip(Alphas.Skip(1)).All(p => p.Second > p.First) && Alphas.All(double.IsFinite),
            "--alphas must list at least three increasing numbers, e.g. 0,0.1,...,1 or -0.5:1.5:0.1");
        Require(Hidden is null || (Hidden.Count > 0 && Hidden.All(h => h >= 1)), "--hidden must list positive layer widths, e.g. 500,350");
        Try(() => RecordSchedule.Parse(Record));
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
