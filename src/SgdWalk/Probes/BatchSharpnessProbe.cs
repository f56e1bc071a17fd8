using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Batch sharpness E_B[g_Bᵀ H_B g_B / ‖g_B‖²] at θ_t: the Monte-Carlo mean over a few mini-batches of the training
/// batch size, drawn without replacement from the probe set by the probe's own seeded generator, with its standard
/// error. Under SGD it settles near 2/η (edge of stochastic stability) while λ_max of the probe loss stays below.
/// </summary>
public sealed class BatchSharpnessProbe(DataView probeView, HessianVectorProduct hessian, CurvatureOptions options) : IProbe, IStatefulProbe
{
    private readonly Generator generator = new((ulong)options.BatchSharpnessSeed);
    private Tensor? generatorState;

    public string Name => "batch-sharpness";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.BatchSharpness, Columns.BatchSharpnessStandardError];

    public RecordSchedule Schedule => options.BatchSharpnessBatches > 0 ? options.Schedule : RecordSchedule.None;

    public bool EvaluatesModel => true;

    public void Observe(StepContext step, RowValues row, IProfileSink profiles)
    {
        using var atStart = step.AtStart();
        int size = Math.Min(options.BatchSize, probeView.Count);
        var values = new List<double>();
        for (int b = 0; b < options.BatchSharpnessBatches; b++)
        {
            using var scope = NewDisposeScope();
            using var batch = probeView.Select("sharpness-batch", randperm(probeView.Count, generator: generator).narrow(0, 0, size), probeView.ChunkSize);
            using var g = hessian.Gradient(batch);
            double squaredNorm = g.Dot(g);
            if (!(squaredNorm > 0)) continue;
            using var hg = hessian.Apply(batch, g);
            values.Add(g.Dot(hg) / squaredNorm);
        }
        if (values.Count == 0) return;
        double mean = values.Average();
        double se = values.Count < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) / values.Count);
        row.Set(Columns.BatchSharpness, mean).Set(Columns.BatchSharpnessStandardError, se);
    }

    /// <summary>The generator's position, so a resumed run draws the same batches.</summary>
    public IEnumerable<(string Name, Tensor Value)> SaveState()
    {
        generatorState?.Dispose();
        generatorState = generator.get_state();
        yield return ("generator", generatorState);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        if (state.TryGetValue("generator", out var g)) generator.set_state(g);
    }

    public void Dispose()
    {
        generatorState?.Dispose();
        generator.Dispose();
    }
}
