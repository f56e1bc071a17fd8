using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>
/// Consecutive recorded steps on one view share a point: f(1) of step t is f(0) of step t+1. A profiler that keeps
/// each profile's end (<see cref="SegmentProfiler.ReuseEnds"/>) takes that point, and the first layer's outputs
/// there, instead of computing them again; every number must equal a fresh measurement bit for bit.
/// </summary>
public class ReusedEndTests
{
    private static readonly double[] Alphas = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

    [Theory]
    [InlineData("mlp", BatchNormPolicy.BatchStats, false)]
    [InlineData("mlp", BatchNormPolicy.Running, false)]
    [InlineData("mlp", BatchNormPolicy.BatchStats, true)]
    [InlineData("small-cnn", BatchNormPolicy.BatchStats, false)]
    [InlineData("small-cnn", BatchNormPolicy.Running, true)]
    public void Reused_ends_give_the_numbers_of_fresh_profiles_bit_for_bit(string name, BatchNormPolicy policy, bool adaptive)
    {
        using var data = SyntheticData.Create(5, trainCount: 450, height: 8, width: 8);
        manual_seed(5);
        using var model = ModelZoo.Create(name, new ModelSpec(1, 8, 8, data.Train.Classes, name == "mlp" ? [64, 32] : [8, 16]));
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, policy);
        using var reusing = new SegmentProfiler(surface, parameters) { ReuseEnds = true };

