using SgdWalk.Landscape;
using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// The paper's measurement: the loss along the step θ_t → θ_{t+1} on one data view, reduced to floor, height,
/// interior, nonconvexity and bump (columns prefixed with the view name), with every sampled point sent to
/// profiles.csv (a fixed grid, or an adaptive one around the floor). The `batch` view is the step's own mini-batch; any other view is a fixed set given here (borrowed).
/// </summary>
public sealed class SegmentProfileProbe(
    string view, DataView? fixedView, RecordSchedule schedule, IReadOnlyList<double> alphas, SegmentProfiler profiler,
    BatchNormPolicy policy, double? adaptiveTolerance = null) : IProbe
{
    public static readonly string[] Suffixes =
        ["loss_start", "loss_end", "floor_alpha", "floor_loss", "height", "height_se", "height_end", "interior", "nonconvexity", "bump"];

    public string Name => $"profile-{view}";

    public IReadOnlyList<string> Columns { get; } = Suffixes.Select(s => $"{view}_{s}").ToArray();

    public bool NeedsModelStates => policy == BatchNormPolicy.Running;

    public bool Wants(int step, int epoch) => schedule.Includes(step, epoch);

    public string View => view;

    /// <summary>The profile measured on the current step, or null when this step was not recorded (read by later probes).</summary>
    public MeasuredProfile? Current { get; private set; }

    public void Observe(StepContext step, RowValues row, IProfileSink profiles)
    {
        Current = null;
        if (!Wants(step.Step, step.Epoch)) return;
        var measured = adaptiveTolerance is double tolerance
            ? profiler.MeasureAdaptive(step.Segment, fixedView ?? step.Batch, tolerance)
            : profiler.Measure(step.Segment, alphas, fixedView ?? step.Batch);
        Current = measured;
        var p = measured.Profile;
        row.Set($"{view}_loss_start", p.LossStart)
            .Set($"{view}_loss_end", p.LossEnd)
            .Set($"{view}_floor_alpha", p.FloorAlpha)
            .Set($"{view}_floor_loss", p.FloorLoss)
            .Set($"{view}_height", p.Height)
            .Set($"{view}_height_se", measured.HeightStandardError)
            .Set($"{view}_height_end", p.HeightEnd)
            .Set($"{view}_interior", p.Interior)
            .Set($"{view}_nonconvexity", p.Nonconvexity)
            .Set($"{view}_bump", p.Bump);
        for (int i = 0; i < p.Alphas.Count; i++)
            profiles.Add(step.Step, view, p.Alphas[i], p.Losses[i], measured.Accuracies[i]);
    }

    public void Dispose() { } // the fixed view belongs to the recorder, which shares it with other probes
}
