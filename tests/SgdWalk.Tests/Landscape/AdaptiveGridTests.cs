using CsCheck;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>The adaptive grid finds the floor with fewer points, against closed-form curves and a dense grid on real steps.</summary>
public class AdaptiveGridTests
{
    [Fact]
    public void A_quadratic_floor_is_found_exactly_with_at_most_nine_points()
    {
        Gen.Select(Gen.Double[0.1, 50], Gen.Double[0.02, 0.98]).Sample((a, c) =>
        {
            var (alphas, losses) = AdaptiveGrid.Sample(xs => xs.Select(x => a * (x - c) * (x - c)).ToArray());
            Assert.True(alphas.Length <= 11, $"{alphas.Length} points");
            Assert.Equal(c, SegmentProfile.Analyse(alphas, losses).FloorAlpha, 1e-9);
        });
    }

    [Fact]
    public void An_asymmetric_valley_floor_is_found_within_the_tolerance()
    {
        // f(α) = e^{s(α−c)} − s(α−c): convex, minimum at c, skewed; a parabola fits it only locally. |s| ≤ 4 puts
        // the two walls' slopes up to 50× apart across the step, far more lopsided than the valleys SGD bounces in.
        Gen.Select(Gen.Double[-4, 4], Gen.Double[0.05, 0.95], Gen.Double[0.002, 0.02]).Sample((s, c, tolerance) =>
        {
            if (Math.Abs(s) < 0.5) return;
            double F(double x) => Math.Exp(s * (x - c)) - s * (x - c);
            var (alphas, losses) = AdaptiveGrid.Sample(xs => xs.Select(F).ToArray(), tolerance);
            Assert.Equal(c, SegmentProfile.Analyse(alphas, losses).FloorAlpha, tolerance / 2);
            Assert.True(alphas.Length < 20);
        }, iter: 5000);
    }

    [Fact]
    public void A_monotone_step_stops_early_at_its_end()
    {
        var (alphas, losses) = AdaptiveGrid.Sample(xs => xs.Select(x => 1 - x).ToArray());
        var profile = SegmentProfile.Analyse(alphas, losses);
        Assert.Equal(1, profile.FloorAlpha);
        Assert.False(profile.Interior);
        Assert.True(alphas.Length <= 11);
    }

    [Fact]
    public void On_real_steps_the_adaptive_floor_matches_a_dense_grid()
    {
        using var data = SyntheticData.Create(12, trainCount: 1000, height: 8, width: 8);
        manual_seed(12);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, data.Train.Classes, [64, 32]));
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var profiler = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats), parameters);
        var dense = Enumerable.Range(0, 41).Select(i => i / 40.0).ToArray();
        int interior = 0;
        for (int step = 0; step < 40; step++)
        {
            using var start = ParamVector.OfValues(parameters);
            model.train();
            using (var batch = randint(0, 1000, [100]))
            using (var loss = nn.functional.cross_entropy(model.call(data.Train.Inputs().index_select(0, batch)), data.Train.Labels.index_select(0, batch)))
                loss.backward();
            using (no_grad()) foreach (var p in parameters) { p.add_(p.grad!, -1.0); p.grad!.zero_(); }
            if (step < 28) continue; // past the first, monotone descent: into the valley-bouncing regime
            using var end = ParamVector.OfValues(parameters);
            using var direction = end.Minus(start);
            var segment = new Segment(start, end, direction, null, null);

            var adaptive = profiler.MeasureAdaptive(segment, view, 0.01);
            var reference = profiler.Measure(segment, dense, view);
            Assert.True(adaptive.Profile.Alphas.Count < dense.Length / 3);
            if (!reference.Profile.Interior) continue;
            interior++;
            Assert.Equal(reference.Profile.FloorAlpha, adaptive.Profile.FloorAlpha, 0.01);
            Assert.Equal(reference.Profile.Height, adaptive.Profile.Height, 0.02 * reference.Profile.Height + 1e-6);
            Assert.Equal(reference.Profile.LossStart, adaptive.Profile.LossStart);
            Assert.True(double.IsFinite(adaptive.HeightStandardError));
        }
        Assert.True(interior >= 6, $"only {interior} of 12 floors interior: the test needs a realistic walk");
    }
}