        var segments = Walk(model, parameters, data.Train, 3);
        try
        {
            foreach (var segment in segments)
            {
                var kept = Measure(reusing, segment, view, adaptive);
                using var fresh = new SegmentProfiler(surface, parameters);
                var expected = Measure(fresh, segment, view, adaptive);
                Assert.Equal(expected.Profile.Alphas, kept.Profile.Alphas);
                Assert.Equal(expected.Profile.Losses, kept.Profile.Losses);
                Assert.Equal(expected.Accuracies, kept.Accuracies);
                Assert.Equal(expected.HeightStandardError, kept.HeightStandardError);
            }
            Assert.Equal(2, reusing.ReusedPoints); // steps 2 and 3 took their α = 0 from the step before
            // First-layer outputs exist only on the fast path; a CNN takes the plain path (the profiler decides), which keeps none.
            if (reusing.Fast) Assert.True(reusing.ReusedFirstLayerPasses >= 2, $"first-layer outputs reused in {reusing.ReusedFirstLayerPasses} passes");
            else Assert.Equal(0, reusing.ReusedFirstLayerPasses);
            Assert.Equal(name == "mlp", reusing.Fast);
        }
        finally
        {
            foreach (var s in segments) Dispose(s);
        }
    }

    [Fact]
    public void Nothing_is_reused_when_the_segment_starts_elsewhere_or_the_view_is_another()
    {
        using var data = SyntheticData.Create(6, trainCount: 300, height: 4, width: 4);
        manual_seed(6);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 4, 4, data.Train.Classes, [16]));
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        using var sameData = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        using var profiler = new SegmentProfiler(surface, parameters) { ReuseEnds = true };
        var segments = Walk(model, parameters, data.Train, 3);
        try
        {
            profiler.Measure(segments[0], Alphas, view);
            profiler.Measure(segments[2], Alphas, view);    // skips a step: starts at θ_2, the kept end is θ_1
            profiler.Measure(segments[0], Alphas, view);
            profiler.Measure(segments[1], Alphas, sameData); // the right start, but another view
            Assert.Equal(0, profiler.ReusedPoints);
            Assert.Equal(0, profiler.ReusedFirstLayerPasses);
            using var off = new SegmentProfiler(surface, parameters);
            off.Measure(segments[0], Alphas, view);
            off.Measure(segments[1], Alphas, view);
            Assert.Equal(0, off.ReusedPoints);
        }
        finally
        {
            foreach (var s in segments) Dispose(s);
        }
    }

    [Theory]
    [InlineData(BatchNormPolicy.BatchStats, false)]
    [InlineData(BatchNormPolicy.Running, false)]
    [InlineData(BatchNormPolicy.BatchStats, true)]
    public void Floor_paths_through_a_kept_point_give_the_numbers_of_fresh_profiles_bit_for_bit(BatchNormPolicy policy, bool adaptive)
    {
        // Floor paths carry no BatchNorm buffers: φ_0 → φ_1, φ_1 → φ_2 (starts at the kept end), φ_0 → φ_2 (lag 2,
        // ends at the kept end), as FloorPathProbe measures them with lags 1 and 2.
        using var data = SyntheticData.Create(7, trainCount: 400, height: 8, width: 8);
        manual_seed(7);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, data.Train.Classes, [64, 32]));
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, policy);
        using var reusing = new SegmentProfiler(surface, parameters) { ReuseEnds = true };
        var steps = Walk(model, parameters, data.Train, 3);
        var floors = steps.Select(s => s.Start.PlusScaled(s.Direction, 0.6)).ToList();
        var paths = new[] { (0, 1), (1, 2), (0, 2) }.Select(p => (From: floors[p.Item1], To: floors[p.Item2])).ToList();
        try
        {
            foreach (var (from, to) in paths)
            {
                using var direction = to.Minus(from);
                var segment = new Segment(from, to, direction, null, null);
                var kept = Measure(reusing, segment, view, adaptive);
                using var fresh = new SegmentProfiler(surface, parameters);
                var expected = Measure(fresh, segment, view, adaptive);
                Assert.Equal(expected.Profile.Alphas, kept.Profile.Alphas);
                Assert.Equal(expected.Profile.Losses, kept.Profile.Losses);
                Assert.Equal(expected.Accuracies, kept.Accuracies);
                Assert.Equal(expected.HeightStandardError, kept.HeightStandardError);
            }
            Assert.Equal(2, reusing.ReusedPoints); // φ_1 as the second path's start, φ_2 as the third path's end
            Assert.True(reusing.ReusedFirstLayerPasses >= 2, $"first-layer outputs reused in {reusing.ReusedFirstLayerPasses} passes");
        }
        finally
        {
            foreach (var s in steps) Dispose(s);
            foreach (var f in floors) f.Dispose();
        }
    }

    [Fact]
    public void Under_running_statistics_a_kept_point_is_not_reused_once_the_model_buffers_changed()
    {
        // A floor path is evaluated with the running statistics of the step it is measured on; a step later they
        // differ, so f(φ_t) then is another number and must be computed again.
        using var data = SyntheticData.Create(8, trainCount: 300, height: 4, width: 4);
        manual_seed(8);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 4, 4, data.Train.Classes, [16]));
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.Running);
        using var reusing = new SegmentProfiler(surface, parameters) { ReuseEnds = true };
        var steps = Walk(model, parameters, data.Train, 2);
        try
        {
            var first = new Segment(steps[0].Start, steps[0].End, steps[0].Direction, null, null);
            var second = new Segment(steps[1].Start, steps[1].End, steps[1].Direction, null, null);
            reusing.Measure(first, Alphas, view);
            using (no_grad()) foreach (var b in model.buffers().Where(b => b.is_floating_point())) b.mul_(0.9);
            var kept = reusing.Measure(second, Alphas, view);
            Assert.Equal(0, reusing.ReusedPoints);
            using var fresh = new SegmentProfiler(surface, parameters);
            Assert.Equal(fresh.Measure(second, Alphas, view).Profile.Losses, kept.Profile.Losses);
        }
        finally
        {
            foreach (var s in steps) Dispose(s);
        }
    }

    private static MeasuredProfile Measure(SegmentProfiler profiler, Segment segment, DataView view, bool adaptive) =>
        adaptive ? profiler.MeasureAdaptive(segment, view) : profiler.Measure(segment, Alphas, view);

    /// <summary><paramref name="steps"/> plain SGD steps on fixed mini-batches; each segment with its BatchNorm buffers at both ends.</summary>
    private static List<Segment> Walk(nn.Module<Tensor, Tensor> model, List<Parameter> parameters, LabeledImages data, int steps)
    {
        var segments = new List<Segment>();
        var start = ParamVector.OfValues(parameters);
        var state = ModelState.Capture(model);
        for (int t = 0; t < steps; t++)
        {
            model.train();
            foreach (var p in parameters) p.grad = null;
            using (var loss = nn.functional.cross_entropy(model.call(data.Inputs()[(t * 100)..(t * 100 + 100)]), data.Labels[(t * 100)..(t * 100 + 100)]))
                loss.backward();
            using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -0.3);
            var end = ParamVector.OfValues(parameters);
            var endState = ModelState.Capture(model);
            segments.Add(new Segment(start, end, end.Minus(start), state, endState));
            start = end.Clone();
            state = ModelState.Capture(model);
        }
        start.Dispose();
        state.Dispose();
        return segments;
    }

    private static void Dispose(Segment s)
    {
        s.Start.Dispose();
        s.End.Dispose();
        s.Direction.Dispose();
        s.StartState?.Dispose();
        s.EndState?.Dispose();
    }
}
