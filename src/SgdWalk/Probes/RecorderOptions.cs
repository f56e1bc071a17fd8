using System.Globalization;
using System.Text.Json.Serialization;
using SgdWalk.Landscape;

namespace SgdWalk.Probes;

/// <summary>
/// What a <see cref="WalkRecorder"/> measures. Immutable; the defaults are those of docs/commands.md and live here once
/// (<see cref="Defaults"/>); <see cref="Validate()"/> lists every problem, and the recorder refuses options that have any.
/// A trainer run holds these as its `Recorder` and fills in what follows from its own options (the properties marked
/// [JsonIgnore]: chunk sizes, the cosine's weight decay, seeds); run.json writes the rest (<see cref="RecorderOptionsJson"/>).
/// </summary>
public sealed record RecorderOptions
{
    /// <summary>The defaults, as constants so the command line's attributes can show them.</summary>
    public static class Defaults
    {
        public const string Probes = "paper";
        public const string Record = RecordSchedule.Default;
        public const string Alphas = "0:1:0.1";
        public const string BatchNorm = "batch-stats";
        public const int MaxAlphas = 10_000;
    }

    public ProbePreset Probes { get; init; } = ProbePreset.Paper;

    /// <summary>Steps on which the segment profiles are measured.</summary>
    public RecordSchedule Record { get; init; } = RecordSchedule.Parse(RecordSchedule.Default);

    /// <summary>The α grid of each profile (default 0, 0.1, …, 1).</summary>
    public IReadOnlyList<double> Alphas { get; init; } = DefaultAlphas;

    /// <summary>When set, the step profiles use an adaptive grid around the floor with this floor-α tolerance instead of <see cref="Alphas"/>.</summary>
    [JsonPropertyName("adaptive_alphas")] // run.json's name, after `--alphas adaptive:TOL`
    public double? AdaptiveTolerance { get; init; }

    public BatchNormPolicy BatchNorm { get; init; } = BatchNormPolicy.BatchStats;

    /// <summary>Samples per BatchNorm statistics chunk when evaluating the batch view (the training micro-batch).</summary>
    [JsonIgnore]
    public int BatchChunkSize { get; init; } = 100;

    /// <summary>When positive, cos_grad uses g_t + λθ_t (the authors' convention) instead of g_t.</summary>
    [JsonIgnore]
    public double CosineWeightDecay { get; init; }

    /// <summary>How far inside the segment a floor must lie to count as interior; not a command-line option.</summary>
    [JsonIgnore]
    public double InteriorTolerance { get; init; } = SegmentProfile.DefaultInteriorTolerance;

    /// <summary>Lags k (in steps) of the floor-path probe: barriers between floor points φ_{t−k} and φ_t; empty = off.</summary>
    public IReadOnlyList<int> FloorLags { get; init; } = [];

    /// <summary>
    /// When set to step o, lag k profiles only the floor segments ending at o, o + k, o + 2k, … (non-overlapping, on a grid
    /// a reader chose; the claims plan's is the second epoch's first step) instead of every pair of recorded steps k apart,
    /// and keeps only the floor points on that grid. Null: every pair. Left out of run.json (and so of older checkpoints'
    /// fingerprints) when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? FloorLagOrigin { get; init; }

    /// <summary>The random-direction control (claim 1): on the recorded steps, the probe view's profile along a random
    /// direction of the step's length (columns random_X; <see cref="RandomDirectionProbe"/>).</summary>
    public bool RandomDirection { get; init; }

    /// <summary>The random direction's stream (<c>SeedStreams.RandomDirection</c>); set by the trainer.</summary>
    [JsonIgnore]
    public long RandomDirectionSeed { get; init; }

    /// <summary>Sharpness probes (λ_max, trace, step and batch sharpness); off unless given a schedule.</summary>
    public SharpnessOptions Sharpness { get; init; } = new();

    /// <summary>Gradient alignment with the top-k Hessian eigenspace (claim 6b); off unless given a schedule.</summary>
    public AlignmentOptions Alignment { get; init; } = new();

