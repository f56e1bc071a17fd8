using SgdWalk.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>
/// Hessian-vector products, eigenvalues and the trace against dumb oracles on tiny float64 models: the explicit
/// Hessian built column by column with autograd, and again by central differences of gradients.
/// </summary>
public class CurvatureTests
{
    /// <summary>A tiny float64 classifier: 3 → 4 (tanh, optional BatchNorm) → 3, cross-entropy, 12 samples in chunks of 6.</summary>
    private sealed class Tiny : IDisposable
    {
        /// <param name="grouped">A <see cref="GroupedBatchNorm"/> instead of TorchSharp's, so products take many chunks per pass.</param>
        public Tiny(bool batchNorm, BatchNormPolicy policy = BatchNormPolicy.BatchStats, bool grouped = false)
        {
            manual_seed(7);
            var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc1", nn.Linear(3, 4, dtype: ScalarType.Float64)) };
            if (batchNorm) layers.Add(("bn", grouped ? GroupedBatchNorm.OneD(4) : nn.BatchNorm1d(4, dtype: ScalarType.Float64)));
            layers.Add(("act", nn.Tanh()));
            layers.Add(("fc2", nn.Linear(4, 3, dtype: ScalarType.Float64)));
            Model = nn.Sequential(layers);
            Model.to(ScalarType.Float64);
            Parameters = Model.parameters().ToList();
            var x = randn(12, 3, dtype: ScalarType.Float64);
            var y = tensor(new long[] { 0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 2, 1 });
            View = DataView.Own("probe", x, y, chunkSize: 6);
            Policy = policy;
            if (batchNorm && policy == BatchNormPolicy.Running)
            {
                // Non-trivial running statistics, so eval mode differs from train mode.
                using var _ = no_grad();
                Model.train();
                Model.call(x.mul(2).add(1));
            }
            Hvp = new HessianVectorProduct(Model, Parameters, LossSurface.CrossEntropy, policy);
        }

        public nn.Module<Tensor, Tensor> Model { get; }
        public IReadOnlyList<Parameter> Parameters { get; }
        public DataView View { get; }
        public BatchNormPolicy Policy { get; }
        public HessianVectorProduct Hvp { get; }
        public int Size => (int)Parameters.Sum(p => p.numel());

        /// <summary>The view's loss as one graph: the sample-weighted mean of the chunk losses.</summary>
        public Tensor Loss()
        {
            Model.train(Policy == BatchNormPolicy.BatchStats);
            return View.Chunks.Select(c => LossSurface.CrossEntropy(Model.call(c.Inputs), c.Targets).mul(c.Inputs.shape[0] / (double)View.Count))
                .Aggregate((a, b) => a.add(b));
        }

        /// <summary>∇L by plain backward (independent of the class under test).</summary>
        public double[] Gradient()
        {
            using var scope = NewDisposeScope();
            foreach (var p in Parameters) p.grad = null;
            Loss().backward();
            return Parameters.SelectMany(p => p.grad!.reshape(-1).data<double>().ToArray()).ToArray();
        }

        /// <summary>H column by column: the gradient of each gradient entry (autograd, graph kept for every column).</summary>
        public double[,] HessianByAutograd()
        {
            using var scope = NewDisposeScope();
            var inputs = Parameters.Cast<Tensor>().ToList();
            var flat = cat(torch.autograd.grad([Loss()], inputs, retain_graph: true, create_graph: true).Select(g => g.reshape(-1)).ToList(), 0);
            var h = new double[Size, Size];
            for (int j = 0; j < Size; j++)
            {
                var row = torch.autograd.grad([flat[j]], inputs, retain_graph: true, allow_unused: true);
                var values = row.Select((r, i) => r.IsInvalid ? zeros_like(inputs[i]) : r).SelectMany(r => r.reshape(-1).data<double>().ToArray()).ToArray();
                for (int i = 0; i < Size; i++) h[i, j] = values[i];
            }
            return h;
        }

