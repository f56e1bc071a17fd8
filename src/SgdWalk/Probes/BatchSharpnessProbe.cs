using SgdWalk.Landscape;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Batch sharpness E_B[g_Bᵀ H_B g_B / ‖g_B‖²] at θ_t: the Monte-Carlo mean over a few mini-batches of the training
/// batch size, drawn without replacement from the probe set by the probe's own seeded generator, with its standard
/// error. Under SGD it settles near 2/η (edge of stochastic stability) while λ_max of the probe loss stays below.
/// </summary>
public sealed class BatchSharpnessProbe(DataView probeView, HessianVectorProduct hessian, SharpnessOptions options) : IProbe, IStatefulProbe
{
    private readonly ProbeGenerator generator = new(options.BatchSharpnessSeed);

    public string Name => "batch-sharpness";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.BatchSharpness, Columns.BatchSharpnessStandardError];

    public RecordSchedule Schedule => options.BatchSharpnessBatches > 0 ? options.Schedule : RecordSchedule.None;

    public bool EvaluatesModel => true;

    public void Observe(StepContext step, RowValues row)
    {
        using var atStart = step.AtStart();
        int size = Math.Min(options.BatchSize, probeView.Count);
        var values = new List<double>();
        for (int b = 0; b < options.BatchSharpnessBatches; b++)
        {
            using var scope = NewDisposeScope();
            using var batch = probeView.Select("sharpness-batch", randperm(probeView.Count, generator: generator.Generator).narrow(0, 0, size), probeView.ChunkSize);
            using var g = hessian.Gradient(batch);
            double squaredNorm = g.Dot(g);
            if (!(squaredNorm > 0)) continue;
            using var hg = hessian.Apply(batch, g);
            values.Add(g.Dot(hg) / squaredNorm);
        }
        if (values.Count == 0) return;
        var (mean, se) = Statistics.MeanAndStandardError(values);
        row.Set(Columns.BatchSharpness, mean).Set(Columns.BatchSharpnessStandardError, se);
    }

    /// <summary>The generator's position, so a resumed run draws the same batches.</summary>
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
