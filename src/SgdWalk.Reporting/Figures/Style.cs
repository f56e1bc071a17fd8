using ScottPlot;

namespace SgdWalk.Reporting.Figures;

/// <summary>One look for every figure: legible font sizes at 1200×800, fixed colours per meaning.</summary>
internal static class Style
{
    public static readonly Color Probe = Color.FromHex("#1f77b4");
    public static readonly Color Batch = Color.FromHex("#ff7f0e");
    public static readonly Color Floor = Color.FromHex("#d62728");
    public static readonly Color Edge = Color.FromHex("#7f7f7f");
    public static readonly Color Height = Color.FromHex("#2ca02c");
    public static readonly Color Other = Color.FromHex("#9467bd");
    public static readonly Color Grey = Color.FromHex("#555555");

    public static Plot Panel(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.Title.Label.FontSize = 20;
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        return plot;
    }

    /// <summary>Drops points where x or y is not finite (unmeasured steps, a diverged loss) so lines do not break oddly.</summary>
    public static (double[] X, double[] Y) Finite(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var keep = Enumerable.Range(0, Math.Min(x.Count, y.Count)).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
    }

    public static ScottPlot.Plottables.Scatter Line(Plot plot, IReadOnlyList<double> x, IReadOnlyList<double> y, Color color, string? legend,
        float lineWidth = 2, float markerSize = 0)
    {
        var (fx, fy) = Finite(x, y);
        var scatter = plot.Add.Scatter(fx, fy, color);
        scatter.LineWidth = lineWidth;
        scatter.MarkerSize = markerSize;
        if (legend is not null) scatter.LegendText = legend;
        return scatter;
    }

    public static ScottPlot.Plottables.Scatter Points(Plot plot, IReadOnlyList<double> x, IReadOnlyList<double> y, Color color, string? legend,
        float size = 8, MarkerShape shape = MarkerShape.FilledCircle)
    {
        var s = Line(plot, x, y, color, legend, lineWidth: 0, markerSize: size);
        s.MarkerShape = shape;
        return s;
    }

    /// <summary>An explicit note in an empty panel, so a missing quantity reads as "not measured", not as a bug.</summary>
    public static void NotMeasured(Plot plot, string what)
    {
        var text = plot.Add.Text($"{what}: not measured in this run", 0, 0);
        text.LabelFontSize = 16;
        text.LabelAlignment = Alignment.MiddleCenter;
        plot.Axes.SetLimits(-1, 1, -1, 1);
    }
}
