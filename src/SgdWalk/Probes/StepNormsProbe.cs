using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>‖g_t‖ and ‖u_t‖ on every step.</summary>
public sealed class StepNormsProbe : IProbe
{
    public string Name => "step-norms";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.GradientNorm, Columns.StepNorm];

    public RecordSchedule Schedule => RecordSchedule.All;

    public bool ReadsStepVectors => false;

    public void Observe(StepContext step, RowValues row) => row
        .Set(Columns.GradientNorm, step.GradientNorm)
        .Set(Columns.StepNorm, step.UpdateNorm);

    public void Dispose() { }
}
