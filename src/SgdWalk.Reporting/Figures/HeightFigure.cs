using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>How high each iterate sits above the floor of its own step, over training, and how often the floor is inside.</summary>
internal static class HeightFigure
{
    public const string Caption =
        "Top: the iterate's loss f(0) (blue), the valley floor of its step (red) and their difference, the height (green), " +
        "all on the probe view. SGD travels above the floor: a persistent gap means the iterate keeps bouncing between " +
        "valley walls instead of descending to the floor; a larger learning rate should raise it. Bottom: the share of " +
        "recorded steps per epoch whose floor lies strictly inside the segment (the paper's claim is that this is most steps).";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        string view = run.MainView;
        var height = run.Steps.Optional(Columns.OfView(view, Columns.Height));
        var floor = run.Steps.Optional(Columns.OfView(view, Columns.FloorLoss));
        var start = run.Steps.Optional(Columns.OfView(view, Columns.LossStart));
        if (height is null || floor is null || start is null || height.All(double.IsNaN)) return null;
        var steps = run.Steps.Numbers(Columns.Step);

        var top = Style.Panel($"Height of the iterate above its step's valley floor ({view} view)", "step t (SGD iterations)", "loss (cross-entropy, nats)");
        Style.Line(top, steps, start, Style.Probe, "iterate's loss f(0)", 1.5f, 4);
        Style.Line(top, steps, floor, Style.Floor, "valley floor min f(α)", 1.5f, 4);
        Style.Line(top, steps, height, Style.Height, "height f(0) − floor", 2, 4);
        top.ShowLegend(Alignment.UpperRight);

        var bottom = Style.Panel("Share of steps whose valley floor is strictly inside the segment", "epoch", "interior-floor fraction (0–1)");
        if (run.Steps.Optional(Columns.OfView(view, Columns.Interior)) is { } interior)
        {
            var epoch = run.Steps.Numbers(Columns.Epoch);
            var perEpoch = Enumerable.Range(0, steps.Length).Where(i => !double.IsNaN(interior[i]))
                .GroupBy(i => epoch[i]).OrderBy(g => g.Key)
                .Select(g => (Epoch: g.Key, Fraction: g.Average(i => interior[i]))).ToArray();
            var bars = bottom.Add.Bars(perEpoch.Select(p => p.Epoch).ToArray(), perEpoch.Select(p => p.Fraction).ToArray());
            bars.Color = Style.Floor.WithAlpha(0.7);
            foreach (var (e, f) in perEpoch)
            {
                var label = bottom.Add.Text(Numbers.Percent(f), e, f);
                label.LabelFontSize = 13;
                label.LabelAlignment = Alignment.LowerCenter;
            }
            bottom.Axes.SetLimitsY(0, 1.15);
            if (perEpoch.Length <= 12)
                bottom.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    perEpoch.Select(p => p.Epoch).ToArray(), perEpoch.Select(p => Numbers.Integer(p.Epoch)).ToArray());
        }
        else Style.NotMeasured(bottom, Columns.OfView(view, Columns.Interior));

        return PanelStack.Save(directory, "height", "Height above the valley floor", Caption,
            options.Width, options.Height, (top, 1.8), (bottom, 1));
    }
}
