using SgdWalk.Landscape;
using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>What a probe costs, cheapest first.</summary>
public enum ProbeCost
{
    /// <summary>A few passes over the parameter vector, every step.</summary>
    PerStep,

    /// <summary>Forward passes along a segment (a profile), on the steps of the record schedule.</summary>
    Profile,

    /// <summary>Hessian-vector products, on the steps of its own schedule.</summary>
    Curvature,
}

/// <summary>What a catalogue entry gets to build its probe: the options, the views, the shared machinery, and the probes built before it.</summary>
public sealed class ProbeBuild
{
    private readonly Dictionary<string, IProbe> built = [];

    public required RecorderOptions Options { get; init; }

    /// <summary>The fixed probe view (null: the recorder has none, so probe-view measurements are left out).</summary>
    public DataView? ProbeView { get; init; }

    /// <summary>Samples disjoint from the probe view (the alignment probe's gradient batches).</summary>
    public SamplePool? AlignmentPool { get; init; }

    /// <summary>Profiles along the step on the batch view.</summary>
    public required SegmentProfiler Profiler { get; init; }

    /// <summary>Profiles on the probe view, keeping each profile's end for the next (consecutive recorded steps share it).</summary>
    public required SegmentProfiler ProbeViewProfiler { get; init; }

    public required HessianVectorProduct Hessian { get; init; }

    /// <summary>The probe an earlier entry built under <paramref name="name"/>, or null when it was left out.</summary>
    public T? Built<T>(string name) where T : class, IProbe => built.GetValueOrDefault(name) as T;

    internal void Add(string name, IProbe probe) => built.Add(name, probe);
}

/// <summary>
/// One probe of the catalogue: its name, cost, the steps.csv columns it fills (as `sgdwalk list` shows them), what it
/// needs, and how it is built. An entry is part of a run when a preset lists it (<see cref="ProbeCatalog.Preset"/>) or
/// its own option switches it on (<see cref="SwitchedOn"/>, with any preset but none), and <see cref="Applies"/> holds.
/// </summary>
/// <param name="Columns">The columns, in words where they depend on the options (e.g. one per floor lag).</param>
/// <param name="Needs">What it depends on, in words (another probe, the probe view, a schedule).</param>
/// <param name="SwitchedBy">The option that switches it on, for entries no preset lists; null for preset entries.</param>
public sealed record ProbeEntry(string Name, ProbeCost Cost, string Columns, string Needs, string? SwitchedBy,
    Func<RecorderOptions, bool>? SwitchedOn, Func<ProbeBuild, bool> Applies, Func<ProbeBuild, IProbe> Create);

/// <summary>
/// Every probe the recorder can run, in steps.csv column order (an entry that reads another probe's result comes after
/// it), and the presets as explicit lists. The recorder builds its probes from this table and `sgdwalk list` prints
/// it; adding a probe is one entry here (see docs/development.md, "Recipes").
/// </summary>
public static class ProbeCatalog
{
    public const string StepNorms = "step-norms", DistanceFromInit = "distance-from-init", Cosines = "cosines",
        BatchProfile = "profile-batch", ProbeProfile = "profile-probe", FloorPath = "floor-path", RandomDirection = "random-direction",
        StepSharpness = "step-sharpness", Sharpness = "sharpness", BatchSharpness = "batch-sharpness", Alignment = "alignment";

    private static readonly string[] CheapProbes = [StepNorms, DistanceFromInit, Cosines];

    /// <summary>The entries each preset runs (curvature and alignment are switched on by their own schedules).</summary>
    public static IReadOnlyList<string> Preset(ProbePreset preset) => preset switch
    {
        ProbePreset.None => [],
        ProbePreset.Cheap => CheapProbes,
        ProbePreset.Paper => [.. CheapProbes, BatchProfile, ProbeProfile, FloorPath],
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown probe preset"),
    };

