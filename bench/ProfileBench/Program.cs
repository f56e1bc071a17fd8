// Measures what one recorded step of the default walk costs: the segment profile (11 points, and adaptive) of the mlp
// on the bench's 5,000-sample probe view, under both BatchNorm policies, with and without the fast paths (first-layer
// shortcut), against the cost of a plain training step measured in the same process. Medians of repeated measurements.
//
//   dotnet run -c Release --project bench/ProfileBench -- [repeats] [threads] [--dataset NAME] [--quick]

using System.Globalization;
using SgdWalk.Bench;
using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Workloads;
using SgdWalk.Landscape;
using static TorchSharp.torch;

namespace ProfileBench;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out);

    /// <summary>The whole bench, writing its lines to <paramref name="output"/> (the tests run it on synthetic data).</summary>
    public static int Run(string[] args, TextWriter output) => FocusedBench.Run("ProfileBench", args, defaultRepeats: 5, output, (options, fixture) =>
    {
        var plan = options.Plan;
        int probe = fixture.ProbeView.Count, points = plan.Alphas.Count;

        double trainMs = TrainStepWorkload.Measure(fixture, plan).Median;
        output.WriteLine(Invariant($"threads {options.Threads}; plain training step (batch {plan.TrainBatch}): {trainMs:F2} ms"));

        // The fused first BatchNorm (SegmentProfiler.FuseFirstBatchNorm) on and off, interleaved: A, B, A, B, ...
        using (var fused = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast: true))
        using (var unfused = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast: true, fuseFirstBatchNorm: false))
        {
            var (on, off) = (new List<double>(), new List<double>());
            for (int r = 0; r <= plan.Repeats; r++)
            {
                double a = Timings.Time(() => fused.Measure(fixture.Segment, plan.Alphas, fixture.ProbeView));
                double b = Timings.Time(() => unfused.Measure(fixture.Segment, plan.Alphas, fixture.ProbeView));
                if (r > 0) (on, off) = ([.. on, a], [.. off, b]); // the first round is untimed
            }
            double onMs = new Timings(on).Median, offMs = new Timings(off).Median;
            output.WriteLine(Invariant($"profile {points} x {probe}, bn BatchStats, first BatchNorm fused: {onMs,7:F0} ms = {onMs / trainMs,5:F0} training steps; ") +
                Invariant($"not fused: {offMs,7:F0} ms = {offMs / trainMs,5:F0} training steps (interleaved, medians of {plan.Repeats})"));
        }

        // The running-statistics policy evaluates in larger chunks: its loss does not depend on the chunk size.
        using var scope = NewDisposeScope();
        var (inputs, targets) = fixture.ProbeView.Rows(0, probe);
        foreach (var policy in new[] { BatchNormPolicy.BatchStats, BatchNormPolicy.Running })
            foreach (bool fast in new[] { false, true })
            {
                int chunk = policy == BatchNormPolicy.BatchStats ? plan.ProbeChunk : 10 * plan.ProbeChunk;
                using var view = DataView.Borrow("probe", inputs, targets, chunk);
                using var profiles = new Profiles(fixture.Model, fixture.Parameters, policy, fast);
                double ms = Timings.Measure(plan.Repeats, () => profiles.Measure(fixture.Segment, plan.Alphas, view)).Median;
                output.WriteLine(Invariant($"profile {points} x {probe}, bn {policy,-10} chunk {chunk,4}, ") +
                    Invariant($"first-layer shortcut {(fast ? "on " : "off")}: ") +
                    Invariant($"{ms,7:F0} ms = {ms / trainMs,5:F0} training steps"));
            }

        // The adaptive grid (--alphas adaptive) on the same segment under the default policy.
        using var batchStats = new Profiles(fixture.Model, fixture.Parameters, BatchNormPolicy.BatchStats, fast: true);
        var fixedGrid = batchStats.Measure(fixture.Segment, plan.Alphas, fixture.ProbeView);
        SegmentProfile? adaptive = null;
        double heightError = double.NaN;
        double adaptiveMs = Timings.Measure(plan.Repeats, () => (adaptive, heightError) = batchStats.MeasureAdaptive(fixture.Segment, fixture.ProbeView)).Median;
        output.WriteLine(Invariant($"profile adaptive x {probe}, bn BatchStats chunk {plan.ProbeChunk,4}, fast: ") +
            Invariant($"{adaptiveMs,7:F0} ms = {adaptiveMs / trainMs,5:F0} training steps; ") +
            Invariant($"{adaptive!.Alphas.Count} points, floor alpha {adaptive.FloorAlpha:F4} ({points}-point grid {fixedGrid.FloorAlpha:F4}), ") +
            Invariant($"height {adaptive.Height:F5} ± {heightError:F5}"));
    });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