        /// <summary>H column by column by central differences of plain gradients.</summary>
        public double[,] HessianByFiniteDifferences(double step = 1e-5)
        {
            using var theta = ParamVector.OfValues(Parameters);
            var h = new double[Size, Size];
            for (int j = 0; j < Size; j++)
            {
                var e = new double[Size];
                e[j] = 1;
                using var direction = theta.Like(tensor(e, ScalarType.Float64));
                ParamVector.WriteLerp(Parameters, theta, direction, step);
                var plus = Gradient();
                ParamVector.WriteLerp(Parameters, theta, direction, -step);
                var minus = Gradient();
                for (int i = 0; i < Size; i++) h[i, j] = (plus[i] - minus[i]) / (2 * step);
            }
            theta.WriteTo(Parameters);
            return h;
        }

        public ParamVector Random(int seed)
        {
            using var generator = new Generator((ulong)seed);
            using var theta = ParamVector.OfValues(Parameters);
            return theta.Like(randn([Size], ScalarType.Float64, generator: generator));
        }

        public void Dispose()
        {
            View.Dispose();
            Model.Dispose();
        }
    }

    private static double[] Times(double[,] h, double[] v) =>
        Enumerable.Range(0, v.Length).Select(i => Enumerable.Range(0, v.Length).Sum(j => h[i, j] * v[j])).ToArray();

