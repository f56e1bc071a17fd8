using SgdWalk.Bench.Primitives;
using SgdWalk.Landscape;

namespace SgdWalk.Bench.Workloads;

/// <summary>What one recorded step's profiles cost: the probe view alone and, for the fast path, batch + probe.</summary>
/// <param name="Probe">The 11-point profile of the probe view.</param>
/// <param name="RecordedStep">Batch-view profile + probe-view profile, timed together per repetition (null for the plain path).</param>
/// <param name="RecordedConsecutive">The same when the step before was recorded too, so the probe view's profile starts
/// from that step's end (its α = 0 point and first-layer outputs are kept, as in the walk); null for the plain path.</param>
/// <param name="RecordedAdaptive">The consecutive recorded step with `--alphas adaptive` on both views; null for the plain path.</param>
/// <param name="Losses">The probe view's 11 losses (identical every repetition).</param>
public sealed record ProfileTimings(Timings Probe, Timings? RecordedStep, Timings? RecordedConsecutive, Timings? RecordedAdaptive, IReadOnlyList<double> Losses);

/// <summary>
/// profile_ms / profile_plain_ms / recorded_step_ms / recorded_step_consecutive_ms / recorded_step_adaptive_ms: the library's segment profile
/// (<see cref="Profiles"/>) on the fixture's segment under BatchNorm batch-stats (chunks of 100), with the fast paths
/// (what the walk uses) or the plain loop of forward passes.
/// </summary>
public static class ProfileWorkload
{
    public static ProfileTimings Measure(BenchFixture fixture, BenchPlan plan, bool fast)
    {
        // As in the walk: the batch view's profiler keeps nothing (the batch changes every step), the probe view's does.
        using var profiles = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast);
        using var consecutive = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast, reuseEnds: true);
        using var adaptive = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast, reuseEnds: true);
        using var previous = fixture.PreviousSegment();
        SegmentProfile? probe = null;
        var probeMs = new List<double>();
        var recordedMs = new List<double>();
        var consecutiveMs = new List<double>();
        var adaptiveMs = new List<double>();
        for (int i = 0; i <= plan.Repeats; i++)
        {
            // The batch view is what a recorded step measures besides the probe view; the plain path skips it.
            double batch = fast ? Timings.Time(() => profiles.Measure(fixture.Segment, plan.Alphas, fixture.BatchView)) : 0;
            double ms = Timings.Time(() => probe = profiles.Measure(fixture.Segment, plan.Alphas, fixture.ProbeView));
            double next = double.NaN, nextAdaptive = double.NaN;
            if (fast)
            {
                consecutive.Measure(previous.Segment, plan.Alphas, fixture.ProbeView); // the step before, recorded too (untimed)
                next = Timings.Time(() => consecutive.Measure(fixture.Segment, plan.Alphas, fixture.ProbeView));
                adaptive.MeasureAdaptive(previous.Segment, fixture.ProbeView);
                nextAdaptive = Timings.Time(() =>
                {
                    profiles.MeasureAdaptive(fixture.Segment, fixture.BatchView);
                    adaptive.MeasureAdaptive(fixture.Segment, fixture.ProbeView);
                });
            }
            if (i == 0) continue; // warm-up: first-call allocations
            probeMs.Add(ms);
            recordedMs.Add(batch + ms);
            consecutiveMs.Add(batch + next);
            adaptiveMs.Add(nextAdaptive);
        }
        if (fast && (consecutive.ReusedPoints != plan.Repeats + 1 || adaptive.ReusedPoints != plan.Repeats + 1))
            throw new InvalidOperationException($"the consecutive profiles reused {consecutive.ReusedPoints} and {adaptive.ReusedPoints} points, not {plan.Repeats + 1}");
        return new ProfileTimings(new Timings(probeMs), fast ? new Timings(recordedMs) : null, fast ? new Timings(consecutiveMs) : null,
            fast ? new Timings(adaptiveMs) : null, probe!.Losses);
    }
}