    public static IReadOnlyList<ProbeEntry> Entries { get; } =
    [
        new(StepNorms, ProbeCost.PerStep, $"{Records.Columns.GradientNorm}, {Records.Columns.StepNorm}", "—", null, null,
            _ => true, _ => new StepNormsProbe()),
        new(DistanceFromInit, ProbeCost.PerStep, Records.Columns.DistanceFromInit, "—", null, null,
            _ => true, _ => new DistanceFromInitProbe()),
        new(Cosines, ProbeCost.PerStep, $"{Records.Columns.CosineGradient}, {Records.Columns.CosineUpdate}", "the previous step's g and u", null, null,
            _ => true, _ => new CosineProbe()),
        new(BatchProfile, ProbeCost.Profile, "batch_X, X in " + string.Join(" ", Records.Columns.ProfileSuffixes), "--record", null, null,
            b => !b.Options.Record.IsNone,
            b => new SegmentProfileProbe(Records.Columns.BatchView, null, b.Options.Record, b.Options.Alphas, b.Profiler, b.Options.AdaptiveTolerance)),
        new(ProbeProfile, ProbeCost.Profile, "probe_X, X as for profile-batch", "--record, the probe view", null, null,
            b => !b.Options.Record.IsNone && b.ProbeView is not null,
            b => new SegmentProfileProbe(Records.Columns.ProbeView, b.ProbeView, b.Options.Record, b.Options.Alphas, b.ProbeViewProfiler,
                b.Options.AdaptiveTolerance)),
        new(FloorPath, ProbeCost.Profile, $"{Records.Columns.FloorBarrierPrefix}K, {Records.Columns.FloorBarrierPrefix}K_alpha per lag K", $"--floor-lags, {ProbeProfile}", null, null,
            b => b.Options.FloorLags.Count > 0 && b.Built<SegmentProfileProbe>(ProbeProfile) is not null,
            b => new FloorPathProbe(b.Built<SegmentProfileProbe>(ProbeProfile)!, b.ProbeView!, b.Options.FloorLags, b.Options.FloorLagOrigin, b.Options.Alphas, b.Profiler.WithReusedEnds())),
        new(RandomDirection, ProbeCost.Profile, "random_X, X as for profile-batch", "--record, the probe view", "--random-direction", o => o.RandomDirection,
            b => !b.Options.Record.IsNone && b.ProbeView is not null,
            b => new RandomDirectionProbe(b.ProbeView!, b.Options.Record, b.Options.Alphas, b.Profiler, b.Options.RandomDirectionSeed)),
        new(StepSharpness, ProbeCost.Curvature,
            $"{Records.Columns.StepSharpness}, {Records.Columns.FloorAlphaPredicted}, {Records.Columns.FloorAlphaResidual}", $"{BatchProfile} (for the floor α it predicts)",
            "--sharpness", o => o.Sharpness.Enabled,
            _ => true, b => new StepSharpnessProbe(b.Hessian, b.Options.Sharpness.Schedule, b.Built<SegmentProfileProbe>(BatchProfile))),
        new(Sharpness, ProbeCost.Curvature,
            $"{Records.Columns.LambdaMax}, {Records.Columns.Lambda(2)}…lambda_K (--top-k K), {Records.Columns.Trace}, {Records.Columns.TraceStandardError}",
            "the probe view", "--sharpness", o => o.Sharpness.Enabled,
            b => b.ProbeView is not null, b => new SharpnessProbe(b.ProbeView!, b.Hessian, b.Options.Sharpness)),
        new(BatchSharpness, ProbeCost.Curvature, $"{Records.Columns.BatchSharpness}, {Records.Columns.BatchSharpnessStandardError}", "the probe view",
            "--sharpness", o => o.Sharpness.Enabled,
            b => b.ProbeView is not null, b => new BatchSharpnessProbe(b.ProbeView!, b.Hessian, b.Options.Sharpness)),
        new(Alignment, ProbeCost.Curvature, $"{Records.Columns.AlignmentPrefix}K_bB, …_se per batch size B, {Records.Columns.AlignmentPrefix}K_converged",
            "the probe view (V_k), a pool disjoint from it (the gradient batches)", "--alignment", o => o.Alignment.Enabled,
            b => b.ProbeView is not null && b.AlignmentPool is not null, b => new AlignmentProbe(b.ProbeView!, b.AlignmentPool!, b.Hessian, b.Options.Alignment)),
    ];

    /// <summary>Whether <paramref name="entry"/> is part of a run with these options (before its <see cref="ProbeEntry.Applies"/>).</summary>
    public static bool Selected(ProbeEntry entry, RecorderOptions options) =>
        entry.SwitchedOn is null ? Preset(options.Probes).Contains(entry.Name) : options.Probes != ProbePreset.None && entry.SwitchedOn(options);

    /// <summary>The probes of a run, in column order.</summary>
    public static List<IProbe> Build(ProbeBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var probes = new List<IProbe>();
        foreach (var entry in Entries)
        {
            if (!Selected(entry, build.Options) || !entry.Applies(build)) continue;
            var probe = entry.Create(build);
            build.Add(entry.Name, probe);
            probes.Add(probe);
        }
        return probes;
    }
}
