using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// ‖θ_t − θ_0‖ on every step: how far SGD has travelled from its initialisation. θ_0 (the parameters before the first
/// observed step) is kept by the recorder with its other step vectors, and saved in checkpoints as dist-init/theta_0.
/// </summary>
public sealed class DistanceFromInitProbe : IProbe
{
    public string Name => "dist-init";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.DistanceFromInit];

    public RecordSchedule Schedule => RecordSchedule.All;

    public bool ReadsStepVectors => false;

    public void Observe(StepContext step, RowValues row) => row.Set(Columns.DistanceFromInit, step.DistanceFromInit);

    public void Dispose() { }
}
