using SgdWalk.Landscape;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// A recorder handed the loop's <see cref="SgdOptimizer"/> forms u_t from the optimiser's rule in the gradient's pass
/// instead of copying θ_t and θ_{t+1}: its per-step columns against a recorder that copies, on the same walk, and
/// against float64 arithmetic on the parameters the test copies itself, under plain SGD, weight decay, momentum,
/// Nesterov, the authors' decayed cosine and a learning rate that changes every step; and the cases where it must not
/// (or cannot) be used.
/// </summary>
public sealed class KnownUpdateTests : IDisposable
{
    private const int Steps = 8;

    /// <summary>
    /// The pass is taken wherever the tests below need it, whatever this machine's libtorch rounds (every step of those
    /// walks is the pass's own, so they agree with themselves); the tests of the check itself measure or force it.
    /// </summary>
    public KnownUpdateTests() => SgdOptimizer.PassMatchForTests = true;

    public void Dispose() => SgdOptimizer.PassMatchForTests = null;

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_step_the_pass_takes_is_the_optimisers_own_bit_for_bit_or_the_recorder_copies(double weightDecay, double momentum, bool nesterov,
        double cosineWeightDecay)
    {
        // Measured on this machine: where the pass rounds as libtorch, the recorder takes the step; elsewhere it copies.
        SgdOptimizer.PassMatchForTests = null;
        bool matches = SgdOptimizer.PassRoundsAsLibTorch(momentum, weightDecay, nesterov);
        SameWalk(weightDecay, momentum, nesterov, cosineWeightDecay, expectTaken: matches);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Where_libtorch_rounds_otherwise_the_recorder_copies_and_the_walk_is_the_same(double weightDecay, double momentum, bool nesterov,
        double cosineWeightDecay)
    {
        SgdOptimizer.PassMatchForTests = false;
        SameWalk(weightDecay, momentum, nesterov, cosineWeightDecay, expectTaken: false);
    }

    /// <summary>
    /// The same walk with and without a cheap recorder handed the optimiser: the parameters and momentum buffers after
    /// every step are the same bits (measuring never changes the trajectory).
    /// </summary>
    private static void SameWalk(double weightDecay, double momentum, bool nesterov, double cosineWeightDecay, bool expectTaken)
    {
        var (plain, recorded) = (Trajectory(recorded: false), Trajectory(recorded: true));
        Assert.Equal(Steps, recorded.Count);
        for (int t = 0; t < Steps; t++) Assert.Equal(plain[t], recorded[t]);

        List<int[]> Trajectory(bool recorded)
        {
            manual_seed(7);
            // Parts of odd lengths exercise the pass's vector loop and its scalar tail.
            using var model = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [33]));
            var parameters = model.parameters().ToList();
            using var optimizer = new SgdOptimizer(parameters, momentum, weightDecay, nesterov);
            var options = new RecorderOptions { Probes = ProbePreset.Cheap, Record = RecordSchedule.None, CosineWeightDecay = cosineWeightDecay };
            using var recorder = recorded ? new WalkRecorder(model, options, Directory.CreateTempSubdirectory().FullName, optimizer: optimizer) : null;
            if (recorder is not null) Assert.Equal(expectTaken, recorder.UpdateFromOptimiser);
            var bits = new List<int[]>();
            for (int t = 0; t < Steps; t++)
            {
                using var scope = NewDisposeScope();
                var x = randn(12, 1, 6, 6);
                var y = randint(5, [12]);
                recorder?.BeginStep(x, y, parametersUnchanged: true);
                double loss = SgdStep.ForwardBackward(model, parameters, x, y, 12);
                recorder?.CaptureGradient(loss, Rate(t));
                optimizer.Step(Rate(t));
                recorder?.EndStep(t, 1, Rate(t));
                var state = parameters.Select(p => (Tensor)p).Concat(optimizer.MomentumBuffers().Select(b => b.Buffer));
                bits.Add(state.SelectMany(v => v.data<float>().ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray());
            }
            return bits;
        }
    }

