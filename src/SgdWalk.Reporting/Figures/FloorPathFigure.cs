using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>
/// Barriers on the valley floor: the loss along the chained path of floor points φ_{t−k} → φ_t (profiles of the
/// view floor-k{k}) next to the loss of the iterates themselves, and below it the barrier of every floor segment
/// beside the bump of SGD's own step. Drawn only when the run recorded a floor path (--floor-lags).
/// </summary>
internal static class FloorPathFigure
{
    public const string Caption =
        "Top: the loss along the straight segments joining consecutive valley floors φ_t = θ_t + floor_alpha·u_t (red), " +
        "drawn end to end, and the loss of the iterates θ_t that SGD actually visits (blue dots). A red hump is a barrier " +
        "on the floor; if the blue dots sit above the red path, SGD travels above the floor and passes over it. " +
        "Bottom: the barrier height of each floor segment and the bump of SGD's own step (0 when the step crossed none).";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        var lags = run.ProfileViews().Where(v => v.StartsWith("floor-k", StringComparison.Ordinal))
            .Select(v => int.TryParse(v["floor-k".Length..], out int k) ? k : 0).Where(k => k > 0).Order().ToArray();
        if (lags.Length == 0) return null;
        int lag = lags[0];
        string view = $"floor-k{lag}";
        var window = WalkWindow.Select(run.ProfiledSteps(view), options.WindowStart, options.WindowCount);
        if (window.Length == 0) return null;

        var path = Style.Panel($"Loss along the valley floor, floor points {lag} step(s) apart ({run.Name})",
            "iteration t (SGD steps)", "loss (cross-entropy, nats)");
        bool first = true;
        foreach (int t in window)
        {
            if (run.ProfileOf(t, view) is not { } p) continue;
            Style.Line(path, p.Alpha.Select(a => t - lag + (a * lag)).ToArray(), p.Loss, Style.Floor, first ? "straight path between floor points" : null, 2, 3);
            first = false;
        }
        var iterates = window.Select(t => run.ProfileOf(t, run.MainView)).OfType<Profile>().ToArray();
        Style.Points(path, iterates.Select(p => (double)p.Step).ToArray(), iterates.Select(p => p.Loss[Array.IndexOf(p.Alpha, 0.0)]).ToArray(),
            Style.Probe, "the iterate θ_t (SGD)", 7);
        path.ShowLegend(Alignment.UpperRight);

        var bars = Style.Panel("Barrier heights", "iteration t (SGD steps)", "barrier (nats)");
        var steps = run.Steps.Numbers(Columns.Step);
        var set = window.ToHashSet();
        var rows = Enumerable.Range(0, steps.Length).Where(i => set.Contains((int)steps[i])).ToArray();
        if (run.Steps.Optional(Columns.FloorBarrier(lag)) is { } floor)
            Style.Line(bars, rows.Select(i => steps[i]).ToArray(), rows.Select(i => floor[i]).ToArray(), Style.Floor, "floor segment barrier", 1.5f, 5);
        if (run.Steps.Optional(Columns.OfView(run.MainView, Columns.Bump)) is { } bump)
            Style.Line(bars, rows.Select(i => steps[i]).ToArray(), rows.Select(i => bump[i]).ToArray(), Style.Probe, "bump of SGD's own step", 1.5f, 5);
        bars.ShowLegend(Alignment.UpperRight);

        double xMin = window[0] - lag, xMax = window[^1];
        foreach (var p in new[] { path, bars }) p.Axes.SetLimitsX(xMin - 0.5, xMax + 0.5);
        return PanelStack.Save(directory, "floor-path", "Barriers on the valley floor", Caption, options.Width, options.Height, (path, 2), (bars, 1));
    }
}
