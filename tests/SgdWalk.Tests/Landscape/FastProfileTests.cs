using CsCheck;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>
/// The fast profile evaluation (grouped BatchNorm, first-layer shortcut, large passes) changes the cost of a
/// profile, not its numbers: it is checked against the plain loop of one forward pass per chunk and point.
/// </summary>
public class FastProfileTests
{
    private static readonly double[] Alphas = Enumerable.Range(0, 21).Select(i => Math.Round(-0.5 + i * 0.1, 12)).ToArray();

    /// <summary>A walk takes the fast path on the mlp only; on convolutional networks it costs memory and saves no time.</summary>
    [Theory]
    [InlineData("mlp", true)]
    [InlineData("small-cnn", false)]
    [InlineData("vgg11", false)]
    [InlineData("resnet20", false)]
    public void The_fast_path_is_taken_where_it_pays(string name, bool pays)
    {
        using var model = ModelZoo.Create(name, new ModelSpec(3, 32, 32, 10));
        Assert.Equal(pays, SegmentProfiler.FastPays(model));
    }

    [Theory]
    [InlineData("mlp", BatchNormPolicy.BatchStats)]
    [InlineData("mlp", BatchNormPolicy.Running)]
    [InlineData("small-cnn", BatchNormPolicy.BatchStats)]
    [InlineData("small-cnn", BatchNormPolicy.Running)]
    [InlineData("resnet20", BatchNormPolicy.BatchStats)]
    public void Fast_and_plain_profiles_agree(string name, BatchNormPolicy policy)
    {
        // 650 samples in chunks of 100: six whole chunks and a last chunk of 50, which is its own BatchNorm group.
        using var data = SyntheticData.Create(9, trainCount: 650, height: 8, width: 8);
        manual_seed(9);
        using var model = ModelZoo.Create(name, new ModelSpec(1, 8, 8, data.Train.Classes, name == "mlp" ? [64, 32] : name == "small-cnn" ? [8, 16] : null));
        Assert.IsAssignableFrom<IAffineFirstLayer>(model);
        using var step = Step.Take(model, data.Train);
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, policy);

        // A small pass budget forces several passes, so pass boundaries are exercised too.
        using var fastProfiler = new SegmentProfiler(surface, step.Parameters) { PassBytes = 64 << 10 };
        // The profiler takes the fast path only where it pays (no convolutions); a CNN's request is the plain path.
        Assert.Equal(name == "mlp", fastProfiler.Fast);
        var fast = fastProfiler.Measure(step.Segment, Alphas, view);
        var plain = new SegmentProfiler(surface, step.Parameters) { Fast = false }.Measure(step.Segment, Alphas, view);

