using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The curvature probes through the whole recording path on a quadratic (least squares), where every quantity has a
/// closed form: S_t = gᵀHg/‖g‖², floor_alpha = 1/(η·S_t) exactly, λ_max and tr(H) of H = (2/n)AᵀA.
/// </summary>
public class CurvatureProbeTests
{
    private const int Features = 4, BatchSize = 16, ProbeSize = 32, Steps = 3;

    [Fact]
    public void Step_sharpness_floor_prediction_and_probe_curvature_equal_their_closed_forms()
    {
        var rng = new Random(3);
        double[][] X(int n) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, Features).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
        double[] Y(double[][] x) => x.Select(r => r.Sum() * 0.5 - 0.2 + 0.1 * (rng.NextDouble() - 0.5)).ToArray();
        var batches = Enumerable.Range(0, Steps).Select(_ => X(BatchSize)).ToArray();
        var batchTargets = batches.Select(Y).ToArray();
        var probeX = X(ProbeSize);
        var probeY = Y(probeX);

        manual_seed(9);
        using var model = new LinearRegression(Features);
        var theta = model.Theta();
        const double lr = 0.3;
        var alphas = Enumerable.Range(0, 81).Select(i => i / 20.0).ToArray(); // 0 … 4: every floor lies inside
        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions
        {
            Record = RecordSchedule.All, Alphas = alphas, BatchChunkSize = BatchSize,
            Sharpness = new SharpnessOptions
            {
                Schedule = RecordSchedule.All, TopK = 2, EigenIterations = 5, EigenTolerance = 1e-12, TraceSamples = 400,
                // Batches as large as the probe set are the probe set itself: batch sharpness has a closed form.
                BatchSharpnessBatches = 3, BatchSize = ProbeSize, Seed = 1, BatchSharpnessSeed = 2,
            },
        };
        var probeView = DataView.Own("probe", Tensor2D(probeX), Column(probeY), ProbeSize);
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
            Assert.True(recorder.Hessian.Products > 0);
        }

        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        var probe = new Quadratic(probeX, probeY);
        var (probeEigen, probeTrace) = Spectrum(probeX);
        for (int t = 0; t < Steps; t++)
        {
            var q = new Quadratic(batches[t], batchTargets[t]);
            var g = q.Gradient(theta);
            double s = q.Curvature(g) / Quadratic.Dot(g, g);
            Assert.Equal(s, steps.Number(t, "step_sharpness"), 1e-10);
            // The identity the valley-floor picture rests on, exactly: floor_alpha = 1/(η·S).
            Assert.Equal(1 / (lr * s), steps.Number(t, "floor_alpha_predicted"), 1e-10);
            Assert.Equal(steps.Number(t, "batch_floor_alpha"), steps.Number(t, "floor_alpha_predicted"), 1e-8);
            Assert.Equal(0, steps.Number(t, "floor_alpha_residual"), 1e-8);

            // H is constant on a quadratic: λ_max, λ_2 and the trace of the probe loss at every step.
            Assert.Equal(probeEigen[^1], steps.Number(t, "lambda_max"), 1e-9);
            Assert.Equal(probeEigen[^2], steps.Number(t, "lambda_2"), 1e-9);
            Assert.True(Math.Abs(probeTrace - steps.Number(t, "trace")) <= 3 * steps.Number(t, "trace_se"));

            var gp = probe.Gradient(theta);
            Assert.Equal(probe.Curvature(gp) / Quadratic.Dot(gp, gp), steps.Number(t, "batch_sharpness"), 1e-10);
            Assert.Equal(0, steps.Number(t, "batch_sharpness_se"), 1e-10);
            theta = theta.Zip(g, (a, b) => a - lr * b).ToArray();
        }
        // Measuring curvature moved nothing: the model ends where plain arithmetic puts SGD.
        Assert.Equal(theta, model.Theta(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    /// <summary>Eigenvalues (ascending) and trace of H = (2/n)AᵀA with A = [X 1].</summary>
    private static (double[] Eigenvalues, double Trace) Spectrum(double[][] x)
    {
        using var scope = NewDisposeScope();
        var a = cat([Tensor2D(x), ones(x.Length, 1, ScalarType.Float64)], 1);
        var h = a.t().matmul(a).mul(2.0 / x.Length);
        return (linalg.eigvalsh(h).data<double>().ToArray(), h.trace().item<double>());
    }

    private static Tensor Tensor2D(double[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Column(double[] values) => tensor(values, [values.Length, 1]);
}
