using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Tests.Probes;
using SgdWalk.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using BarrierMeasurement = SgdWalk.Barriers.BarrierMeasurement;

namespace SgdWalk.Tests.Barriers;

public class BarrierTests
{
    private static readonly double[] Grid = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();

    private static IReadOnlyList<PathPoint> Path(DoubleWell model, LossFunction loss, (double, double) from, (double, double) to)
    {
        var parameters = model.parameters().ToList();
        model.Set(from.Item1, from.Item2);
        using var a = ParamVector.OfValues(parameters);
        using var sa = ModelState.Capture(model);
        model.Set(to.Item1, to.Item2);
        using var b = ParamVector.OfValues(parameters);
        using var sb = ModelState.Capture(model);
        using var inputs = DoubleWell.Inputs(4);
        using var targets = zeros(4, ScalarType.Int64);
        using var view = DataView.Borrow("train", inputs, targets, 4);
        return new LinearPath(model, loss, BatchNormPolicy.Running, null).Measure(a, sa, b, sb, Grid, [view]);
    }

    [Fact]
    public void The_straight_path_measures_a_known_barrier_exactly()
    {
        using var model = new DoubleWell(0, 0);
        var points = Path(model, DoubleWell.Loss, (-1, 0), (1, 0));
        Assert.Equal(1.0, BarrierMeasurement.Barrier(points, "train"), 12);
        var peak = points.MaxBy(p => p.Views["train"].Loss)!;
        Assert.Equal(0.5, peak.Alpha);
        // Every point is the closed form ((2α − 1)² − 1)².
        foreach (var p in points) Assert.Equal(Math.Pow(Math.Pow(2 * p.Alpha - 1, 2) - 1, 2), p.Views["train"].Loss, 12);
        // The model is left where it was.
        Assert.Equal(new[] { 1.0, 0.0 }, model.parameters().First().data<double>().ToArray());
    }

    [Fact]
    public void A_convex_bowl_never_reports_a_barrier()
    {
        using var model = new DoubleWell(0, 0);
        var rng = new Random(4);
        for (int i = 0; i < 20; i++)
        {
            var points = Path(model, DoubleWell.Bowl, (rng.NextDouble() * 4 - 2, rng.NextDouble() * 4 - 2), (rng.NextDouble() * 4 - 2, rng.NextDouble() * 4 - 2));
            Assert.True(BarrierMeasurement.Barrier(points, "train") <= 0);
            var profile = SegmentProfile.Analyse(Grid, points.Select(p => p.Views["train"].Loss).ToArray());
            Assert.False(profile.CrossesBarrier());
            Assert.Equal(0, profile.Bump);
        }
    }

    [Fact]
    public void The_floor_path_probe_finds_the_barrier_between_two_floor_points()
    {
        // Step 0 walks x from −1.5 to −0.5 (floor at the well x = −1); step 1 from −0.5 to 1.2, jumping over the
        // barrier at x = 0 into the other well (floor at x = 1). The floors' straight path crosses the barrier of height 1.
        using var model = new DoubleWell(-1.5, 0);
        using var inputs = DoubleWell.Inputs(8);
        using var targets = zeros(8, ScalarType.Int64);
        var probe = DataView.Own("probe", inputs.clone(), targets.clone(), 8);
        var alphas = Enumerable.Range(0, 41).Select(i => i / 40.0).ToArray();
        var options = new RecorderOptions { Record = RecordSchedule.All, Alphas = alphas, FloorLags = [1], BatchChunkSize = 8 };
        string folder = Directory.CreateTempSubdirectory().FullName;
        using (var recorder = new WalkRecorder(model, options, folder, probe, DoubleWell.Loss))
        {
            foreach (var (step, next) in new[] { (0, -0.5), (1, 1.2) })
            {
                recorder.BeginStep(inputs, targets);
                using (var loss = DoubleWell.Loss(model.call(inputs), targets)) { loss.backward(); recorder.CaptureGradient(loss.item<double>()); }
                model.Set(next, 0);
                recorder.EndStep(step, 1, 0.1);
            }
        }
        var steps = CsvTable.Read(System.IO.Path.Combine(folder, "steps.csv"));
        Assert.True(double.IsNaN(steps.Number(0, "floor_barrier_k1")));
        Assert.Equal(1.0, steps.Number(1, "floor_barrier_k1"), 2);
        Assert.Equal(0.5, steps.Number(1, "floor_barrier_k1_alpha"), 2);
        // SGD's own step 1 crossed it too: 1 above the higher end f(−0.5) = 0.5625 (the grid misses x = 0 by < 0.03).
        Assert.Equal(0.4375, steps.Number(1, "probe_bump"), 2);
        var summary = RunSummary.FromFolder(new RunFolder(folder));
        Assert.Equal(1.0, summary.Barriers.FloorBarrierFraction);
        Assert.Equal(0.5, summary.Barriers.StepBarrierFraction);
        var profiles = CsvTable.Read(System.IO.Path.Combine(folder, "profiles.csv"));
        Assert.Equal(alphas.Length, Enumerable.Range(0, profiles.Rows.Count).Count(r => profiles.Text(r, "view") == "floor-k1"));
    }

