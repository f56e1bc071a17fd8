using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The cheap probes of a float32 model (read in the recorder's fused passes) against plain float64 arithmetic on the
/// vectors the test copies itself around every step: ‖g_t‖, ‖u_t‖, ‖θ_t − θ_0‖ and the two cosines, with momentum and
/// weight decay in the update, and with the authors' weight-decayed gradient in the cosine.
/// </summary>
public class CheapProbeOracleTests
{
    private const int Steps = 8;

    [Theory]
    [InlineData(0.0)]
    [InlineData(5e-4)]
    public void Norms_distance_and_cosines_equal_float64_arithmetic(double cosineWeightDecay)
    {
        manual_seed(7);
        // Parts of odd lengths (7·6·6 + 7, 33·7 + 33, 5·33 + 5) exercise the passes' vector loops and their scalar tails.
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [33]));
        var parameters = model.parameters().ToList();
        Assert.All(parameters, p => Assert.Equal(ScalarType.Float32, p.dtype));
        using var optimizer = new SgdOptimizer(parameters, momentum: 0.9, weightDecay: 1e-3);
        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions { Probes = ProbePreset.Cheap, Record = RecordSchedule.None, CosineWeightDecay = cosineWeightDecay };

        var thetas = new List<double[]>();
        var gradients = new List<double[]>();
        using (var recorder = new WalkRecorder(model, options, folder))
        {
            for (int t = 0; t < Steps; t++)
            {
                using var scope = NewDisposeScope();
                var x = randn(12, 1, 6, 6);
                var y = randint(5, [12]);
                // Even steps promise unchanged parameters (θ_t taken from the last step), odd steps do not.
                recorder.BeginStep(x, y, parametersUnchanged: t % 2 == 0);
                double loss = SgdStep.ForwardBackward(model, parameters, x, y, 12);
                using (var theta = ParamVector.OfValues(parameters)) thetas.Add(theta.ToArray());
                using (var g = ParamVector.OfGradients(parameters)) gradients.Add(g.ToArray());
                recorder.CaptureGradient(loss);
                optimizer.Step(0.05);
                recorder.EndStep(t, 1, 0.05);
            }
            // The step vectors are allocated in the first steps and reused afterwards: none per step.
            Assert.InRange(recorder.StepVectorAllocations, 1, 9);
        }
        using (var last = ParamVector.OfValues(parameters)) thetas.Add(last.ToArray());

        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        Assert.Equal(Steps, steps.Rows.Count);
        double[] Minus(double[] a, double[] b) => a.Zip(b, (p, q) => p - q).ToArray();
        double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
        double Norm(double[] a) => Math.Sqrt(Dot(a, a));
        double[] CosineGradient(int t) => gradients[t].Zip(thetas[t], (g, th) => g + cosineWeightDecay * th).ToArray();
        for (int t = 0; t < Steps; t++)
        {
            var u = Minus(thetas[t + 1], thetas[t]);
            AssertRelative(Norm(gradients[t]), steps.Number(t, Columns.GradientNorm));
            AssertRelative(Norm(u), steps.Number(t, Columns.StepNorm));
            if (t == 0) Assert.Equal(0, steps.Number(t, Columns.DistanceFromInit));
            else AssertRelative(Norm(Minus(thetas[t], thetas[0])), steps.Number(t, Columns.DistanceFromInit));
            if (t == 0)
            {
                Assert.True(double.IsNaN(steps.Number(t, Columns.CosineGradient)));
                Assert.True(double.IsNaN(steps.Number(t, Columns.CosineUpdate)));
                continue;
            }
            var (g0, g1) = (CosineGradient(t - 1), CosineGradient(t));
            var previousU = Minus(thetas[t], thetas[t - 1]);
            Assert.Equal(Dot(g0, g1) / (Norm(g0) * Norm(g1)), steps.Number(t, Columns.CosineGradient), 1e-6);
            Assert.Equal(Dot(previousU, u) / (Norm(previousU) * Norm(u)), steps.Number(t, Columns.CosineUpdate), 1e-6);
        }
    }

    /// <summary>The passes sum exact float32 products in float64; u_t itself is rounded to float32 as the optimiser's own difference would be.</summary>
    private static void AssertRelative(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Abs(expected), $"expected {expected}, got {actual}");
}
