using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>
/// The paper's signature figure: the loss along consecutive steps laid end to end on one iteration axis
/// (x = t + α), the valley floor of each step marked, and below it the gradient cosine and distance from init.
/// </summary>
internal static class WalkFigure
{
    public const string Caption =
        "Each arch is one SGD step: the loss along θ_t + α·u_t for α from 0 to 1, drawn at x = t + α. A minimum strictly " +
        "inside the arch (filled red dot) is the valley floor: SGD jumps over it from one valley wall to the other, at " +
        "the height of the arch's ends. Hollow grey dots are floors at an end of the segment (no valley crossed). The " +
        "batch view (orange) is the loss on the step's own mini-batch. Below: consecutive mini-batch gradients often " +
        "point against each other (cosine < 0) while the iterate bounces, and the distance from the initialisation grows.";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        string view = run.MainView;
        var window = WalkWindow.Select(run.ProfiledSteps(view), options.WindowStart, options.WindowCount);
        if (window.Length == 0) return null;
        double xMin = window[0], xMax = window[^1] + 1;

        var loss = Style.Panel($"Loss along {window.Length} consecutive SGD steps ({run.Name}, steps {window[0]}–{window[^1]})",
            "iteration t + α (SGD steps)", "loss (cross-entropy, nats)");
        DrawArches(loss, run, window, view, Style.Probe, $"{view} view (fixed subset)");
        if (view != Columns.BatchView && run.Views.Contains(Columns.BatchView))
            // Thin and translucent: the batch loss swings far more than the probe loss and would hide the probe arches.
            DrawArches(loss, run, window, Columns.BatchView, Style.Batch.WithAlpha(0.55), "batch view (the step's mini-batch)", 1.2f);
        DrawFloors(loss, run, window, view);
        loss.ShowLegend(Alignment.UpperRight);

        var steps = run.Steps.Numbers(Columns.Step);
        var inWindow = Enumerable.Range(0, steps.Length).Where(i => steps[i] >= xMin && steps[i] <= xMax).ToArray();
        double[] x = inWindow.Select(i => steps[i]).ToArray();

        var cosine = Style.Panel("Cosine between consecutive mini-batch gradients, cos(g_t−1, g_t)", "", "cosine (unitless)");
        if (run.Steps.Optional(Columns.CosineGradient) is { } cos)
        {
            Style.Line(cosine, x, inWindow.Select(i => cos[i]).ToArray(), Style.Other, null, 1.5f, 5);
            cosine.Add.HorizontalLine(0, 1, Style.Grey, LinePattern.Dashed);
        }
        else Style.NotMeasured(cosine, Columns.CosineGradient);

        var distance = Style.Panel("Distance from initialisation ‖θ_t − θ_0‖", "iteration t (SGD steps)", "‖θ_t − θ_0‖ (L2)");
        if (run.Steps.Optional(Columns.DistanceFromInit) is { } dist)
            Style.Line(distance, x, inWindow.Select(i => dist[i]).ToArray(), Style.Height, null, 2, 5);
        else Style.NotMeasured(distance, Columns.DistanceFromInit);

        foreach (var p in new[] { loss, cosine, distance }) p.Axes.SetLimitsX(xMin - 0.2, xMax + 0.2);
        return PanelStack.Save(directory, "walk", "The walk: loss along consecutive steps", Caption,
            options.Width, options.Height, (loss, 2.1), (cosine, 1.1), (distance, 1));
    }

    private static void DrawArches(Plot plot, RunData run, int[] window, string view, Color color, string legend, float width = 2.2f)
    {
        bool first = true;
        foreach (int t in window)
        {
            if (run.ProfileOf(t, view) is not { } profile) continue;
            // One line per step: the arches meet at integer t because α = 1 of step t is θ_{t+1}.
            Style.Line(plot, profile.Alpha.Select(a => t + a).ToArray(), profile.Loss, color, first ? legend : null, width, 3);
            first = false;
        }
    }

    private static void DrawFloors(Plot plot, RunData run, int[] window, string view)
    {
        var steps = run.Steps.Numbers(Columns.Step);
        var alpha = run.Steps.Optional(Columns.OfView(view, Columns.FloorAlpha));
        var floor = run.Steps.Optional(Columns.OfView(view, Columns.FloorLoss));
        var interior = run.Steps.Optional(Columns.OfView(view, Columns.Interior));
        if (alpha is null || floor is null) return;
        var set = window.ToHashSet();
        var rows = Enumerable.Range(0, steps.Length).Where(i => set.Contains((int)steps[i]) && !double.IsNaN(alpha[i])).ToArray();
        bool IsInterior(int i) => interior is not null && interior[i] == 1;
        var inside = rows.Where(IsInterior).ToArray();
        var edge = rows.Where(i => !IsInterior(i)).ToArray();
        Style.Points(plot, inside.Select(i => steps[i] + alpha[i]).ToArray(), inside.Select(i => floor[i]).ToArray(),
            Style.Floor, $"valley floor inside the step ({inside.Length})", 9);
        if (edge.Length > 0)
            Style.Points(plot, edge.Select(i => steps[i] + alpha[i]).ToArray(), edge.Select(i => floor[i]).ToArray(),
                Style.Edge, $"floor at a segment end ({edge.Length})", 10, MarkerShape.OpenCircle);
    }
}