    /// <summary>Weight decay, momentum, Nesterov, the cosines' weight decay.</summary>
    public static TheoryData<double, double, bool, double> Rules => new()
    {
        { 0, 0, false, 0 },
        { 1e-3, 0, false, 0 },
        { 1e-3, 0.9, false, 0 },
        { 1e-3, 0.9, true, 1e-3 },
        { 0, 0.5, true, 0 },
    };

    /// <summary>A schedule that changes every step (the rule's η must be the step's own).</summary>
    private static double Rate(int step) => 0.05 * (1 + step % 3) / 2;

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_update_formed_from_the_optimiser_is_the_one_it_applies(double weightDecay, double momentum, bool nesterov, double cosineWeightDecay)
    {
        manual_seed(7);
        // Parts of odd lengths exercise the pass's vector loop and its scalar tail.
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [33]));
        Walk.Run(model, momentum, weightDecay, nesterov, cosineWeightDecay).AssertAgrees();
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone_as_the_optimiser_leaves_it()
    {
        manual_seed(7);
        using var model = new WithUnusedParameter();
        // Strong weight decay: had the pass decayed the unused parameter, ‖u_t‖ would be off by far more than rounding.
        Walk.Run(model, momentum: 0.9, weightDecay: 0.5, nesterov: false, cosineWeightDecay: 0).AssertAgrees();
    }

    [Fact]
    public void The_wide_and_narrow_passes_give_the_same_bits()
    {
        manual_seed(11);
        const int n = 8 * 130 + 5; // whole vectors and a scalar tail
        foreach (var (decay, momentum, nesterov, cosineDecay) in new[] { (0f, 0f, false, 0f), (1e-3f, 0f, false, 1e-3f), (1e-3f, 0.9f, false, 0f), (0f, 0.9f, true, 5e-4f) })
            foreach (bool gradient in new[] { true, false })
                foreach (bool buffer in new[] { true, false })
                {
                    var rule = new UpdateRule(decay, momentum, momentum != 0, nesterov, -0.05f, cosineDecay);
                    using var g = randn(n);
                    using var theta = randn(n);
                    using var initial = randn(n);
                    using var b = randn(n);
                    using var cosine = randn(n);
                    using var update = randn(n);
                    (double[] Sums, float[] Cosine, float[] Update, float[] Theta, float[] Buffer) Run(bool wide)
                    {
                        using var c = cosine.clone();
                        using var u = update.clone();
                        using var t = theta.clone();
                        using var next = b.clone();
                        var block = new UpdateBlock
                        {
                            Gradient = gradient ? StepPass.Address(g) : 0, Theta = StepPass.Address(t), Initial = StepPass.Address(initial),
                            Cosine = StepPass.Address(c), Update = StepPass.Address(u), Buffer = buffer ? StepPass.Address(next) : 0,
                            NextBuffer = momentum != 0 ? StepPass.Address(next) : 0, Count = n,
                        };
                        var sums = new double[6];
                        StepPass.KnownUpdateIn(block, rule, sums, wide);
                        return (sums, c.data<float>().ToArray(), u.data<float>().ToArray(), t.data<float>().ToArray(), next.data<float>().ToArray());
                    }
                    var (narrow, wide) = (Run(wide: false), Run(wide: true));
                    Assert.Equal(narrow.Sums, wide.Sums);
                    Assert.Equal(narrow.Cosine, wide.Cosine);
                    Assert.Equal(narrow.Update, wide.Update);
                    Assert.Equal(narrow.Theta, wide.Theta);
                    Assert.Equal(narrow.Buffer, wide.Buffer);
                    // And the pass is no no-op: u_t of a parameter with a gradient is the SGD step.
                    Assert.Equal(gradient, wide.Sums[3] > 0);
                }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_pass_on_several_workers_gives_the_same_bytes_and_agrees_with_float64(double weightDecay, double momentum, bool nesterov,
        double cosineWeightDecay)
    {
        // The same walk three times, its pass on 1, 2 and 3 workers.
        var walks = new[] { 1, 2, 3 }.Select(w => WorkerWalk.Run(w, weightDecay, momentum, nesterov, cosineWeightDecay)).ToArray();
        // Every worker count: the same bits, in the scalars, in the g_t and u_t it wrote and in the parameters it stepped.
        foreach (var other in walks.Skip(1))
            for (int t = 0; t < Steps; t++)
            {
                Assert.Equal(walks[0].Steps[t].Bits, other.Steps[t].Bits);
                Assert.Equal(walks[0].Steps[t].C, other.Steps[t].C);
                Assert.Equal(walks[0].Steps[t].U, other.Steps[t].U);
                Assert.Equal(walks[0].Steps[t].ThetaAfter, other.Steps[t].ThetaAfter);
            }
        double[]? previousC = null, previousU = null;
        var theta0 = walks[0].Steps[0].Theta;
        foreach (var step in walks[0].Steps)
        {
            var (theta, g, thetaAfter, c, u) = (step.Theta, step.G, step.ThetaAfter, step.C, step.U);
            // The vectors written: c_t = g_t (+ λ_c·θ_t) in float32; u_t = θ_{t+1} − θ_t as the pass applied it.
            float lambda = (float)cosineWeightDecay;
            Assert.Equal(g.Select((v, i) => lambda == 0 ? (float)v : (float)v + lambda * (float)theta[i]).ToArray(), c.Select(v => (float)v).ToArray());
            var applied = thetaAfter.Select((v, i) => (double)((float)v - (float)theta[i])).ToArray();
            Assert.Equal(applied, u);
            // The sums against float64 (each product of two float32 values exact, summed with compensation).
            AssertClose(Math.Sqrt(Sum(g.Select(v => v * v))), step.GradientNorm);
            AssertClose(Norm(u), step.UpdateNorm);
            AssertClose(Math.Sqrt(Sum(theta.Select((v, i) => Square((float)v - (float)theta0[i])))), step.DistanceFromInit);
            if (previousC is null) Assert.Null(step.CosineGradient);
            else
            {
                // A cosine's error bound: that of its inner product relative to the product of the norms.
                Assert.Equal(Sum(c.Select((v, i) => v * previousC[i])) / (Norm(c) * Norm(previousC)), step.CosineGradient!.Value, 1e-12);
                Assert.Equal(Sum(u.Select((v, i) => v * previousU![i])) / (Norm(u) * Norm(previousU!)), step.CosineUpdate!.Value, 1e-12);
            }
            (previousC, previousU) = (c, u);
        }

        static double Square(float v) => (double)v * v;
        static double Norm(double[] a) => Math.Sqrt(Sum(a.Select(v => v * v)));
        // The passes sum in float64 without compensation over blocks of 2^15 in 8 lanes: well within 1e-12 of the exact sum.
        static void AssertClose(double expected, double actual) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-12 * expected, $"expected {expected:R}, got {actual:R}");
    }

    /// <summary>One step of a <see cref="WorkerWalk"/>: θ_t, g_t, θ_{t+1}, the c_t and u_t the pass kept, and its scalars.</summary>
    private sealed record WorkerStep(double[] Theta, double[] G, double[] ThetaAfter, double[] C, double[] U, double GradientNorm, double UpdateNorm,
        double DistanceFromInit, double? CosineGradient, double? CosineUpdate)
    {
        public long[] Bits => new[] { GradientNorm, UpdateNorm, DistanceFromInit, CosineGradient ?? double.NaN, CosineUpdate ?? double.NaN }
            .Select(BitConverter.DoubleToInt64Bits).ToArray();
    }

    /// <summary>
    /// A walk whose steps the recorder's pass takes, on <c>workers</c> threads, from the same seed every time. The first
    /// layer's 120·300 weights span a whole block of 2^15 and a short one; the other parts are a block each.
    /// </summary>
    private sealed record WorkerWalk(List<WorkerStep> Steps)
    {
        public static WorkerWalk Run(int workers, double weightDecay, double momentum, bool nesterov, double cosineWeightDecay)
        {
            manual_seed(5);
            using var model = ModelZoo.Create("mlp", new ModelSpec(1, 12, 10, 5, [300, 20]));
            var parameters = model.parameters().ToList();
            using var optimizer = new SgdOptimizer(parameters, momentum, weightDecay, nesterov);
            using var pass = new StepVectors(parameters, cosineWeightDecay, optimizer, workers);
            Assert.True(pass.FromOptimiser);
            var steps = new List<WorkerStep>();
            for (int t = 0; t < KnownUpdateTests.Steps; t++)
            {
                using var scope = NewDisposeScope();
                using var x = randn(16, 1, 12, 10);
                using var y = randint(5, [16]);
                SgdStep.ForwardBackward(model, parameters, x, y, 16);
                var (theta, g) = (Values(parameters), Gradients(parameters));
                pass.Begin(parametersUnchanged: true);
                pass.CaptureGradient();
                optimizer.Step(Rate(t));
                pass.End();
                var thetaAfter = Values(parameters);
                pass.Advance();
                // g_t and u_t, now kept as the next step's previous ones.
                var state = pass.CosineState().ToDictionary(s => s.Name, s => s.Value);
                steps.Add(new WorkerStep(theta, g, thetaAfter, ToDoubles(state["previous_gradient"]), ToDoubles(state["previous_update"]),
                    pass.GradientNorm, pass.UpdateNorm, pass.DistanceFromInit, pass.CosineGradient, pass.CosineUpdate));
            }
            return new WorkerWalk(steps);
        }

        private static double[] Values(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
        {
            using var copy = ParamVector.OfValues(parameters);
            return copy.ToArray();
        }

        private static double[] Gradients(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
        {
            using var copy = ParamVector.Of(parameters.Select(p => p.grad!).ToList());
            return copy.ToArray();
        }

        private static double[] ToDoubles(Tensor t) => t.data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>Neumaier's compensated sum: the float64 oracle's own rounding well below the tolerance it checks.</summary>
    private static double Sum(IEnumerable<double> values)
    {
        double sum = 0, compensation = 0;
        foreach (var v in values)
        {
            double next = sum + v;
            compensation += Math.Abs(sum) >= Math.Abs(v) ? (sum - next) + v : (v - next) + sum;
            sum = next;
        }
        return sum + compensation;
    }

    /// <summary>Two recorders on one walk, one copying and one handed the optimiser, and the parameters copied by the test.</summary>
    private sealed record Walk(CsvTable Copied, CsvTable Formed, List<double[]> Thetas)
    {
        public static Walk Run(nn.Module<Tensor, Tensor> model, double momentum, double weightDecay, bool nesterov, double cosineWeightDecay)
        {
            var parameters = model.parameters().ToList();
            using var optimizer = new SgdOptimizer(parameters, momentum, weightDecay, nesterov);
            var options = new RecorderOptions { Probes = ProbePreset.Cheap, Record = RecordSchedule.None, CosineWeightDecay = cosineWeightDecay };
            string copiedFolder = Directory.CreateTempSubdirectory().FullName, formedFolder = Directory.CreateTempSubdirectory().FullName;
            var thetas = new List<double[]>();
            using (var copying = new WalkRecorder(model, options, copiedFolder))
            using (var forming = new WalkRecorder(model, options, formedFolder, optimizer: optimizer))
            {
                Assert.False(copying.UpdateFromOptimiser);
                Assert.True(forming.UpdateFromOptimiser);
                for (int t = 0; t < Steps; t++)
                {
                    using var scope = NewDisposeScope();
                    var x = randn(12, 1, 6, 6);
                    var y = randint(5, [12]);
                    copying.BeginStep(x, y, parametersUnchanged: true);
                    forming.BeginStep(x, y, parametersUnchanged: true);
                    double loss = SgdStep.ForwardBackward(model, parameters, x, y, 12);
                    using (var theta = ParamVector.OfValues(parameters)) thetas.Add(theta.ToArray());
                    copying.CaptureGradient(loss);
                    forming.CaptureGradient(loss, Rate(t));
                    optimizer.Step(Rate(t));
                    copying.EndStep(t, 1, Rate(t));
                    forming.EndStep(t, 1, Rate(t));
                }
                // θ_0, and g and u written over their predecessors: nothing else, and nothing per step.
                Assert.Equal(3, forming.StepVectorAllocations);
            }
            using (var last = ParamVector.OfValues(parameters)) thetas.Add(last.ToArray());
            return new Walk(CsvTable.Read(Path.Combine(copiedFolder, "steps.csv")), CsvTable.Read(Path.Combine(formedFolder, "steps.csv")), thetas);
        }

        public void AssertAgrees()
        {
            Assert.Equal(Copied.Columns, Formed.Columns);
            Assert.Equal(Steps, Formed.Rows.Count);
            static double[] Minus(double[] a, double[] b) => a.Zip(b, (p, q) => p - q).ToArray();
            static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
            static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
            for (int t = 0; t < Steps; t++)
            {
                // The columns the pass reads as the copying recorder does are the same bits; those of u_t agree to float32 rounding.
                foreach (var column in new[] { Columns.GradientNorm, Columns.DistanceFromInit, Columns.CosineGradient })
                    Assert.Equal(Copied.Text(t, column), Formed.Text(t, column));
                var u = Minus(Thetas[t + 1], Thetas[t]);
                AssertRelative(Copied.Number(t, Columns.StepNorm), Formed.Number(t, Columns.StepNorm));
                AssertRelative(Norm(u), Formed.Number(t, Columns.StepNorm));
                if (t == 0)
                {
                    Assert.True(double.IsNaN(Formed.Number(t, Columns.CosineUpdate)));
                    continue;
                }
                var previousU = Minus(Thetas[t], Thetas[t - 1]);
                Assert.Equal(Dot(previousU, u) / (Norm(previousU) * Norm(u)), Formed.Number(t, Columns.CosineUpdate), 1e-6);
                Assert.Equal(Copied.Number(t, Columns.CosineUpdate), Formed.Number(t, Columns.CosineUpdate), 1e-6);
            }
        }
    }

    /// <summary>A tiny mlp, its optimiser with weight decay and a cheap recorder handed that optimiser (nothing recorded but per-step scalars).</summary>
    private sealed class CheapWalk : IDisposable
    {
        public CheapWalk()
        {
            manual_seed(3);
            Model = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [8]));
            Parameters = Model.parameters().ToList();
            Optimizer = new SgdOptimizer(Parameters, weightDecay: 1e-4);
            var options = new RecorderOptions { Probes = ProbePreset.Cheap, Record = RecordSchedule.None };
            Recorder = new WalkRecorder(Model, options, Directory.CreateTempSubdirectory().FullName, optimizer: Optimizer);
        }

        public nn.Module<Tensor, Tensor> Model { get; }

        public List<TorchSharp.Modules.Parameter> Parameters { get; }

        public SgdOptimizer Optimizer { get; }

        public WalkRecorder Recorder { get; }

        public void Dispose()
        {
            Recorder.Dispose();
            Optimizer.Dispose();
            Model.Dispose();
        }
    }

    /// <summary>A linear classifier with a parameter the forward pass never uses (its gradient stays undefined).</summary>
    private sealed class WithUnusedParameter : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear fc = nn.Linear(36, 5);

        public WithUnusedParameter() : base(nameof(WithUnusedParameter))
        {
            RegisterComponents();
            register_parameter("spare", new TorchSharp.Modules.Parameter(randn(7)));
        }

        public override Tensor forward(Tensor input) => fc.call(input.flatten(1));
    }

    [Fact]
    public void A_cheap_step_builds_no_tensor_after_the_optimiser_step()
    {
        using var walk = new CheapWalk();
        var (model, parameters, optimizer, recorder) = (walk.Model, walk.Parameters, walk.Optimizer, walk.Recorder);
        static long Created() => DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
        for (int t = 0; t < 3; t++)
        {
            using var scope = NewDisposeScope();
            var x = randn(4, 1, 6, 6);
            var y = randint(5, [4]);
            recorder.BeginStep(x, y, parametersUnchanged: true);
            double loss = SgdStep.ForwardBackward(model, parameters, x, y, 4);
            recorder.CaptureGradient(loss, 0.1);
            optimizer.Step(0.1);
            long before = Created();
            var row = recorder.EndStep(t, 1, 0.1);
            // No probe of the preset evaluates the model: no view of the mini-batch is built for it.
            Assert.Equal(before, Created());
            Assert.True(row.Number(Columns.StepNorm) > 0);
        }
    }

    [Fact]
    public void A_step_other_than_the_one_formed_is_refused()
    {
        using var walk = new CheapWalk();
        var (model, parameters, optimizer, recorder) = (walk.Model, walk.Parameters, walk.Optimizer, walk.Recorder);
        using var x = randn(4, 1, 6, 6);
        using var y = randint(5, [4]);

        void Step(Action between, double? captureRate, double endRate)
        {
            recorder.BeginStep(x, y);
            double loss = SgdStep.ForwardBackward(model, parameters, x, y, 4);
            recorder.CaptureGradient(loss, captureRate);
            between();
            recorder.EndStep(0, 1, endRate);
        }

        // No step, two steps, another rate, a row claiming another rate, no rate given: u_t would be wrong, so each is refused.
        Assert.Throws<InvalidOperationException>(() => Step(() => { }, 0.1, 0.1));
        Assert.Throws<InvalidOperationException>(() => Step(() => { optimizer.Step(0.1); optimizer.Step(0.1); }, 0.1, 0.1));
        Assert.Throws<InvalidOperationException>(() => Step(() => optimizer.Step(0.2), 0.1, 0.1));
        Assert.Throws<InvalidOperationException>(() => Step(() => optimizer.Step(0.1), 0.1, 0.2));
        Assert.Throws<InvalidOperationException>(() => Step(() => optimizer.Step(0.1), null, 0.1));
        Step(() => optimizer.Step(0.1), 0.1, 0.1);
    }

    [Fact]
    public void The_vectors_are_copied_when_a_probe_reads_them_or_the_step_draws_noise()
    {
        manual_seed(3);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [8]));
        var parameters = model.parameters().ToList();
        string Folder() => Directory.CreateTempSubdirectory().FullName;
        using var plain = new SgdOptimizer(parameters);
        using var noisy = new SgdOptimizer(parameters, noise: new GradientNoise(0.1, 5));
        var cheap = new RecorderOptions { Probes = ProbePreset.Cheap, Record = RecordSchedule.None };
        var profiled = new RecorderOptions { Probes = ProbePreset.Paper, Record = RecordSchedule.All, Alphas = [0, 0.5, 1] };

        using (var recorder = new WalkRecorder(model, cheap, Folder(), optimizer: plain)) Assert.True(recorder.UpdateFromOptimiser);
        using (var recorder = new WalkRecorder(model, profiled, Folder(), optimizer: plain)) Assert.False(recorder.UpdateFromOptimiser);
        using (var recorder = new WalkRecorder(model, cheap, Folder(), optimizer: noisy)) Assert.False(recorder.UpdateFromOptimiser);
        // An optimiser over other tensors than the recorder's parameters.
        using var other = ModelZoo.Create("mlp", new ModelSpec(1, 6, 6, 5, [8]));
        using var elsewhere = new SgdOptimizer(other.parameters().ToList());
        using (var recorder = new WalkRecorder(model, cheap, Folder(), optimizer: elsewhere)) Assert.False(recorder.UpdateFromOptimiser);
    }

    private static void AssertRelative(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Abs(expected), $"expected {expected}, got {actual}");
}
