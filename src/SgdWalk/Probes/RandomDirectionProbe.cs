using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// The random-direction control of claim 1 (docs/claims.md, "Controls"): on each recorded step, the probe-view loss
/// along θ_t + α·r instead of along the step, r a Gaussian direction scaled to the step's own length ‖u_t‖, reduced to
/// the same floor, height, interior, nonconvexity and bump (columns random_X). SGD's step meets the far valley wall;
/// a random direction of the same length should not, so if its profiles also had interior floors, test 1 would find
/// valleys everywhere rather than SGD's bouncing. r is drawn afresh for every step from the run's random-direction
/// stream, sub-seeded by the step, so a resumed run draws the same r without carrying generator state.
/// </summary>
public sealed class RandomDirectionProbe(DataView view, RecordSchedule schedule, IReadOnlyList<double> alphas, SegmentProfiler profiler, long seed) : IProbe
{
    public string Name => "random-direction";

    public IReadOnlyList<string> ColumnNames { get; } = Columns.ProfileSuffixes.Select(s => Columns.OfView(Columns.RandomView, s)).ToArray();

    public RecordSchedule Schedule => schedule;

    public bool EvaluatesModel => true;

    /// <summary>The direction of <paramref name="step"/>: standard normal entries (float64 draws, rounded once), scaled to <paramref name="length"/>.</summary>
    public ParamVector Direction(ParamVector like, double length, int step)
    {
        using var scope = NewDisposeScope();
        // A generator per step from (stream seed, step): no state to checkpoint, the same r after a resume.
        using var generator = new Generator(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step));
        using var _ = no_grad();
        var draw = randn([like.Length], dtype: ScalarType.Float64, generator: generator);
        double norm = draw.norm().item<double>();
        var scaled = draw.mul(norm > 0 ? length / norm : 0).to_type(like.Flat.dtype).to(like.Flat.device);
        return like.Like(scaled.DetachFromDisposeScope());
    }

    public void Observe(StepContext step, RowValues row)
    {
        using var direction = Direction(step.Update, step.UpdateNorm, step.Step);
        using var end = step.Before.PlusScaled(direction, 1);
        // The BatchNorm buffers of θ_t at both ends: r moves no statistics (the running policy; batch-stats ignores them).
        var measured = profiler.Measure(new Segment(step.Before, end, direction, step.StateBefore, step.StateBefore), alphas, view);
        SegmentProfileProbe.Write(row, Columns.RandomView, measured);
    }

    public void Dispose() { }
}