    public static IReadOnlyList<double> DefaultAlphas { get; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

    /// <summary>The authors' grid: 0, 0.1, …, 0.9 (α = 1 is the next step's α = 0).</summary>
    public static IReadOnlyList<double> AuthorsAlphas { get; } = Enumerable.Range(0, 10).Select(i => i / 10.0).ToArray();

    /// <summary>Every problem, in words naming the property (empty when the options are usable).</summary>
    public IReadOnlyList<string> Validate() => Validate(name => name);

    /// <param name="name">Spells a property's name in messages (the command line passes its --option spelling).</param>
    internal IReadOnlyList<string> Validate(Func<string, string> name)
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(Enum.IsDefined(Probes), $"{name(nameof(Probes))} must be none, cheap or paper (got {Probes})");
        Require(Enum.IsDefined(BatchNorm), $"{name(nameof(BatchNorm))} must be batch-stats or running (got {BatchNorm})");
        Require(Record is not null, $"{name(nameof(Record))} must be a schedule (RecordSchedule.None for none)");
        Require(Alphas is not null && Alphas.Count >= 3 && Alphas.Count <= Defaults.MaxAlphas && Alphas.All(double.IsFinite)
                && Alphas.Zip(Alphas.Skip(1)).All(p => p.Second > p.First),
            $"{name(nameof(Alphas))} must list at least three increasing numbers (at most 10,000), e.g. 0,0.1,...,1 or -0.5:1.5:0.1");
        Require(AdaptiveTolerance is null || (double.IsFinite(AdaptiveTolerance.Value) && AdaptiveTolerance > 0 && AdaptiveTolerance < 1),
            $"{name(nameof(AdaptiveTolerance))} needs 0 < TOL < 1 (got {Show(AdaptiveTolerance)})");
        Require(BatchChunkSize >= 1, $"{name(nameof(BatchChunkSize))} must be at least 1 (got {BatchChunkSize})");
        Require(double.IsFinite(CosineWeightDecay) && CosineWeightDecay >= 0, $"{name(nameof(CosineWeightDecay))} must be 0 or positive (got {Show(CosineWeightDecay)})");
        Require(double.IsFinite(InteriorTolerance) && InteriorTolerance >= 0, $"{name(nameof(InteriorTolerance))} must be 0 or positive (got {Show(InteriorTolerance)})");
        Require(FloorLags is not null && FloorLags.All(k => k >= 1), $"{name(nameof(FloorLags))} must list positive step lags, e.g. 1,10");
        // Each lag names a column (floor_barrier_k1, ...): a repeated lag would write one column twice.
        Require(FloorLags is null || FloorLags.Distinct().Count() == FloorLags.Count,
            $"{name(nameof(FloorLags))} must not repeat a lag (got {string.Join(",", FloorLags ?? [])})");
        Require(FloorLagOrigin is null or >= 0, $"{name(nameof(FloorLagOrigin))} must be a step, 0 or more (got {FloorLagOrigin})");
        Require(FloorLagOrigin is null || FloorLags is not { Count: 0 }, $"{name(nameof(FloorLagOrigin))} needs {name(nameof(FloorLags))} (it places their segments)");
        if (Sharpness is null) errors.Add($"{name(nameof(Sharpness))} must not be null");
        else
        {
            errors.AddRange(Sharpness.Validate(name));
            Require(!Sharpness.Enabled || Probes != ProbePreset.None,
                $"{name(nameof(SharpnessOptions.Schedule))} needs {name(nameof(Probes))} cheap or paper ({name(nameof(Probes))} none records nothing)");
        }
        if (Alignment is null) errors.Add($"{name(nameof(Alignment))} must not be null");
        else
        {
            errors.AddRange(Alignment.Validate(name));
            Require(!Alignment.Enabled || Probes != ProbePreset.None,
                $"{name(nameof(Alignment) + nameof(AlignmentOptions.Schedule))} needs {name(nameof(Probes))} cheap or paper ({name(nameof(Probes))} none records nothing)");
        }
        return errors;
    }

    private static string Show(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
}
