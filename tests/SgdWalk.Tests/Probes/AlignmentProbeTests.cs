using SgdWalk.Landscape;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The gradient-alignment probe against a dumb oracle on a tiny float64 classifier: the explicit probe-view Hessian
/// (autograd, column by column), its top-k eigenvectors by linalg.eigh, and ‖Vᵀg‖²/‖g‖² of plain-backward gradients on
/// the batches the probe's own seeded stream draws; plus the two ends of the scale and "measuring does not move the walk".
/// </summary>
public class AlignmentProbeTests
{
    private const int K = 3, PoolSize = 40, ProbeSize = 12, Steps = 2, Batches = 3;
    private static readonly int[] BatchSizes = [5, 20];

    private sealed class Tiny : IDisposable
    {
        public Tiny()
        {
            manual_seed(11);
            Model = nn.Sequential(("fc1", nn.Linear(3, 4, dtype: ScalarType.Float64)), ("act", nn.Tanh()), ("fc2", nn.Linear(4, 3, dtype: ScalarType.Float64)));
            Parameters = Model.parameters().ToList();
            using var generator = new Generator(5);
            PoolX = randn([PoolSize, 3], ScalarType.Float64, generator: generator);
            PoolY = randint(0, 3, [PoolSize], generator: generator);
            ProbeX = randn([ProbeSize, 3], ScalarType.Float64, generator: generator);
            ProbeY = randint(0, 3, [ProbeSize], generator: generator);
        }

        public nn.Module<Tensor, Tensor> Model { get; }
        public IReadOnlyList<Parameter> Parameters { get; }
        public Tensor PoolX { get; }
        public Tensor PoolY { get; }
        public Tensor ProbeX { get; }
        public Tensor ProbeY { get; }
        public int Size => (int)Parameters.Sum(p => p.numel());

        public DataView ProbeView() => DataView.Own("probe", ProbeX.clone(), ProbeY.clone(), ProbeSize);

        public SamplePool Pool() => new(PoolX, PoolY, Enumerable.Range(0, PoolSize).Select(i => (long)i).ToArray());

        /// <summary>The explicit Hessian of the probe loss, column by column.</summary>
        public double[,] ProbeHessian()
        {
            using var scope = NewDisposeScope();
            var inputs = Parameters.Cast<Tensor>().ToList();
            var loss = LossSurface.CrossEntropy(Model.call(ProbeX), ProbeY);
            var flat = cat(torch.autograd.grad([loss], inputs, retain_graph: true, create_graph: true).Select(g => g.reshape(-1)).ToList(), 0);
            var h = new double[Size, Size];
            for (int j = 0; j < Size; j++)
            {
                var column = torch.autograd.grad([flat[j]], inputs, retain_graph: true, allow_unused: true);
                var values = column.Select((c, i) => c.IsInvalid ? zeros_like(inputs[i]) : c).SelectMany(c => c.reshape(-1).data<double>().ToArray()).ToArray();
                for (int i = 0; i < Size; i++) h[i, j] = values[i];
            }
            return h;
        }

        /// <summary>∇ of the mean loss on pool rows, by autograd.grad (leaves .grad alone).</summary>
        public double[] Gradient(long[] rows)
        {
            using var scope = NewDisposeScope();
            var index = tensor(rows);
            var loss = LossSurface.CrossEntropy(Model.call(PoolX.index_select(0, index)), PoolY.index_select(0, index));
            return torch.autograd.grad([loss], Parameters.Cast<Tensor>().ToList()).SelectMany(g => g.reshape(-1).data<double>().ToArray()).ToArray();
        }

        public void Dispose()
        {
            Model.Dispose();
            foreach (var t in new[] { PoolX, PoolY, ProbeX, ProbeY }) t.Dispose();
        }
    }

