using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The whole recording path (recorder → probes → files) against closed forms on a quadratic loss: for plain SGD on
/// the step's own batch, floor_alpha = 1/(η·S) with S = gᵀHg/‖g‖², and the profile, height, norms, distance and
/// cosines equal plain double arithmetic on the flattened vectors.
/// </summary>
public class RecorderOracleTests
{
    private const int Features = 4, BatchSize = 16, Steps = 4;

    [Fact]
    public void Recorded_quantities_equal_their_closed_forms_on_a_quadratic()
    {
        var rng = new Random(11);
        double[][] X(int n) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, Features).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
        double[] Y(double[][] x) => x.Select(r => r.Sum() * 0.7 + 0.3 + 0.2 * (rng.NextDouble() - 0.5)).ToArray();
        var batches = Enumerable.Range(0, Steps).Select(_ => X(BatchSize)).ToArray();
        var batchTargets = batches.Select(Y).ToArray();
        var probeX = X(64);
        var probeY = Y(probeX);

        manual_seed(5);
        using var model = new LinearRegression(Features);
        var theta0 = model.Theta();
        // A learning rate that overshoots the first batch's line minimum: floor_alpha = 1/(η·S) ≈ 0.6.
        var q0 = new Quadratic(batches[0], batchTargets[0]);
        var g0 = q0.Gradient(theta0);
        double lr = 1 / (0.6 * q0.Curvature(g0) / Quadratic.Dot(g0, g0));
        var alphas = Enumerable.Range(0, 61).Select(i => i / 20.0).ToArray(); // 0 … 3, wide enough for every floor

        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions { Record = RecordSchedule.All, Alphas = alphas, BatchChunkSize = BatchSize };
        var probeView = DataView.Own("probe", Tensor2D(probeX), Column(probeY), 64);
        using (var recorder = new WalkRecorder(model, options, folder, probeView, LinearRegression.Loss))
        using (var optimizer = new SgdOptimizer(model.parameters().ToList()))
        {
            for (int t = 0; t < Steps; t++)
            {
                using var x = Tensor2D(batches[t]);
                using var y = Column(batchTargets[t]);
                recorder.BeginStep(x, y);
                optimizer.ZeroGrad();
                using var loss = LinearRegression.Loss(model.call(x), y);
                loss.backward();
                recorder.CaptureGradient(loss.item<double>());
                optimizer.Step(lr);
                recorder.EndStep(t, 1, lr);
            }
        }

        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        var profiles = CsvTable.Read(Path.Combine(folder, "profiles.csv"));
        Assert.Equal(Steps, steps.Rows.Count);
        Assert.Equal(Steps * alphas.Length * 2, profiles.Rows.Count);

        var probe = new Quadratic(probeX, probeY);
        var theta = theta0;
        double[]? previousG = null, previousU = null;
        for (int t = 0; t < Steps; t++)
        {
            var q = new Quadratic(batches[t], batchTargets[t]);
            var g = q.Gradient(theta);
            var u = g.Select(v => -lr * v).ToArray();
            var next = theta.Zip(u).Select(p => p.First + p.Second).ToArray();
            double s = q.Curvature(g) / Quadratic.Dot(g, g);

            Assert.Equal(q.Loss(theta), steps.Number(t, "train_loss"), 1e-12);
            Assert.Equal(Quadratic.Norm(g), steps.Number(t, "grad_norm"), 1e-10);
            Assert.Equal(Quadratic.Norm(u), steps.Number(t, "step_norm"), 1e-10);
            Assert.Equal(Quadratic.Norm(theta.Zip(theta0).Select(p => p.First - p.Second).ToArray()), steps.Number(t, "dist_init"), 1e-10);
            if (previousG is null) Assert.True(double.IsNaN(steps.Number(t, "cos_grad")));
            else
            {
                Assert.Equal(Quadratic.Dot(previousG, g) / (Quadratic.Norm(previousG) * Quadratic.Norm(g)), steps.Number(t, "cos_grad"), 1e-10);
                Assert.Equal(Quadratic.Dot(previousU!, u) / (Quadratic.Norm(previousU!) * Quadratic.Norm(u)), steps.Number(t, "cos_update"), 1e-10);
            }

            // The valley floor of the step on its own batch: floor_alpha = 1/(η·S), height = ‖g‖⁴ / (2 gᵀHg).
            Assert.Equal(1 / (lr * s), steps.Number(t, "batch_floor_alpha"), 1e-8);
            Assert.Equal(Math.Pow(Quadratic.Dot(g, g), 2) / (2 * q.Curvature(g)), steps.Number(t, "batch_height"), 1e-9);
            Assert.Equal(0, steps.Number(t, "batch_bump"));
            Assert.Equal(0, steps.Number(t, "batch_nonconvexity"), 1e-6);
            Assert.Equal(q.Loss(next), steps.Number(t, "batch_loss_end"), 1e-12);

            // Every sampled point of both views equals the closed-form loss at θ_t + α·u_t.
            for (int i = 0; i < alphas.Length; i++)
            {
                var point = theta.Zip(u).Select(p => p.First + alphas[i] * p.Second).ToArray();
                int batchRow = (t * 2 * alphas.Length) + i, probeRow = batchRow + alphas.Length;
                Assert.Equal("batch", profiles.Text(batchRow, "view"));
                Assert.Equal(alphas[i], profiles.Number(batchRow, "alpha"));
                Assert.Equal(q.Loss(point), profiles.Number(batchRow, "loss"), 1e-12);
                Assert.Equal("probe", profiles.Text(probeRow, "view"));
                Assert.Equal(probe.Loss(point), profiles.Number(probeRow, "loss"), 1e-12);
            }
            // On the probe view the floor is that of the probe quadratic along u: α* = −∇L_P·u / (uᵀH_P u).
            double probeFloor = -Quadratic.Dot(probe.Gradient(theta), u) / probe.Curvature(u);
            if (probeFloor is > 0.1 and < 2.9) Assert.Equal(probeFloor, steps.Number(t, "probe_floor_alpha"), 1e-8);

            (theta, previousG, previousU) = (next, g, u);
        }
        // The model ends exactly where plain arithmetic says SGD ends: probes moved nothing.
        Assert.Equal(theta, model.Theta(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    private static Tensor Tensor2D(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Column(double[] values) => tensor(values, [values.Length, 1]);
}
