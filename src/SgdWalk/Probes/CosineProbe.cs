using SgdWalk.Landscape;
using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// cos(g_{t−1}, g_t) and cos(u_{t−1}, u_t) on every step: negative values mean SGD bounces across the valley.
/// The first step has no predecessor, so its cells stay empty. With <paramref name="weightDecay"/> &gt; 0 the
/// gradient is taken as g_t + λθ_t, the authors' convention (`--compat authors`).
/// </summary>
public sealed class CosineProbe(double weightDecay = 0) : IProbe, IStatefulProbe
{
    private ParamVector? previousGradient;
    private ParamVector? previousUpdate;
    private double previousGradientNorm, previousUpdateNorm;

    public string Name => "cosines";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.CosineGradient, Columns.CosineUpdate];

    public RecordSchedule Schedule => RecordSchedule.All;

    public void Observe(StepContext step, RowValues row, IProfileSink profiles)
    {
        // Norms are shared with the step-norms probe and carried over from the previous step: one dot product per cosine.
        // g_t and u_t are taken over from the recorder for the next step, not copied.
        var gradient = weightDecay > 0 ? step.Gradient.PlusScaled(step.Before, weightDecay) : step.KeepGradient();
        double gradientNorm = weightDecay > 0 ? gradient.Norm() : step.GradientNorm;
        var update = step.KeepUpdate();
        if (previousGradient is not null && previousUpdate is not null)
        {
            row.Set(Columns.CosineGradient, ParamVector.Cosine(previousGradient.Dot(gradient), previousGradientNorm, gradientNorm));
            row.Set(Columns.CosineUpdate, ParamVector.Cosine(previousUpdate.Dot(update), previousUpdateNorm, step.UpdateNorm));
        }
        previousGradient?.Dispose();
        previousUpdate?.Dispose();
        (previousGradient, previousUpdate) = (gradient, update);
        (previousGradientNorm, previousUpdateNorm) = (gradientNorm, step.UpdateNorm);
    }

    public IEnumerable<(string Name, Tensor Value)> SaveState()
    {
        if (previousGradient is not null) yield return ("previous_gradient", previousGradient.Flat);
        if (previousUpdate is not null) yield return ("previous_update", previousUpdate.Flat);
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<Parameter> parameters)
    {
        previousGradient?.Dispose();
        previousUpdate?.Dispose();
        previousGradient = state.TryGetValue("previous_gradient", out var g) ? ProbeState.Restore(g, parameters) : null;
        previousUpdate = state.TryGetValue("previous_update", out var u) ? ProbeState.Restore(u, parameters) : null;
        previousGradientNorm = previousGradient?.Norm() ?? 0;
        previousUpdateNorm = previousUpdate?.Norm() ?? 0;
    }

    public void Dispose()
    {
        previousGradient?.Dispose();
        previousUpdate?.Dispose();
    }
}