        AssertSameNumbers(plain, fast);
        using var after = ParamVector.OfValues(step.Parameters);
        Assert.Equal(0, ParamVector.Distance(after, step.Segment.End)); // the model is left at θ_{t+1}
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("small-cnn")]
    public void In_float64_the_fused_first_batchnorm_equals_the_plain_profile_to_rounding(string name)
    {
        // 650 samples: six whole chunks and a last chunk of 50 (a group of its own), with α outside [0, 1] too.
        using var data = SyntheticData.Create(11, trainCount: 650, height: 8, width: 8);
        manual_seed(11);
        using var model = ModelZoo.Create(name, new ModelSpec(1, 8, 8, data.Train.Classes, name == "mlp" ? [64, 32] : [8, 16]));
        model.to(ScalarType.Float64);
        Assert.NotNull(((IFirstLayerBatchNorm)model).FirstBatchNorm);
        using var images = data.Train.Inputs().to(ScalarType.Float64);
        using var step = Step.Take(model, images, data.Train.Labels);
        using var view = DataView.Own("probe", images.clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);

        var fused = new SegmentProfiler(surface, step.Parameters) { PassBytes = 64 << 10 }.Measure(step.Segment, Alphas, view);
        var unfused = new SegmentProfiler(surface, step.Parameters) { FuseFirstBatchNorm = false }.Measure(step.Segment, Alphas, view);
        var plain = new SegmentProfiler(surface, step.Parameters) { Fast = false }.Measure(step.Segment, Alphas, view);
        for (int i = 0; i < Alphas.Length; i++)
        {
            Assert.Equal(plain.Profile.Losses[i], fused.Profile.Losses[i], 1e-12 * Math.Max(1, plain.Profile.Losses[i]));
            Assert.Equal(unfused.Profile.Losses[i], fused.Profile.Losses[i], 1e-12 * Math.Max(1, plain.Profile.Losses[i]));
        }
        Assert.Equal(plain.Accuracies, fused.Accuracies);
        Assert.Equal(plain.HeightStandardError, fused.HeightStandardError, 1e-12);
    }

    [Fact]
    public void In_float32_the_fused_first_batchnorm_is_as_close_to_float64_as_the_unfused_path_on_a_realistic_segment()
    {
        // The default mlp on 28×28 inputs, a step of lr 0.1 after 30 steps of SGD: a small Δ next to z_t, as in a walk.
        using var data = SyntheticData.Create(12, trainCount: 1000, height: 28, width: 28, classes: 10);
        manual_seed(12);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 28, 28, 10));
        for (int t = 0; t < 30; t++) Step.Take(model, data.Train.Inputs(), data.Train.Labels, lr: 0.1, from: 100 * (t % 9)).Dispose();
        using var step = Step.Take(model, data.Train.Inputs(), data.Train.Labels, lr: 0.1, from: 900);
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        var fused = new SegmentProfiler(surface, step.Parameters).Measure(step.Segment, Alphas, view);
        var unfused = new SegmentProfiler(surface, step.Parameters) { FuseFirstBatchNorm = false }.Measure(step.Segment, Alphas, view);

        // The oracle: the plain loop in float64 on the same segment.
        model.to(ScalarType.Float64);
        using var segment64 = step.ToFloat64(model);
        using var images64 = data.Train.Inputs().to(ScalarType.Float64);
        using var view64 = DataView.Own("probe", images64.clone(), data.Train.Labels.clone(), 100);
        var exact = new SegmentProfiler(surface, segment64.Parameters) { Fast = false }.Measure(segment64.Segment, Alphas, view64);

        double fusedError = 0, unfusedError = 0;
        for (int i = 0; i < Alphas.Length; i++)
        {
            fusedError = Math.Max(fusedError, Math.Abs(fused.Profile.Losses[i] - exact.Profile.Losses[i]) / exact.Profile.Losses[i]);
            unfusedError = Math.Max(unfusedError, Math.Abs(unfused.Profile.Losses[i] - exact.Profile.Losses[i]) / exact.Profile.Losses[i]);
        }
        Assert.True(fusedError < 1e-5, $"fused float32 vs float64: relative error {fusedError:E2}");
        Assert.True(fusedError < 3 * unfusedError + 1e-7, $"fused {fusedError:E2} vs unfused {unfusedError:E2}");
        Assert.Equal(exact.Profile.FloorAlpha, fused.Profile.FloorAlpha, 1e-9);
    }

    [Theory]
    [InlineData(false, ScalarType.Float64, 1e-12)]
    [InlineData(true, ScalarType.Float64, 1e-12)]
    [InlineData(false, ScalarType.Float32, 1e-4)]
    [InlineData(true, ScalarType.Float32, 1e-4)]
    public void The_interpolated_batchnorm_is_the_grouped_batchnorm_of_the_lerp(bool twoD, ScalarType dtype, double tolerance)
    {
        manual_seed(13);
        GroupedBatchNorm Norm() => twoD ? GroupedBatchNorm.TwoD(5) : GroupedBatchNorm.OneD(5);
        using var norm = Norm();
        using (no_grad())
        {
            norm.weight.uniform_(0.5, 2);
            norm.bias!.normal_();
        }
        // The oracle: TorchSharp's own BatchNorm on each group of the lerp, in float64.
        using var oracle = Norm();
        oracle.to(ScalarType.Float64);
        oracle.load_state_dict(norm.state_dict());
        norm.to(dtype);
        norm.train();
        oracle.train();
        norm.GroupSize = 6;
        // A large common offset and a small step: the E[x²] − E[x]² form would lose the variance to cancellation here.
        long[] shape = twoD ? [4 * 6, 5, 3, 3] : [4 * 6, 5];
        using var z0 = randn(shape, dtype).add_(300);
        using var z1 = z0 + randn(shape, dtype).mul_(0.05);
        using var z0Exact = z0.to(ScalarType.Float64);
        using var z1Exact = z1.to(ScalarType.Float64);
        using var interpolated = new InterpolatedBatchNorm(norm, z0, z1, 6);
        foreach (double alpha in new[] { -0.5, 0.1, 0.5, 0.9, 1.5 })
        {
            using var scope = NewDisposeScope();
            var expected = cat(Enumerable.Range(0, 4).Select(g => oracle.call(z0Exact.lerp(z1Exact, alpha).narrow(0, 6 * g, 6))).ToList(), 0);
            var actual = interpolated.At(alpha);
            Assert.Equal(dtype, actual.dtype);
            Assert.Equal(shape, actual.shape);
            double error = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
            // What the plain computation loses in this precision: the grouped BatchNorm of the lerp, in dtype.
            double plainError = (norm.call(z0.lerp(z1, alpha)).to(ScalarType.Float64) - expected).abs().max().item<double>();
            Assert.True(error < tolerance, $"α = {alpha}: max error {error:E2}");
            Assert.True(error <= 4 * plainError, $"α = {alpha}: max error {error:E2}, the plain computation's {plainError:E2}");
        }
    }

    [Fact]
    public void A_model_with_ordinary_batchnorm_falls_back_to_chunks_and_agrees()
    {
        using var data = SyntheticData.Create(4, trainCount: 300, height: 4, width: 4);
        manual_seed(4);
        using var model = nn.Sequential(("flat", nn.Flatten()), ("fc1", nn.Linear(16, 12)), ("bn", nn.BatchNorm1d(12)), ("relu", nn.ReLU()),
            ("fc2", nn.Linear(12, data.Train.Classes)));
        using var step = Step.Take(model, data.Train);
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        var surface = new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        var fast = new SegmentProfiler(surface, step.Parameters).Measure(step.Segment, Alphas, view);
        var plain = new SegmentProfiler(surface, step.Parameters) { Fast = false }.Measure(step.Segment, Alphas, view);
        Assert.Equal(plain.Profile.Losses, fast.Profile.Losses); // same chunks, same order: bit for bit
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Grouped_batchnorm_normalises_each_group_with_its_own_statistics(bool twoD)
    {
        manual_seed(3);
        using var grouped = twoD ? GroupedBatchNorm.TwoD(5) : GroupedBatchNorm.OneD(5);
        using var reference = twoD ? (BatchNorm)nn.BatchNorm2d(5) : nn.BatchNorm1d(5);
        using (no_grad())
        {
            grouped.weight.uniform_(0.5, 2);
            grouped.bias!.normal_();
            reference.weight.copy_(grouped.weight);
            reference.bias!.copy_(grouped.bias);
        }
        using var x = twoD ? randn(4 * 6, 5, 3, 3).mul(3).add(1) : randn(4 * 6, 5).mul(3).add(1);
        grouped.train();
        reference.train();

        // Without a group size it is TorchSharp's BatchNorm, bit for bit.
        using (var a = grouped.call(x))
        using (var b = reference.call(x)) Assert.True(a.equal(b).all().item<bool>());

        grouped.GroupSize = 6;
        using var before = grouped.running_mean!.clone();
        using var together = grouped.call(x);
        Assert.True(before.equal(grouped.running_mean!).all().item<bool>()); // an evaluation: running statistics untouched
        for (int g = 0; g < 4; g++)
        {
            using var alone = reference.call(x.narrow(0, 6 * g, 6));
            Assert.True(together.narrow(0, 6 * g, 6).allclose(alone, rtol: 1e-5, atol: 1e-5), $"group {g}");
        }
        Assert.Throws<ArgumentException>(() => grouped.call(x.narrow(0, 0, 9)).Dispose()); // 9 is not whole groups
    }

    [Fact]
    public void Passes_cover_the_view_in_whole_chunks_and_a_last_partial_chunk()
    {
        Gen.Select(Gen.Int[1, 2000], Gen.Int[1, 300], Gen.Int[1, 3000]).Sample((total, unit, passSize) =>
        {
            var passes = ProfileSession.Passes(total, unit, passSize).ToList();
            int next = 0;
            foreach (var (start, count) in passes)
            {
                Assert.Equal(next, start);
                Assert.True(count > 0);
                Assert.True(count % unit == 0 || (start + count == total && count < unit));
                next = start + count;
            }
            Assert.Equal(total, next);
        });
    }

    [Fact]
    public void The_height_standard_error_is_the_spread_of_per_sample_differences()
    {
        // No BatchNorm, so each sample's loss is its own and the oracle is plain arithmetic on per-sample losses.
        using var data = SyntheticData.Create(5, trainCount: 400, height: 4, width: 4);
        manual_seed(5);
        using var model = ModelZoo.Create("mlp", new ModelSpec(1, 4, 4, data.Train.Classes, [16], BatchNorm: false));
        using var step = Step.Take(model, data.Train, lr: 2.0);
        using var view = DataView.Own("probe", data.Train.Inputs().clone(), data.Train.Labels.clone(), 100);
        double[] alphas = [0, 0.25, 0.5, 0.75, 1];
        var measured = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats), step.Parameters)
            .Measure(step.Segment, alphas, view);

        int floor = Enumerable.Range(0, alphas.Length).MinBy(i => measured.Profile.Losses[i]);
        Assert.True(floor > 0, "the test needs a step whose floor is not at its start");
        double[] PerSample(double alpha)
        {
            using var _ = no_grad();
            ParamVector.WriteLerp(step.Parameters, step.Segment.Start, step.Segment.Direction, alpha);
            using var losses = nn.functional.cross_entropy(model.call(data.Train.Inputs()), data.Train.Labels, reduction: nn.Reduction.None);
            return losses.to(ScalarType.Float64).data<double>().ToArray();
        }
        var d = PerSample(0).Zip(PerSample(alphas[floor]), (a, b) => a - b).ToArray();
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1));
        Assert.Equal(sd / Math.Sqrt(d.Length), measured.HeightStandardError, 1e-6);
        Assert.Equal(mean, measured.Profile.LossStart - measured.Profile.Losses[floor], 1e-5);
        Assert.True(measured.HeightStandardError < 0.5 * measured.Profile.Height, "the same samples at each α make the height precise");
    }

    private static void AssertSameNumbers(MeasuredProfile plain, MeasuredProfile fast)
    {
        for (int i = 0; i < Alphas.Length; i++)
            Assert.Equal(plain.Profile.Losses[i], fast.Profile.Losses[i], 2e-5 * Math.Max(1, plain.Profile.Losses[i]));
        Assert.Equal(plain.Accuracies, fast.Accuracies, (a, b) => Math.Abs(a - b) <= 2.0 / 650);
        Assert.Equal(plain.Profile.FloorAlpha, fast.Profile.FloorAlpha, 1e-3);
        Assert.Equal(plain.HeightStandardError, fast.HeightStandardError, 1e-5);
    }

    /// <summary>A realistic segment: one SGD step on 100 samples from the model's initial parameters.</summary>
    private sealed class Step : IDisposable
    {
        private Step(List<Parameter> parameters, Segment segment) => (Parameters, Segment) = (parameters, segment);

        public List<Parameter> Parameters { get; }

        public Segment Segment { get; }

        public static Step Take(nn.Module<Tensor, Tensor> model, LabeledImages data, double lr = 0.5) => Take(model, data.Inputs(), data.Labels, lr);

        /// <summary>One SGD step on samples [from, from + 100).</summary>
        public static Step Take(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, double lr = 0.5, int from = 0)
        {
            var parameters = model.parameters().ToList();
            var start = ParamVector.OfValues(parameters);
            var stateStart = ModelState.Capture(model);
            model.train();
            foreach (var p in parameters) p.grad = null;
            using (var loss = nn.functional.cross_entropy(model.call(images[from..(from + 100)]), labels[from..(from + 100)])) loss.backward();
            using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -lr);
            var end = ParamVector.OfValues(parameters);
            return new Step(parameters, new Segment(start, end, end.Minus(start), stateStart, ModelState.Capture(model)));
        }

        /// <summary>The same segment in float64 for the model converted to float64, without BatchNorm buffers (batch-stats only).</summary>
        public Step ToFloat64(nn.Module<Tensor, Tensor> model)
        {
            var parameters = model.parameters().ToList();
            Segment.Start.WriteTo(parameters); // copy_ widens exactly
            var start = ParamVector.OfValues(parameters);
            Segment.End.WriteTo(parameters);
            var end = ParamVector.OfValues(parameters);
            return new Step(parameters, new Segment(start, end, end.Minus(start), null, null));
        }

        public void Dispose()
        {
            Segment.Start.Dispose();
            Segment.End.Dispose();
            Segment.Direction.Dispose();
            Segment.StartState?.Dispose();
            Segment.EndState?.Dispose();
        }
    }
}