    private static double[] Eigenvalues(double[,] h)
    {
        int n = h.GetLength(0);
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                flat[i * n + j] = (h[i, j] + h[j, i]) / 2;
        using var matrix = tensor(flat, [n, n], ScalarType.Float64);
        using var values = linalg.eigvalsh(matrix);
        return values.data<double>().ToArray(); // ascending
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        double scale = Math.Max(expected.Max(Math.Abs), 1e-12);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"entry {i}: expected {expected[i]}, got {actual[i]} (tolerance {relative * scale})");
    }

    public static TheoryData<bool, BatchNormPolicy, bool> Models => new()
    {
        { false, BatchNormPolicy.BatchStats, false },
        { true, BatchNormPolicy.BatchStats, false },
        { true, BatchNormPolicy.BatchStats, true },
        { true, BatchNormPolicy.Running, false },
        { true, BatchNormPolicy.Running, true },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Hessian_vector_products_equal_the_explicit_hessian_times_v(bool batchNorm, BatchNormPolicy policy, bool grouped)
    {
        using var tiny = new Tiny(batchNorm, policy, grouped);
        var byAutograd = tiny.HessianByAutograd();
        var byDifferences = tiny.HessianByFiniteDifferences();
        // The two oracles agree with each other, so neither is the class under test in disguise.
        AssertClose(byAutograd.Cast<double>().ToArray(), byDifferences.Cast<double>().ToArray(), 1e-7);

        using var v = tiny.Random(1);
        var expected = Times(byAutograd, v.ToArray());
        using (var hv = tiny.Hvp.Apply(tiny.View, v)) AssertClose(expected, hv.ToArray(), 1e-12);
        var finite = new HessianVectorProduct(tiny.Model, tiny.Parameters, LossSurface.CrossEntropy, policy, HvpMethod.FiniteDifference);
        using (var hv = finite.Apply(tiny.View, v)) AssertClose(expected, hv.ToArray(), 1e-7);
        Assert.Equal(1, tiny.Hvp.Products);

        // Symmetry: wᵀ(Hv) = vᵀ(Hw).
        using var w = tiny.Random(2);
        using var hvAgain = tiny.Hvp.Apply(tiny.View, v);
        using var hw = tiny.Hvp.Apply(tiny.View, w);
        Assert.Equal(w.Dot(hvAgain), v.Dot(hw), 1e-12);
    }

    [Theory]
    [InlineData("mlp", ScalarType.Float64, 1 << 30, 1e-12)]
    [InlineData("mlp", ScalarType.Float64, 40_000, 1e-12)]
    [InlineData("small-cnn", ScalarType.Float64, 1 << 30, 1e-12)]
    [InlineData("mlp", ScalarType.Float32, 1 << 30, 1e-5)]
    public void Products_through_grouped_batchnorm_equal_the_chunk_by_chunk_products(string name, ScalarType dtype, long passBytes, double tolerance)
    {
        // 650 samples in chunks of 100: a last chunk of 50 is its own group; 40 kB passes make several passes.
        using var data = SgdWalk.Data.SyntheticData.Create(21, trainCount: 650, height: 8, width: 8);
        manual_seed(21);
        using var model = SgdWalk.Models.ModelZoo.Create(name, new SgdWalk.Models.ModelSpec(1, 8, 8, data.Train.Classes, name == "mlp" ? [24, 16] : [4, 8]));
        model.to(dtype);
        var parameters = model.parameters().ToList();
        using var view = DataView.Own("probe", data.Train.Inputs().to(dtype), data.Train.Labels.clone(), 100);
        var grouped = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats) { PassBytes = passBytes };
        var chunked = new HessianVectorProduct(model, parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats) { PassBytes = 0 };
        using var theta = ParamVector.OfValues(parameters);
        using var generator = new Generator(5);
        using var v = theta.Like(randn([theta.Length], dtype, generator: generator));

        using (var expected = chunked.Gradient(view))
        using (var actual = grouped.Gradient(view)) AssertClose(expected.ToArray(), actual.ToArray(), tolerance);
        using (var expected = chunked.Apply(view, v))
        using (var actual = grouped.Apply(view, v)) AssertClose(expected.ToArray(), actual.ToArray(), tolerance);
        using var after = ParamVector.OfValues(parameters);
        Assert.Equal(0, ParamVector.Distance(after, theta));
        Assert.All(model.modules().OfType<GroupedBatchNorm>(), norm => Assert.Null(norm.GroupSize));
    }

    [Fact]
    public void A_product_leaves_parameters_buffers_mode_and_grads_as_it_found_them()
    {
        using var tiny = new Tiny(batchNorm: true);
        tiny.Model.eval();
        using (var _ = no_grad())
            foreach (var p in tiny.Parameters) p.grad = full_like(p, 3.0);
        using var before = ParamVector.OfValues(tiny.Parameters);
        var buffers = tiny.Model.buffers().Select(b => b.clone()).ToList();
        using var v = tiny.Random(3);
        using (tiny.Hvp.Apply(tiny.View, v)) { }
        using (new HessianVectorProduct(tiny.Model, tiny.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats,
            HvpMethod.FiniteDifference).Apply(tiny.View, v)) { }
        using var after = ParamVector.OfValues(tiny.Parameters);
        Assert.Equal(before.ToArray(), after.ToArray());
        Assert.All(tiny.Model.buffers().Zip(buffers), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        Assert.False(tiny.Model.training);
        Assert.All(tiny.Parameters, p => Assert.Equal(3.0, p.grad!.max().item<double>()));
    }

    [Fact]
    public void Power_iteration_and_lanczos_find_the_eigenvalues_of_the_explicit_hessian()
    {
        using var tiny = new Tiny(batchNorm: false);
        var eigenvalues = Eigenvalues(tiny.HessianByAutograd());
        double largestMagnitude = eigenvalues.MaxBy(Math.Abs);
        ParamVector Product(ParamVector v) => tiny.Hvp.Apply(tiny.View, v);

        using var start = tiny.Random(4);
        using (var power = PowerIteration.Top(Product, start, maxIterations: 2000, tolerance: 1e-13))
        {
            Assert.True(power.Converged);
            Assert.Equal(largestMagnitude, power.Top, 1e-8 * Math.Abs(largestMagnitude));
            // Warm start from the converged eigenvector: done in a couple of products.
            using var warm = PowerIteration.Top(Product, power.Vector, maxIterations: 2000, tolerance: 1e-9);
            Assert.True(warm.Iterations <= 3, $"warm start took {warm.Iterations} products");
        }

        using var lanczos = Lanczos.Top(Product, start, k: 3, maxIterations: tiny.Size, tolerance: 1e-10);
        Assert.True(lanczos.Converged);
        var top3 = eigenvalues.Reverse().Take(3).ToArray();
        AssertClose(top3, lanczos.Values.ToArray(), 1e-9);
        // The returned vector is the top eigenvector: Hy = λy.
        using var hy = Product(lanczos.Vector);
        AssertClose(lanczos.Vector.ToArray().Select(x => x * lanczos.Top).ToArray(), hy.ToArray(), 1e-6);
        Assert.True(lanczos.Iterations < tiny.Size, $"Lanczos used {lanczos.Iterations} of {tiny.Size} products");
    }

    /// <summary>`--end-curvature`'s measurement (<see cref="SgdWalk.Probes.SharpnessProbe.AtEnd"/>) at the current weights: λ_max
    /// of the explicit Hessian, and its trace within three stated standard errors.</summary>
    [Fact]
    public void The_end_of_run_curvature_is_the_explicit_hessians_top_eigenvalue_and_trace()
    {
        using var tiny = new Tiny(batchNorm: false);
        var h = tiny.HessianByAutograd();
        double top = Eigenvalues(h).Max(), trace = Enumerable.Range(0, tiny.Size).Sum(i => h[i, i]);
        var options = new SgdWalk.Probes.SharpnessOptions { EigenIterations = tiny.Size, EigenTolerance = 1e-10, TraceSamples = 200, Seed = 3 };
        var (lambdaMax, estimate) = SgdWalk.Probes.SharpnessProbe.AtEnd(tiny.View, tiny.Hvp, tiny.Parameters, options);
        Assert.Equal(top, lambdaMax, 1e-8 * Math.Abs(top));
        Assert.Equal(200, estimate!.Value.Samples);
        Assert.True(Math.Abs(estimate.Value.Value - trace) <= 3 * estimate.Value.StandardError, $"trace {trace}, estimate {estimate.Value.Value} ± {estimate.Value.StandardError}");
        // No trace asked: none measured.
        Assert.Null(SgdWalk.Probes.SharpnessProbe.AtEnd(tiny.View, tiny.Hvp, tiny.Parameters, options with { TraceSamples = 0 }).Trace);
    }

    /// <summary>
    /// `--end-curvature` draws its start vector and trace probes from a stream of its own (<c>SeedStreams.EndCurvature</c>):
    /// reproducible, the same whatever the per-step sharpness probe's seed, and other draws than that probe's stream gives.
    /// </summary>
    [Fact]
    public void The_end_of_run_curvature_draws_from_its_own_stream()
    {
        using var tiny = new Tiny(batchNorm: false);
        var options = new SgdWalk.Probes.SharpnessOptions { EigenIterations = 3, TraceSamples = 4, Seed = 3, EndCurvatureSeed = 4 };
        (double, SgdWalk.Landscape.TraceEstimate?) AtEnd(SgdWalk.Probes.SharpnessOptions o) => SgdWalk.Probes.SharpnessProbe.AtEnd(tiny.View, tiny.Hvp, tiny.Parameters, o);
        var end = AtEnd(options);
        Assert.Equal(end, AtEnd(options));
        Assert.Equal(end, AtEnd(options with { Seed = 99 }));
        var sharpnessStream = AtEnd(options with { EndCurvatureSeed = options.Seed });
        Assert.NotEqual(end.Item2!.Value.Value, sharpnessStream.Item2!.Value.Value);
    }

    [Fact]
    public void The_hutchinson_trace_is_within_its_stated_error()
    {
        using var tiny = new Tiny(batchNorm: true);
        var h = tiny.HessianByAutograd();
        double trace = Enumerable.Range(0, tiny.Size).Sum(i => h[i, i]);
        using var like = tiny.Random(5);
        using var generator = new Generator(11);
        var estimate = HutchinsonTrace.Estimate(v => tiny.Hvp.Apply(tiny.View, v), like, 200, generator);
        Assert.Equal(200, estimate.Samples);
        Assert.True(estimate.StandardError > 0);
        Assert.True(Math.Abs(estimate.Value - trace) <= 3 * estimate.StandardError,
            $"trace {trace}, estimate {estimate.Value} ± {estimate.StandardError}");
        // The standard error is honest: the Rademacher variance is 2·Σ_{i≠j} H_ij², so SE ≈ √(that / 200).
        double offDiagonal = 0;
        for (int i = 0; i < tiny.Size; i++)
            for (int j = 0; j < tiny.Size; j++)
                if (i != j) offDiagonal += h[i, j] * h[i, j];
        Assert.InRange(estimate.StandardError / Math.Sqrt(2 * offDiagonal / 200), 0.7, 1.3);
    }
}
