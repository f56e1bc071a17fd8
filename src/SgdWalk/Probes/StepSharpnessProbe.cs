using SgdWalk.Landscape;
using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// Step sharpness S_t = g_tᵀH_{B_t}g_t / ‖g_t‖², the curvature of the step's own batch loss along its gradient at θ_t.
/// A quadratic model of that loss puts plain SGD's floor at α = 1/(η·S_t) (`floor_alpha_predicted`); where the
/// batch profile was measured, `floor_alpha_residual` = batch_floor_alpha − that prediction checks the picture.
/// </summary>
public sealed class StepSharpnessProbe(HessianVectorProduct hessian, RecordSchedule schedule) : IProbe
{
    public string Name => "step-sharpness";

    public IReadOnlyList<string> Columns { get; } = ["step_sharpness", "floor_alpha_predicted", "floor_alpha_residual"];

    public bool Wants(int step, int epoch) => schedule.Includes(step, epoch);

    public void Observe(StepContext step, RowValues row, IProfileSink profiles)
    {
        if (!Wants(step.Step, step.Epoch)) return;
        double squaredNorm = step.Gradient.Dot(step.Gradient);
        if (!(squaredNorm > 0)) return; // no direction, no curvature along it
        double sharpness;
        using (step.AtStart())
        using (var hg = hessian.Apply(step.Batch, step.Gradient))
            sharpness = step.Gradient.Dot(hg) / squaredNorm;

        double predicted = 1 / (step.LearningRate * sharpness);
        row.Set("step_sharpness", sharpness).Set("floor_alpha_predicted", predicted);
        double measured = row.Number("batch_floor_alpha");
        if (double.IsFinite(measured) && double.IsFinite(predicted)) row.Set("floor_alpha_residual", measured - predicted);
    }

    public void Dispose() { }
}