    /// <summary>The top-k eigenvectors (columns, largest eigenvalue first) of a symmetric matrix.</summary>
    private static double[][] TopEigenvectors(double[,] h, int k)
    {
        int n = h.GetLength(0);
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                flat[i * n + j] = (h[i, j] + h[j, i]) / 2;
        using var scope = NewDisposeScope();
        var (_, vectors) = linalg.eigh(tensor(flat, [n, n], ScalarType.Float64));
        var columns = vectors.data<double>().ToArray();
        return Enumerable.Range(0, k).Select(c => Enumerable.Range(0, n).Select(r => columns[(r * n) + (n - 1 - c)]).ToArray()).ToArray();
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double Fraction(double[][] v, double[] g) => v.Sum(e => Math.Pow(Dot(e, g), 2)) / Dot(g, g);

    private static AlignmentOptions Options(RecordSchedule schedule) => new()
    {
        Schedule = schedule, TopK = K, BatchSizes = BatchSizes, Batches = Batches, EigenIterations = 31, EigenTolerance = 1e-10, Seed = 17,
    };

    [Fact]
    public void The_recorded_fractions_equal_the_explicit_hessian_computation()
    {
        using var tiny = new Tiny();
        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions { Probes = ProbePreset.Cheap, Alignment = Options(RecordSchedule.All) };
        var expected = new List<Dictionary<int, double>>();
        // The probe's one stream, replayed: a start vector per measured step, then m batches per B.
        using var replay = new Generator(17);
        using (var recorder = new WalkRecorder(tiny.Model, options, folder, tiny.ProbeView(), alignmentPool: tiny.Pool()))
        using (var optimizer = new SgdOptimizer(tiny.Parameters))
        {
            for (int t = 0; t < Steps; t++)
            {
                // The oracle at θ_t.
                var v = TopEigenvectors(tiny.ProbeHessian(), K);
                randn([tiny.Size], ScalarType.Float64, generator: replay).Dispose();
                expected.Add(BatchSizes.ToDictionary(b => b, b => Enumerable.Range(0, Batches).Select(_ =>
                {
                    using var picked = randperm(PoolSize, generator: replay).narrow(0, 0, b);
                    return Fraction(v, tiny.Gradient(picked.data<long>().ToArray()));
                }).Average()));

                using var x = tiny.PoolX.narrow(0, t * 10, 10);
                using var y = tiny.PoolY.narrow(0, t * 10, 10);
                recorder.BeginStep(x, y);
                optimizer.ZeroGrad();
                using var loss = LossSurface.CrossEntropy(tiny.Model.call(x), y);
                loss.backward();
                recorder.CaptureGradient(loss.item<double>());
                optimizer.Step(0.5);
                recorder.EndStep(t, 1, 0.5);
            }
        }

        var steps = CsvTable.Read(Path.Combine(folder, "steps.csv"));
        for (int t = 0; t < Steps; t++)
        {
            Assert.Equal(1, steps.Number(t, Columns.AlignmentConverged(K)));
            foreach (int b in BatchSizes)
            {
                double measured = steps.Number(t, Columns.Alignment(K, b));
                Assert.True(Math.Abs(expected[t][b] - measured) <= 1e-8, $"step {t}, B = {b}: oracle {expected[t][b]}, probe {measured}");
                Assert.InRange(measured, 0, 1);
                Assert.True(steps.Number(t, Columns.AlignmentStandardError(K, b)) >= 0);
            }
        }
    }

    [Fact]
    public void A_gradient_inside_the_top_space_gives_one_and_an_orthogonal_one_gives_zero()
    {
        using var tiny = new Tiny();
        var v = TopEigenvectors(tiny.ProbeHessian(), K);
        using var probeView = tiny.ProbeView();
        var hessian = new HessianVectorProduct(tiny.Model, tiny.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats);
        using var probe = new AlignmentProbe(probeView, tiny.Pool(), hessian, Options(RecordSchedule.All));
        using var theta = ParamVector.OfValues(tiny.Parameters);
        using var space = probe.TopSpace(theta);

        var random = new Random(4);
        var inside = new double[tiny.Size];
        foreach (var e in v)
        {
            double c = random.NextDouble() + 0.5;
            for (int i = 0; i < inside.Length; i++) inside[i] += c * e[i];
        }
        var orthogonal = Enumerable.Range(0, tiny.Size).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (var e in v)
        {
            double c = Dot(e, orthogonal);
            for (int i = 0; i < orthogonal.Length; i++) orthogonal[i] -= c * e[i];
        }
        using var gInside = theta.Like(tensor(inside, ScalarType.Float64));
        using var gOrthogonal = theta.Like(tensor(orthogonal, ScalarType.Float64));
        Assert.Equal(1, space.EnergyFraction(gInside), 1e-8);
        Assert.Equal(0, space.EnergyFraction(gOrthogonal), 1e-8);
        Assert.True(double.IsNaN(space.EnergyFraction(theta.Like(zeros([tiny.Size], ScalarType.Float64)))));
    }

    [Fact]
    public void Measuring_alignment_leaves_parameters_gradients_and_the_global_generator_as_they_were()
    {
        using var tiny = new Tiny();
        string folder = Directory.CreateTempSubdirectory().FullName;
        var options = new RecorderOptions { Probes = ProbePreset.Cheap, Alignment = Options(RecordSchedule.All) };
        using var recorder = new WalkRecorder(tiny.Model, options, folder, tiny.ProbeView(), alignmentPool: tiny.Pool());
        using var optimizer = new SgdOptimizer(tiny.Parameters);
        using var x = tiny.PoolX.narrow(0, 0, 10);
        using var y = tiny.PoolY.narrow(0, 0, 10);
        recorder.BeginStep(x, y);
        optimizer.ZeroGrad();
        using var loss = LossSurface.CrossEntropy(tiny.Model.call(x), y);
        loss.backward();
        recorder.CaptureGradient(loss.item<double>());
        optimizer.Step(0.5);

        using var theta = ParamVector.OfValues(tiny.Parameters);
        using var grad = ParamVector.OfGradients(tiny.Parameters);
        manual_seed(123);
        recorder.EndStep(0, 1, 0.5);
        using var drawn = randn(5, ScalarType.Float64);
        manual_seed(123);
        using var fresh = randn(5, ScalarType.Float64);

        using var thetaAfter = ParamVector.OfValues(tiny.Parameters);
        using var gradAfter = ParamVector.OfGradients(tiny.Parameters);
        Assert.Equal(theta.ToArray(), thetaAfter.ToArray());
        Assert.Equal(grad.ToArray(), gradAfter.ToArray());
        Assert.Equal(fresh.data<double>().ToArray(), drawn.data<double>().ToArray());
        Assert.True(recorder.Hessian.Products > 0);
    }

    [Fact]
    public void The_gradient_pool_of_a_run_is_disjoint_from_its_probe_subset()
    {
        var probe = RunSetup.ProbeSubset(1000, 300, 7);
        var pool = SamplePool.Complement(1000, probe);
        Assert.Equal(700, pool.Length);
        Assert.Empty(pool.Intersect(probe));
        Assert.Equal(1000, pool.Union(probe).Distinct().Count());
    }

    /// <summary>The options are refused with one readable line each, naming the command line's option.</summary>
    [Fact]
    public void Unusable_alignment_options_are_refused_by_name()
    {
        var on = new AlignmentOptions { Schedule = RecordSchedule.Parse("every:50") };
        var ok = new TrainOptions { Recorder = new RecorderOptions { Alignment = on } };
        TrainOptions With(AlignmentOptions alignment) => ok with { Recorder = ok.Recorder with { Alignment = alignment } };
        Assert.Empty(ok.Validate());
        Assert.Contains("--alignment needs --probe-size smaller than the training split (V_k uses the probe view, the gradient batches the rest)",
            (ok with { ProbeSize = null }).Validate());
        Assert.Contains(With(on with { Batches = 1 }).Validate(), e => e.StartsWith("--alignment-batches must be at least 2", StringComparison.Ordinal));
        Assert.Contains(With(on with { BatchSizes = [25, 25] }).Validate(), e => e.StartsWith("--alignment-batch-sizes must list", StringComparison.Ordinal));
        Assert.Contains(With(on with { TopK = 50 }).Validate(), e => e.StartsWith("--alignment-iterations must be between", StringComparison.Ordinal));
        Assert.Contains((ok with { Recorder = ok.Recorder with { Probes = ProbePreset.None } }).Validate(),
            e => e.StartsWith("--alignment needs --probes cheap or paper", StringComparison.Ordinal));
    }
}
