using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// λ_max (and λ_2 … λ_k) of the probe-view Hessian at θ_t by power iteration or Lanczos, warm-started from the
/// previous estimate's eigenvector (the top direction moves slowly, so later estimates need few products), and the
/// Hutchinson trace with its standard error. Random draws come from the probe's own seeded generator.
/// </summary>
public sealed class SharpnessProbe(DataView probeView, HessianVectorProduct hessian, SharpnessOptions options) : IProbe, IStatefulProbe
{
    private readonly ProbeGenerator generator = new(options.Seed);
    private ParamVector? previous;

    public string Name => "sharpness";

    public IReadOnlyList<string> ColumnNames { get; } =
        [Columns.LambdaMax, .. Enumerable.Range(2, Math.Max(0, options.TopK - 1)).Select(Columns.Lambda), Columns.Trace, Columns.TraceStandardError];

    public RecordSchedule Schedule => options.Schedule;

    public bool EvaluatesModel => true;

    public void Observe(StepContext step, RowValues row)
    {
        using var atStart = step.AtStart();
        using var start = StartVector(step.Before);
        var (estimate, trace) = Measure(v => hessian.Apply(probeView, v), start, step.Before, options, generator.Generator);
        using (estimate)
        {
            row.Set(Columns.LambdaMax, estimate.Top);
            for (int i = 1; i < estimate.Values.Count; i++) row.Set(Columns.Lambda(i + 1), estimate.Values[i]);
            previous = estimate.Vector.Clone();
        }
        if (trace is { } t) row.Set(Columns.Trace, t.Value).Set(Columns.TraceStandardError, t.StandardError);
    }

    /// <summary>
    /// One curvature measurement of <paramref name="product"/> (the probe view's Hessian at θ): the top eigenvalues by the
    /// options' method from <paramref name="start"/>, then the Hutchinson trace when the options ask for one (its draws
    /// from <paramref name="generator"/>). Shared by this probe and the end-of-run curvature (<see cref="AtEnd"/>).
    /// </summary>
    private static (EigenEstimate Estimate, TraceEstimate? Trace) Measure(Func<ParamVector, ParamVector> product, ParamVector start, ParamVector like,
        SharpnessOptions options, Generator generator)
    {
        var estimate = options.Eigen == EigenMethod.Power
            ? PowerIteration.Top(product, start, options.EigenIterations, options.EigenTolerance)
            : Lanczos.Top(product, start, options.TopK, Math.Max(options.EigenIterations, options.TopK), options.EigenTolerance);
        TraceEstimate? trace = options.TraceSamples < 2 ? null : HutchinsonTrace.Estimate(product, like, options.TraceSamples, generator);
        return (estimate, trace);
    }

    /// <summary>
    /// `--end-curvature`: the same measurement once, at the model's current parameters (a run's final weights), from a
    /// random start drawn from the end curvature's own stream (<see cref="SharpnessOptions.EndCurvatureSeed"/>, not the
    /// per-step probe's): λ_max and the trace (null with fewer than 2 samples).
    /// </summary>
    public static (double LambdaMax, TraceEstimate? Trace) AtEnd(DataView probeView, HessianVectorProduct hessian,
        IReadOnlyList<TorchSharp.Modules.Parameter> parameters, SharpnessOptions options)
    {
        using var generator = new ProbeGenerator(options.EndCurvatureSeed);
        using var at = ParamVector.OfValues(parameters);
        using var start = at.Like(randn([at.Length], at.Flat.dtype, generator: generator.Generator));
        var (estimate, trace) = Measure(v => hessian.Apply(probeView, v), start, at, options, generator.Generator);
        using (estimate) return (estimate.Top, trace);
    }

    /// <summary>
    /// The previous top eigenvector, or a random vector the first time. For top-k a random component is mixed in: an
    /// exact eigenvector spans an invariant Krylov space of dimension one, which holds no second eigenvalue.
    /// </summary>
    private ParamVector StartVector(ParamVector like)
    {
        var random = like.Like(randn([like.Length], like.Flat.dtype, generator: generator.Generator));
        if (previous is null) return random;
        var start = options.TopK > 1 ? previous.PlusScaled(random, 0.3 / random.Norm()) : previous.Clone();
        random.Dispose();
        previous.Dispose();
        previous = null;
        return start;
    }

    /// <summary>The warm start and the generator's position, so a resumed run draws and converges exactly as before.</summary>
    public IEnumerable<(string Name, Tensor Value)> SaveState()
    {
        yield return generator.Save();
        if (previous is not null) yield return ("previous", previous.Flat);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        generator.Load(state);
        previous?.Dispose();
        previous = state.TryGetValue("previous", out var v) ? ProbeState.Restore(v, parameters) : null;
    }

    public void Dispose()
    {
        previous?.Dispose();
        generator.Dispose();
    }
}
