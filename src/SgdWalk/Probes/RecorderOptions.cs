using SgdWalk.Landscape;

namespace SgdWalk.Probes;

/// <summary>What a <see cref="WalkRecorder"/> measures. Immutable; defaults are the README's.</summary>
public sealed record RecorderOptions
{
    public ProbePreset Probes { get; init; } = ProbePreset.Paper;

    /// <summary>Steps on which the segment profiles are measured.</summary>
    public RecordSchedule Record { get; init; } = RecordSchedule.Parse(RecordSchedule.Default);

    /// <summary>The α grid of each profile (default 0, 0.1, …, 1).</summary>
    public IReadOnlyList<double> Alphas { get; init; } = DefaultAlphas;

    /// <summary>When set, the step profiles use an adaptive grid around the floor with this floor-α tolerance instead of <see cref="Alphas"/>.</summary>
    public double? AdaptiveTolerance { get; init; }

    public BatchNormPolicy BatchNorm { get; init; } = BatchNormPolicy.BatchStats;

    /// <summary>Samples per BatchNorm statistics chunk when evaluating the batch view (the training micro-batch).</summary>
    public int BatchChunkSize { get; init; } = 100;

    /// <summary>When positive, cos_grad uses g_t + λθ_t (the authors' convention) instead of g_t.</summary>
    public double CosineWeightDecay { get; init; }

    public double InteriorTolerance { get; init; } = SegmentProfile.DefaultInteriorTolerance;

    /// <summary>Lags k (in steps) of the floor-path probe: barriers between floor points φ_{t−k} and φ_t; empty = off.</summary>
    public IReadOnlyList<int> FloorLags { get; init; } = [];
    /// <summary>Sharpness probes (λ_max, trace, step and batch sharpness); off unless given a schedule.</summary>
    public CurvatureOptions Curvature { get; init; } = new();

    public static IReadOnlyList<double> DefaultAlphas { get; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

    /// <summary>The authors' grid: 0, 0.1, …, 0.9 (α = 1 is the next step's α = 0).</summary>
    public static IReadOnlyList<double> AuthorsAlphas { get; } = Enumerable.Range(0, 10).Select(i => i / 10.0).ToArray();
}
