using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The recorder keeps θ_{t+1} from EndStep and reuses it as the next θ_t only when the caller promises that nothing
/// wrote to the parameters in between. A library loop that changes them (a clamp, a rescale, a restored checkpoint)
/// must still get the per-step numbers of the parameters as they are, checked here against plain double arithmetic
/// on a quadratic.
/// </summary>
public class ParametersBetweenStepsTests
{
    private const int Features = 3, BatchSize = 8, StepCount = 6;
    private const double LearningRate = 0.05;

    [Fact]
    public void Parameters_halved_between_steps_are_measured_as_they_are()
    {
        var walk = Walk.Run(promise: false, (_, model) => Halve(model));

        walk.AssertMatchesOracle();
        // The check can fail: the θ_{t+1} the recorder copied at EndStep would give a clearly different distance.
        Assert.True(Math.Abs(walk.StaleDistance(3) - walk.Steps.Number(3, Columns.DistanceFromInit)) > 1e-3);
    }

    [Fact]
    public void A_restored_checkpoint_voids_the_promise()
    {
        // The loop promises unchanged parameters but restores the recorder's state between steps, as a resumed library
        // loop does after loading its parameters: LoadState drops the kept θ_{t+1}, so θ_t is copied afresh.
        var walk = Walk.Run(promise: true, (recorder, model) =>
        {
            Halve(model);
            var saved = recorder.SaveState().ToDictionary(s => s.Name, s => s.Value.clone());
            recorder.LoadState(saved, recorder.RecordedSteps);
            foreach (var tensor in saved.Values) tensor.Dispose();
        });

        walk.AssertMatchesOracle();
    }

    [Fact]
    public void The_reused_theta_gives_the_same_bytes_as_a_fresh_copy()
    {
        var copied = Walk.Run(promise: false, (_, _) => { });
        var reused = Walk.Run(promise: true, (_, _) => { });

        Assert.Equal(File.ReadAllBytes(copied.StepsPath), File.ReadAllBytes(reused.StepsPath));
        reused.AssertMatchesOracle();
    }

    /// <summary>Between two steps of the library loop, halve every parameter in place (outside autograd).</summary>
    private static void Halve(LinearRegression model)
    {
        using var _ = no_grad();
        foreach (var parameter in model.parameters()) parameter.mul_(0.5);
    }

    private sealed class Walk
    {
        public required string StepsPath { get; init; }
        public required CsvTable Steps { get; init; }
        public required double[][] ThetaBefore { get; init; }   // θ_t as the step saw it
        public required double[][] Gradients { get; init; }     // g_t, from the closed form at θ_t
        public required double[][] ThetaAfter { get; init; }    // θ_{t+1} right after the update (before any change)

        /// <summary>
        /// A seeded float64 least-squares walk of plain SGD recorded with the cheap preset; <paramref name="between"/>
        /// runs after every EndStep but the last, before the next BeginStep.
        /// </summary>
        public static Walk Run(bool promise, Action<WalkRecorder, LinearRegression> between)
        {
            var rng = new Random(17);
            double[][] X(int n) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, Features).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
            var batches = Enumerable.Range(0, StepCount).Select(_ => X(BatchSize)).ToArray();
            var targets = batches.Select(x => x.Select(r => r.Sum() - 0.4).ToArray()).ToArray();

            manual_seed(9);
            using var model = new LinearRegression(Features);
            string folder = Directory.CreateTempSubdirectory().FullName;
            var before = new double[StepCount][];
            var after = new double[StepCount][];
            var gradients = new double[StepCount][];
            var options = new RecorderOptions { Probes = ProbePreset.Cheap, BatchChunkSize = BatchSize };
            using (var recorder = new WalkRecorder(model, options, folder, loss: LinearRegression.Loss))
            using (var optimizer = new SgdOptimizer(model.parameters().ToList()))
            {
                for (int t = 0; t < StepCount; t++)
                {
                    if (t > 0) between(recorder, model);
                    using var x = tensor(batches[t].SelectMany(r => r).ToArray(), [BatchSize, Features]);
                    using var y = tensor(targets[t], [BatchSize, 1]);
                    before[t] = model.Theta();
                    gradients[t] = new Quadratic(batches[t], targets[t]).Gradient(before[t]);
                    recorder.BeginStep(x, y, parametersUnchanged: promise);
                    optimizer.ZeroGrad();
                    using var loss = LinearRegression.Loss(model.call(x), y);
                    loss.backward();
                    recorder.CaptureGradient(loss.item<double>());
                    optimizer.Step(LearningRate);
                    recorder.EndStep(t, 1, LearningRate);
                    after[t] = model.Theta();
                }
            }
            string path = Path.Combine(folder, "steps.csv");
            return new Walk { StepsPath = path, Steps = CsvTable.Read(path), ThetaBefore = before, Gradients = gradients, ThetaAfter = after };
        }

        /// <summary>‖g‖, ‖u‖, ‖θ_t − θ_0‖ and both cosines equal plain double arithmetic on the parameters as they were.</summary>
        public void AssertMatchesOracle()
        {
            Assert.Equal(StepCount, Steps.Rows.Count);
            for (int t = 0; t < StepCount; t++)
            {
                var u = Minus(ThetaAfter[t], ThetaBefore[t]);
                Assert.Equal(Quadratic.Norm(Gradients[t]), Steps.Number(t, Columns.GradientNorm), 1e-10);
                Assert.Equal(Quadratic.Norm(u), Steps.Number(t, Columns.StepNorm), 1e-10);
                Assert.Equal(Quadratic.Norm(Minus(ThetaBefore[t], ThetaBefore[0])), Steps.Number(t, Columns.DistanceFromInit), 1e-10);
                if (t == 0) continue;
                var previousU = Minus(ThetaAfter[t - 1], ThetaBefore[t - 1]);
                Assert.Equal(Cosine(Gradients[t - 1], Gradients[t]), Steps.Number(t, Columns.CosineGradient), 1e-10);
                Assert.Equal(Cosine(previousU, u), Steps.Number(t, Columns.CosineUpdate), 1e-10);
            }
        }

        /// <summary>‖θ_t − θ_0‖ had the recorder taken the θ_t it copied at the previous EndStep.</summary>
        public double StaleDistance(int t) => Quadratic.Norm(Minus(ThetaAfter[t - 1], ThetaBefore[0]));

        private static double[] Minus(double[] a, double[] b) => a.Zip(b, (p, q) => p - q).ToArray();

        private static double Cosine(double[] a, double[] b) => Quadratic.Dot(a, b) / (Quadratic.Norm(a) * Quadratic.Norm(b));
    }
}
