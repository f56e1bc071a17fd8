using ScottPlot;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>The sweep's two claims as line plots: LR sets the height, batch size sets how far SGD travels.</summary>
internal static class SweepFigures
{
    public const string HeightCaption =
        "Median height of the iterate above its step's valley floor (probe view) for each learning rate, one line per " +
        "batch size (mean over seeds). The paper's claim: the learning rate mainly sets this height, so lines rise with " +
        "the learning rate and lie close to each other.";

    public const string DistanceCaption =
        "Distance from the initialisation at the last recorded step for each batch size, one line per learning rate " +
        "(mean over seeds). The paper's claim: smaller batches (more gradient noise) explore more and end farther from " +
        "the start, so lines fall with batch size.";

    public static IEnumerable<FigureFile> Draw(SweepData sweep, ReportOptions options, string directory)
    {
        double[] rates = sweep.LearningRates, batches = sweep.BatchSizes;
        if (rates.Length == 0 || batches.Length == 0) yield break;
        var palette = new ScottPlot.Palettes.Category10();

        // A figure with no measured value at all (e.g. heights under --probes cheap) has no axis range: left out.
        bool heightsMeasured = rates.Any(r => batches.Any(b => double.IsFinite(sweep.Cell(r, b, c => c.Summary.MedianHeight))));
        var height = Style.Panel("Height above the valley floor vs learning rate", "learning rate η (log scale)", "median height f(0) − floor (nats)");
        for (int b = 0; b < batches.Length; b++)
            Style.Line(height, rates.Select(Math.Log10).ToArray(), rates.Select(r => sweep.Cell(r, batches[b], c => c.Summary.MedianHeight)).ToArray(),
                palette.GetColor(b), $"batch size {Numbers.Integer(batches[b])}", 2, 10);
        LogTicks(height.Axes.Bottom, rates, Math.Log10);
        height.ShowLegend(Alignment.UpperLeft);
        if (heightsMeasured)
            yield return PanelStack.Save(directory, "sweep-height-vs-lr", "Height vs learning rate", HeightCaption,
                options.Width, options.Height, (height, 1));

        var distance = Style.Panel("Distance from initialisation vs batch size", "batch size (log scale)", "final ‖θ_t − θ_0‖ (L2, parameter units)");
        for (int r = 0; r < rates.Length; r++)
            Style.Line(distance, batches.Select(Math.Log2).ToArray(), batches.Select(b => sweep.Cell(rates[r], b, c => c.Summary.FinalDistanceFromInit)).ToArray(),
                palette.GetColor(r), $"η = {Numbers.Format(rates[r])}", 2, 10);
        LogTicks(distance.Axes.Bottom, batches, Math.Log2);
        distance.ShowLegend(Alignment.UpperRight);
        yield return PanelStack.Save(directory, "sweep-distance-vs-batch", "Distance from init vs batch size", DistanceCaption,
            options.Width, options.Height, (distance, 1));
    }

    /// <summary>Ticks at the grid's own values, labelled in the original units, on a log-transformed axis.</summary>
    private static void LogTicks(ScottPlot.IAxis axis, double[] values, Func<double, double> transform)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(values.Select(transform).ToArray(), values.Select(Numbers.Format).ToArray());
        if (values.Length == 1) axis.Range.Set(transform(values[0]) - 0.5, transform(values[0]) + 0.5);
    }
}
