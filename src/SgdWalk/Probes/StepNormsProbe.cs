using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>‖g_t‖ and ‖u_t‖ on every step.</summary>
public sealed class StepNormsProbe : IProbe
{
    public string Name => "step-norms";

    public IReadOnlyList<string> Columns { get; } = ["grad_norm", "step_norm"];

    public bool Wants(int step, int epoch) => true;

    public void Observe(StepContext step, RowValues row, IProfileSink profiles) => row
        .Set("grad_norm", step.GradientNorm)
        .Set("step_norm", step.UpdateNorm);

    public void Dispose() { }
}
