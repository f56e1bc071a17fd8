using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// Under `--bn running` every curvature quantity of step t belongs to θ_t with θ_t's own running statistics, not with
/// the statistics step t's forward pass has already moved on to. The oracle is a second model holding exactly θ_t and
/// its buffers, whose explicit Hessian (float64, built row by row with autograd) gives S_t, λ_max and the batch
/// sharpness of a single batch the size of the probe set.
/// </summary>
public class CurvatureAtStartTests
{
    private const int Samples = 12, Steps = 3;
    private const double LearningRate = 0.5, Tolerance = 1e-9;

    [Fact]
    public void Curvature_under_running_statistics_is_that_of_theta_t_with_its_own_buffers()
    {
        manual_seed(11);
        // Far from BatchNorm's initial statistics (mean 0, variance 1), so one step moves the buffers a lot.
        using var batchX = randn(Samples, 3, dtype: ScalarType.Float64).mul(3).add(2);
        using var batchY = tensor(new long[] { 0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 2, 1 });
        using var probeX = randn(Samples, 3, dtype: ScalarType.Float64).mul(3).add(2);
        using var probeY = tensor(new long[] { 2, 1, 0, 0, 1, 2, 1, 1, 0, 2, 2, 0 });
        using var model = Tiny();
        using var atStart = Tiny();
        using var wrongBuffers = Tiny();
        var options = new RecorderOptions
        {
            Probes = ProbePreset.Cheap, BatchNorm = BatchNormPolicy.Running, BatchChunkSize = Samples,
            Sharpness = new SharpnessOptions
            {
                Schedule = RecordSchedule.All, EigenIterations = 60, EigenTolerance = 1e-14, TraceSamples = 0,
                // One batch as large as the probe set: the probe set itself, in another order.
                BatchSharpnessBatches = 1, BatchSize = Samples, Seed = 5,
            },
        };
        string folder = Directory.CreateTempSubdirectory().FullName;
        var expected = new List<(double Step, double Lambda, double Batch)>();
        var wrong = new List<(double Step, double Lambda, double Batch)>();
        var probeView = DataView.Own("probe", probeX.clone(), probeY.clone(), Samples);
        using (var recorder = new WalkRecorder(model, options, folder, probeView))
        using (var optimizer = new SgdOptimizer(model.parameters().ToList()))
        {
            for (int t = 0; t < Steps; t++)
            {
                CopyState(model, atStart);
                recorder.BeginStep(batchX, batchY);
                model.train();
                optimizer.ZeroGrad();
                using (var loss = nn.functional.cross_entropy(model.call(batchX), batchY))
                {
                    loss.backward();
                    recorder.CaptureGradient(loss.item<double>());
                }
                double[] g = model.parameters().SelectMany(p => p.grad!.reshape(-1).data<double>().ToArray()).ToArray();
                optimizer.Step(LearningRate);
                // θ_t with the buffers of θ_{t+1}: what the probes used to see.
                CopyState(model, wrongBuffers);
                CopyParameters(atStart, wrongBuffers);
                recorder.EndStep(t, 1, LearningRate);

                expected.Add(Oracle(atStart, g, batchX, batchY, probeX, probeY));
                wrong.Add(Oracle(wrongBuffers, g, batchX, batchY, probeX, probeY));
            }
        }

        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        for (int t = 0; t < Steps; t++)
        {
            AssertRelative(expected[t].Step, steps.Number(t, Columns.StepSharpness));
            AssertRelative(expected[t].Lambda, steps.Number(t, Columns.LambdaMax));
            AssertRelative(expected[t].Batch, steps.Number(t, Columns.BatchSharpness));
        }
        // The buffers matter here: θ_t with θ_{t+1}'s statistics gives clearly different curvature.
        Assert.All(Enumerable.Range(0, Steps), t =>
            Assert.True(Math.Abs(wrong[t].Lambda - expected[t].Lambda) > 1e3 * Tolerance * Math.Abs(expected[t].Lambda)));
    }

    /// <summary>S_t on the batch, λ_max on the probe set and gᵀHg/‖g‖² with g the probe gradient, at the model's state.</summary>
    private static (double Step, double Lambda, double Batch) Oracle(nn.Module<Tensor, Tensor> model, double[] g,
        Tensor batchX, Tensor batchY, Tensor probeX, Tensor probeY)
    {
        var (_, batchHessian) = GradientAndHessian(model, batchX, batchY);
        var (probeGradient, probeHessian) = GradientAndHessian(model, probeX, probeY);
        using var eigenvalues = linalg.eigvalsh(probeHessian);
        return (Rayleigh(batchHessian, g), eigenvalues.data<double>().ToArray()[^1], Rayleigh(probeHessian, probeGradient));
    }

    private static (double[] Gradient, Tensor Hessian) GradientAndHessian(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        model.eval();
        var inputs = model.parameters().Cast<Tensor>().ToList();
        var loss = nn.functional.cross_entropy(model.call(x), y);
        var flat = cat(torch.autograd.grad([loss], inputs, retain_graph: true, create_graph: true).Select(p => p.reshape(-1)).ToList(), 0);
        var rows = Enumerable.Range(0, (int)flat.shape[0]).Select(j =>
        {
            var row = torch.autograd.grad([flat[j]], inputs, retain_graph: true, allow_unused: true);
            return cat(row.Select((r, i) => r.IsInvalid ? zeros_like(inputs[i]).reshape(-1) : r.reshape(-1)).ToList(), 0);
        }).ToList();
        var hessian = stack(rows);
        hessian = hessian.add(hessian.t()).div(2).MoveToOuterDisposeScope();
        return (flat.detach().data<double>().ToArray(), hessian);
    }

    private static double Rayleigh(Tensor hessian, double[] v)
    {
        using var scope = NewDisposeScope();
        var vector = tensor(v, ScalarType.Float64);
        return vector.dot(hessian.mv(vector)).item<double>() / vector.dot(vector).item<double>();
    }

    private static void AssertRelative(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Abs(expected), $"expected {expected}, recorded {actual}");

    /// <summary>3 → 4 (BatchNorm, tanh) → 3 in float64; the same seed gives the same initial parameters.</summary>
    private static nn.Module<Tensor, Tensor> Tiny()
    {
        manual_seed(7);
        return nn.Sequential(new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("fc1", nn.Linear(3, 4, dtype: ScalarType.Float64)), ("bn", nn.BatchNorm1d(4, dtype: ScalarType.Float64)),
            ("act", nn.Tanh()), ("fc2", nn.Linear(4, 3, dtype: ScalarType.Float64)),
        });
    }

    private static void CopyState(nn.Module from, nn.Module to)
    {
        CopyParameters(from, to);
        using var _ = no_grad();
        foreach (var (source, target) in from.buffers().Zip(to.buffers())) target.copy_(source);
    }

    private static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        foreach (var (source, target) in from.parameters().Zip(to.parameters())) target.copy_(source);
    }
}
