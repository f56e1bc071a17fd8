using SgdWalk.Landscape;
using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// The paper's measurement: the loss along the step θ_t → θ_{t+1} on one data view, reduced to floor, height,
/// interior, nonconvexity and bump (columns prefixed with the view name), with every sampled point sent to
/// profiles.csv (a fixed grid, or an adaptive one around the floor). The `batch` view is the step's own mini-batch;
/// any other view is a fixed set given here (borrowed: the recorder owns it).
/// </summary>
public sealed class SegmentProfileProbe(
    string view, DataView? fixedView, RecordSchedule schedule, IReadOnlyList<double> alphas, SegmentProfiler profiler,
    double? adaptiveTolerance = null) : IProbe
{
    private (int Step, MeasuredProfile Profile)? latest;

    public string Name => $"profile-{view}";

    public IReadOnlyList<string> ColumnNames { get; } = Columns.ProfileSuffixes.Select(s => Columns.OfView(view, s)).ToArray();

    public RecordSchedule Schedule => schedule;

    public bool EvaluatesModel => true;

    /// <summary>The profile measured on <paramref name="step"/>, or null when that step was not profiled (read by
    /// probes built on this one, which the recorder calls after it).</summary>
    public MeasuredProfile? MeasuredAt(int step) => latest is { } l && l.Step == step ? l.Profile : null;

    public void Observe(StepContext step, RowValues row)
    {
        var measured = adaptiveTolerance is double tolerance
            ? profiler.MeasureAdaptive(step.Segment, fixedView ?? step.Batch, tolerance)
            : profiler.Measure(step.Segment, alphas, fixedView ?? step.Batch);
        latest = (step.Step, measured);
        Write(row, view, measured);
        var p = measured.Profile;
        for (int i = 0; i < p.Alphas.Count; i++)
            step.Profiles.Add(step.Step, view, p.Alphas[i], p.Losses[i], measured.Accuracies[i]);
    }

    /// <summary>A profile's summary as the columns of <paramref name="prefix"/> (<see cref="Columns.ProfileSuffixes"/>).</summary>
    public static void Write(RowValues row, string prefix, MeasuredProfile measured)
    {
        var p = measured.Profile;
        row.Set(Columns.OfView(prefix, Columns.LossStart), p.LossStart)
            .Set(Columns.OfView(prefix, Columns.LossEnd), p.LossEnd)
            .Set(Columns.OfView(prefix, Columns.FloorAlpha), p.FloorAlpha)
            .Set(Columns.OfView(prefix, Columns.FloorLoss), p.FloorLoss)
            .Set(Columns.OfView(prefix, Columns.Height), p.Height)
            .Set(Columns.OfView(prefix, Columns.HeightStandardError), measured.HeightStandardError)
            .Set(Columns.OfView(prefix, Columns.HeightEnd), p.HeightEnd)
            .Set(Columns.OfView(prefix, Columns.Interior), p.Interior)
            .Set(Columns.OfView(prefix, Columns.Nonconvexity), p.Nonconvexity)
            .Set(Columns.OfView(prefix, Columns.Bump), p.Bump);
    }

    public void Dispose() { }
}
