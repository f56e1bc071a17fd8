using SgdWalk.Landscape;
using SgdWalk.Records;

namespace SgdWalk.Probes;

/// <summary>
/// Step sharpness S_t = g_tᵀH_{B_t}g_t / ‖g_t‖², the curvature of the step's own batch loss along its gradient at θ_t.
/// A quadratic model of that loss puts plain SGD's floor at α = 1/(η·S_t) (`floor_alpha_predicted`); where
/// <paramref name="batchProfile"/> measured the step, `floor_alpha_residual` = batch_floor_alpha − that prediction
/// checks the picture.
/// </summary>
public sealed class StepSharpnessProbe(HessianVectorProduct hessian, RecordSchedule schedule, SegmentProfileProbe? batchProfile) : IProbe
{
    public string Name => "step-sharpness";

    public IReadOnlyList<string> ColumnNames { get; } = [Columns.StepSharpness, Columns.FloorAlphaPredicted, Columns.FloorAlphaResidual];

    public RecordSchedule Schedule => schedule;

    public bool EvaluatesModel => true;

    public void Observe(StepContext step, RowValues row)
    {
        double squaredNorm = step.Gradient.Dot(step.Gradient);
        if (!(squaredNorm > 0)) return; // no direction, no curvature along it
        double sharpness;
        using (step.AtStart())
        using (var hg = hessian.Apply(step.Batch, step.Gradient))
            sharpness = step.Gradient.Dot(hg) / squaredNorm;

        double predicted = 1 / (step.LearningRate * sharpness);
        row.Set(Columns.StepSharpness, sharpness).Set(Columns.FloorAlphaPredicted, predicted);
        double measured = batchProfile?.MeasuredAt(step.Step)?.Profile.FloorAlpha ?? double.NaN;
        if (double.IsFinite(measured) && double.IsFinite(predicted)) row.Set(Columns.FloorAlphaResidual, measured - predicted);
    }

    public void Dispose() { }
}
