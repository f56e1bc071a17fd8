using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Gradient alignment with the top Hessian eigenspace (claim 6b; docs/curvature.md): at θ_t, V_k = the
/// top-k Ritz vectors of the probe-view Hessian (Lanczos on HVPs, random start), then for each batch size B the energy
/// fraction ‖V_kᵀ g_B‖² / ‖g_B‖² of m mini-batch gradients drawn from a pool disjoint from the probe view: mean and
/// standard error over the m batches. 0 = orthogonal to the top space, 1 = inside it. One seeded generator for every
/// draw; the model is left as it was (parameters, buffers, .grad, the global RNG).
/// </summary>
public sealed class AlignmentProbe : IProbe, IStatefulProbe
{
    private readonly DataView hessianView;
    private readonly SamplePool pool;
    private readonly HessianVectorProduct hessian;
    private readonly AlignmentOptions options;
    private readonly ProbeGenerator generator;

    public AlignmentProbe(DataView hessianView, SamplePool pool, HessianVectorProduct hessian, AlignmentOptions options)
    {
        if (pool.Count < options.BatchSizes.Max())
            throw new ArgumentException($"the alignment's gradient batches (up to {options.BatchSizes.Max()} samples) need a pool at least that large; it has {pool.Count}");
        (this.hessianView, this.pool, this.hessian, this.options) = (hessianView, pool, hessian, options);
        generator = new ProbeGenerator(options.Seed);
        ColumnNames =
        [
            .. options.BatchSizes.SelectMany(b => new[] { Columns.Alignment(options.TopK, b), Columns.AlignmentStandardError(options.TopK, b) }),
            Columns.AlignmentConverged(options.TopK),
        ];
    }

    public string Name => "alignment";

    public IReadOnlyList<string> ColumnNames { get; }

    public RecordSchedule Schedule => options.Schedule;

    public bool EvaluatesModel => true;

    public void Observe(StepContext step, RowValues row)
    {
        using var atStart = step.AtStart();
        using var space = TopSpace(step.Before);
        row.Set(Columns.AlignmentConverged(options.TopK), space.Converged ? 1 : 0);
        foreach (int b in options.BatchSizes)
        {
            var fractions = new List<double>();
            for (int i = 0; i < options.Batches; i++)
            {
                using var scope = NewDisposeScope();
                using var batch = pool.Draw("alignment-batch", b, Math.Min(b, options.ChunkSize), generator.Generator);
                using var g = hessian.Gradient(batch);
                double fraction = space.EnergyFraction(g);
                if (double.IsFinite(fraction)) fractions.Add(fraction);
            }
            if (fractions.Count == 0) continue;
            var (mean, se) = Statistics.MeanAndStandardError(fractions);
            row.Set(Columns.Alignment(options.TopK, b), mean).Set(Columns.AlignmentStandardError(options.TopK, b), se);
        }
    }

    /// <summary>V_k of the probe-view Hessian at the model's current parameters, from a random start of the probe's stream.</summary>
    public EigenSpace TopSpace(ParamVector like)
    {
        using var start = like.Like(randn([like.Length], like.Flat.dtype, generator: generator.Generator));
        int k = (int)Math.Min(options.TopK, like.Length);
        return Lanczos.TopSpace(v => hessian.Apply(hessianView, v), start, k, Math.Max(k, options.EigenIterations), options.EigenTolerance);
    }

    /// <summary>The generator's position, so a resumed run draws the same starts and batches.</summary>
    public IEnumerable<(string Name, Tensor Value)> SaveState()
    {
        yield return generator.Save();
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        generator.Load(state);
    }

    public void Dispose()
    {
        generator.Dispose();
    }
}