    [Fact]
    public void Floor_sgd_lands_on_the_exact_line_minimum_of_a_quadratic()
    {
        var rng = new Random(2);
        double[][] x = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, 3).Select(_ => rng.NextDouble() - 0.5).ToArray()).ToArray();
        double[] y = x.Select(r => r.Sum() + 0.1).ToArray();
        var q = new Quadratic(x, y);
        manual_seed(1);
        using var model = new LinearRegression(3);
        var parameters = model.parameters().ToList();
        using var inputs = tensor(x.SelectMany(r => r).ToArray(), [32, 3]);
        using var targets = tensor(y, [32, 1]);
        using var view = DataView.Borrow("batch", inputs, targets, 32);
        foreach (double h in new[] { 0.0, 0.5 })
        {
            var step = new FloorStep(new LossSurface(model, LinearRegression.Loss, BatchNormPolicy.BatchStats), parameters, h);
            for (int t = 0; t < 3; t++)
            {
                var theta = model.Theta();
                var g = q.Gradient(theta);
                double lr = 0.7 * Quadratic.Dot(g, g) / q.Curvature(g); // SGD overshoots or undershoots; the floor is at 1/(η·S)
                double floor = Quadratic.Dot(g, g) / (lr * q.Curvature(g));
                using var before = ParamVector.OfValues(parameters);
                model.zero_grad();
                using (var loss = LinearRegression.Loss(model.call(inputs), targets)) loss.backward();
                using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -lr);
                double alpha = step.Apply(before, view);
                Assert.Equal(floor + h * (1 - floor), alpha, 9);
                var expected = theta.Zip(g, (th, gi) => th - alpha * lr * gi).ToArray();
                Assert.Equal(expected, model.Theta(), (a, b) => Math.Abs(a - b) < 1e-9);
            }
        }
    }

    /// <summary>
    /// A floor far beyond the first grid (α* = 3.7 on a quadratic, where the parabola through the grid minimum is exact):
    /// the bracket doubles until it holds the floor, and the search lands on it; nothing is counted as beyond the cap.
    /// </summary>
    [Fact]
    public void Floor_sgd_extends_its_bracket_to_a_floor_beyond_the_first_grid()
    {
        var (model, parameters, inputs, targets, q) = QuadraticValley();
        using (model)
        using (inputs)
        using (targets)
        using (var view = DataView.Borrow("batch", inputs, targets, 32))
        {
            var step = new FloorStep(new LossSurface(model, LinearRegression.Loss, BatchNormPolicy.BatchStats), parameters, 0);
            foreach (double floor in new[] { 3.7, 11.3, 0.6 })
            {
                var theta = model.Theta();
                var g = q.Gradient(theta);
                double lr = Quadratic.Dot(g, g) / (floor * q.Curvature(g)); // the floor 1/(η·S) at exactly this α
                using var before = ParamVector.OfValues(parameters);
                SgdStepOn(model, parameters, inputs, targets, lr);
                double alpha = step.Apply(before, view);
                Assert.Equal(floor, alpha, 1e-8);
                Assert.False(step.LastBeyondCap);
                var expected = theta.Zip(g, (th, gi) => th - alpha * lr * gi).ToArray();
                Assert.Equal(expected, model.Theta(), (a, b) => Math.Abs(a - b) < 1e-9);
            }
            Assert.Equal(0, step.BeyondCap);
        }
    }

    /// <summary>A loss linear in θ falls forever along the SGD direction: the search says its floor lies beyond the cap.</summary>
    [Fact]
    public void A_floor_beyond_the_cap_is_counted_and_the_step_lands_on_the_cap()
    {
        var (model, parameters, inputs, targets, _) = QuadraticValley();
        static Tensor Linear(Tensor outputs, Tensor targets) => outputs.mean();
        using (model)
        using (inputs)
        using (targets)
        using (var view = DataView.Borrow("batch", inputs, targets, 32))
        {
            var step = new FloorStep(new LossSurface(model, Linear, BatchNormPolicy.BatchStats), parameters, 0);
            for (int t = 0; t < 2; t++)
            {
                using var before = ParamVector.OfValues(parameters);
                model.zero_grad();
                using (var loss = Linear(model.call(inputs), targets)) loss.backward();
                using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -0.1);
                using var sgd = ParamVector.OfValues(parameters);
                using var update = sgd.Minus(before);
                Assert.Equal(FloorStep.MaxAlpha, step.Apply(before, view));
                Assert.True(step.LastBeyondCap);
                using var expected = before.PlusScaled(update, FloorStep.MaxAlpha);
                Assert.Equal(expected.ToArray(), ParamVector.OfValues(parameters).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
            }
            Assert.Equal(2, step.BeyondCap);
        }
    }

    private static (LinearRegression Model, List<TorchSharp.Modules.Parameter> Parameters, Tensor Inputs, Tensor Targets, Quadratic Q) QuadraticValley()
    {
        var rng = new Random(5);
        double[][] x = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, 3).Select(_ => rng.NextDouble() - 0.5).ToArray()).ToArray();
        double[] y = x.Select(r => r.Sum() + 0.1).ToArray();
        manual_seed(3);
        var model = new LinearRegression(3);
        return (model, model.parameters().ToList(), tensor(x.SelectMany(r => r).ToArray(), [32, 3]), tensor(y, [32, 1]), new Quadratic(x, y));
    }

    private static void SgdStepOn(LinearRegression model, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, Tensor inputs, Tensor targets, double lr)
    {
        model.zero_grad();
        using (var loss = LinearRegression.Loss(model.call(inputs), targets)) loss.backward();
        using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -lr);
    }

    [Fact]
    public void Recomputing_batchnorm_statistics_is_exact_and_leaves_the_models_buffers_untouched()
    {
        using var data = SyntheticData.Create(6, trainCount: 400);
        manual_seed(6);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 8, 8, data.Train.Classes, [16]));
        var bn = model.modules().OfType<BatchNorm>().First();
        using var view = DataView.Borrow("train", data.Train.Inputs(), data.Train.Labels, 100);
        var affine = (IAffineFirstLayer)model;

        BatchNormRecalibration.Apply(model, view);
        using (no_grad())
        {
            using var z = affine.FirstLayer(data.Train.Inputs());
            using var mean = z.mean([0]);
            Assert.True(bn.running_mean!.allclose(mean, rtol: 1e-4, atol: 1e-5));
        }

        // Along a path with recomputation, the model's own buffers come back bit for bit.
        var parameters = model.parameters().ToList();
        using var before = ModelState.Capture(model);
        using var a = ParamVector.OfValues(parameters);
        using var b = a.PlusScaled(a, 0.5);
        var path = new LinearPath(model, LossSurface.CrossEntropy, BatchNormPolicy.Recompute, view);
        var points = path.Measure(a, before, b, before, [0, 0.5, 1], [view]);
        Assert.Equal(3, points.Count);
        using var after = ModelState.Capture(model);
        for (int i = 0; i < before.SavedBuffers.Count; i++)
            Assert.True(before.SavedBuffers[i].equal(after.SavedBuffers[i]).all().item<bool>());
    }
}
