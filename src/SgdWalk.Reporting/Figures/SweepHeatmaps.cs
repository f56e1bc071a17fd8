using ScottPlot;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>LR × batch-size grids of one number per cell, each cell labelled with its value.</summary>
internal static class SweepHeatmaps
{
    private static readonly (string Name, string Title, string Unit, string Caption, Func<RunFacts, double> Value)[] Maps =
    [
        ("sweep-test-accuracy", "Final test accuracy", "accuracy (fraction correct)",
            "Final test accuracy of each (learning rate, batch size) cell (mean over seeds; blank = no run). Compare with " +
            "the distance map: runs that travelled farther above the floor are expected to generalise better.",
            c => c.Summary.FinalTestAccuracy),
        ("sweep-interior-fraction", "Share of steps with the valley floor inside the step", "interior-floor fraction (0–1)",
            "Share of recorded steps whose probe-view floor lies strictly inside the segment, per cell. High values mean " +
            "SGD was jumping over the valley floor rather than walking down to it.",
            c => c.Summary.InteriorFraction),
        ("sweep-median-height", "Median height above the valley floor", "height f(0) − floor (nats)",
            "Median height of the iterate above its step's floor (probe view), per cell. Expected to grow along the " +
            "learning-rate axis far more than along the batch-size axis.",
            c => c.Summary.MedianHeight),
    ];

    public static IEnumerable<FigureFile> Draw(SweepData sweep, ReportOptions options, string directory)
    {
        double[] rates = sweep.LearningRates, batches = sweep.BatchSizes;
        if (rates.Length == 0 || batches.Length == 0) yield break;
        foreach (var map in Maps)
        {
            var plot = Style.Panel($"{map.Title} per sweep cell", "batch size", "learning rate η");
            // Row 0 of the grid is drawn at the top, so the largest learning rate goes first to sit at the top.
            var values = new double[rates.Length, batches.Length];
            for (int r = 0; r < rates.Length; r++)
                for (int b = 0; b < batches.Length; b++)
                    values[rates.Length - 1 - r, b] = sweep.Cell(rates[r], batches[b], map.Value);
            // Nothing measured (e.g. --probes cheap has no heights): no colour scale exists, so no map is drawn.
            if (!values.Cast<double>().Any(double.IsFinite)) continue;
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.Extent = new CoordinateRect(-0.5, batches.Length - 0.5, -0.5, rates.Length - 0.5);
            var bar = plot.Add.ColorBar(heatmap);
            bar.Label = map.Unit;
            bar.LabelStyle.FontSize = 14;

            for (int r = 0; r < rates.Length; r++)
                for (int b = 0; b < batches.Length; b++)
                {
                    var text = plot.Add.Text(Numbers.Format(Math.Round(values[rates.Length - 1 - r, b], 4)), b, r);
                    text.LabelFontSize = 18;
                    text.LabelBold = true;
                    text.LabelFontColor = Colors.White;
                    text.LabelBackgroundColor = Colors.Black.WithAlpha(0.45);
                    text.LabelAlignment = Alignment.MiddleCenter;
                }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, batches.Length).Select(i => (double)i).ToArray(), batches.Select(Numbers.Integer).ToArray());
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, rates.Length).Select(i => (double)i).ToArray(), rates.Select(Numbers.Format).ToArray());
            plot.Axes.SetLimits(-0.5, batches.Length - 0.5, -0.5, rates.Length - 0.5);
            yield return PanelStack.Save(directory, map.Name, map.Title, map.Caption, options.Width, options.Height,
                PanelStack.WithColorBar, (plot, 1));
        }
    }
}
