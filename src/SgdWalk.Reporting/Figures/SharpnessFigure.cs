using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>Curvature against the stability threshold 2/η (drawn only when the run measured curvature).</summary>
internal static class SharpnessFigure
{
    private static readonly string[] Curves = [Columns.LambdaMax, Columns.Trace, Columns.StepSharpness, Columns.BatchSharpness];

    public const string Caption =
        "Curvature measured during training against the stability threshold 2/η of gradient descent on a quadratic " +
        "(dashed). λ_max is the top Hessian eigenvalue of the probe loss; step sharpness is g_tᵀ H g_t / ‖g_t‖² along the " +
        "step's own gradient. Edge-of-stability behaviour shows as sharpness rising to 2/η and hovering there; a quadratic " +
        "model puts the batch floor at α ≈ 1/(η·S_t).";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        if (run.Steps.Optional(Columns.LambdaMax) is null && run.Steps.Optional(Columns.StepSharpness) is null) return null;
        var steps = run.Steps.Numbers(Columns.Step);
        var plot = Style.Panel($"Sharpness and the 2/η stability threshold ({run.Name})", "step t (SGD iterations)", "curvature (loss / parameter², 1/η units)");
        var colors = new[] { Style.Floor, Style.Other, Style.Probe, Style.Batch };
        for (int c = 0; c < Curves.Length; c++)
            if (run.Steps.Optional(Curves[c]) is { } values && values.Any(double.IsFinite))
                Style.Line(plot, steps, values, colors[c], Curves[c], 1.5f, 6);
        if (run.Steps.Optional(Columns.LearningRate) is { } lr)
            Style.Line(plot, steps, lr.Select(e => 2 / e).ToArray(), Style.Grey, "2/η", 2).LinePattern = LinePattern.Dashed;
        plot.ShowLegend(Alignment.UpperRight);
        var panels = new List<(Plot, double)> { (plot, 1.6) };

        // The quadratic-model consistency check, when the run wrote the prediction.
        if (run.Steps.Optional(Columns.FloorAlphaPredicted) is { } predicted
            && run.Steps.Optional(Columns.OfView(Columns.BatchView, Columns.FloorAlpha)) is { } measured)
        {
            var check = Style.Panel("Batch floor: measured vs predicted by 1/(η·S_t)", "step t (SGD iterations)", "floor α (fraction of the step)");
            Style.Points(check, steps, measured, Style.Batch, "measured batch floor_alpha", 6);
            Style.Points(check, steps, predicted, Style.Grey, "1/(η·S_t)", 6, MarkerShape.OpenCircle);
            check.ShowLegend(Alignment.UpperRight);
            // 1/(η·S) explodes where S is near zero (the first steps); the interesting range is the segment itself.
            check.Axes.SetLimitsY(-0.1, 1.6);
            panels.Add((check, 1));
        }
        return PanelStack.Save(directory, "sharpness", "Sharpness vs 2/η", Caption, options.Width, options.Height, [.. panels]);
    }
}
