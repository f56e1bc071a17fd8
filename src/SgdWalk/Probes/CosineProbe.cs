using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// cos(g_{t−1}, g_t) and cos(u_{t−1}, u_t) on every step: negative values mean SGD bounces across the valley.
/// The first step has no predecessor, so its cells stay empty. With weight decay λ &gt; 0 in the recorder's options
/// (<see cref="RecorderOptions.CosineWeightDecay"/>) the gradient is taken as g_t + λθ_t, the authors' convention
/// (`--compat authors`). g_{t−1} and u_{t−1} are kept by the recorder with its other step vectors, and saved in
/// checkpoints as cosines/previous_gradient and cosines/previous_update.
/// </summary>
public sealed class CosineProbe : IProbe
{
    public string Name => "cosines";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.CosineGradient, Columns.CosineUpdate];

    public RecordSchedule Schedule => RecordSchedule.All;

    public bool ReadsStepVectors => false;

    public void Observe(StepContext step, RowValues row)
    {
        if (step.CosineGradient is not { } cosineGradient || step.CosineUpdate is not { } cosineUpdate) return;
        row.Set(Columns.CosineGradient, cosineGradient);
        row.Set(Columns.CosineUpdate, cosineUpdate);
    }

    public void Dispose() { }
}
