using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>A fan of single-step profiles, each shifted so its floor is at zero, coloured by epoch.</summary>
internal static class ProfilesFigure
{
    private const int StepsPerEpoch = 8;

    public const string Caption =
        "Individual segment profiles f(α) − floor for a few recorded steps of the chosen epochs (colour = epoch). A " +
        "roughly convex curve with its zero strictly between α = 0 and α = 1 is a step that jumped across a valley; " +
        "the left end's height is how far above the floor the iterate was. Curves that fall all the way to α = 1 are " +
        "steps that only descended.";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        string view = run.MainView;
        var profiled = run.ProfiledSteps(view).ToHashSet();
        if (profiled.Count == 0) return null;
        var stepColumn = run.Steps.Numbers(Columns.Step);
        var epochColumn = run.Steps.Numbers(Columns.Epoch);
        var floorColumn = run.Steps.Optional(Columns.OfView(view, Columns.FloorLoss));
        var rows = Enumerable.Range(0, stepColumn.Length).Where(i => profiled.Contains((int)stepColumn[i])).ToArray();
        var epochs = Epochs(rows.Select(i => (int)epochColumn[i]).Distinct().Order().ToArray(), options.ProfileEpochs);
        if (epochs.Length == 0) return null;

        var plot = Style.Panel($"Single-step loss profiles, shifted to their floor ({view} view, {run.Name})",
            "α along the step θ_t + α·u_t (0 = θ_t, 1 = θ_{t+1})", "loss − valley floor (nats)");
        var colormap = new ScottPlot.Colormaps.Viridis();
        var tops = new List<double>();
        for (int e = 0; e < epochs.Length; e++)
        {
            var chosen = Spread(rows.Where(i => (int)epochColumn[i] == epochs[e]).ToArray(), StepsPerEpoch);
            for (int k = 0; k < chosen.Length; k++)
            {
                int i = chosen[k], step = (int)stepColumn[i];
                var profile = run.ProfileOf(step, view)!;
                double floor = floorColumn is not null && !double.IsNaN(floorColumn[i]) ? floorColumn[i] : profile.Loss.Min();
                var shifted = profile.Loss.Select(l => l - floor).ToArray();
                tops.Add(shifted.Where(double.IsFinite).DefaultIfEmpty(0).Max());
                // Colour by epoch; with a single epoch, by step instead, so the fan still reads as a sequence.
                // Viridis ends in a yellow too pale on white, so stop at 0.85.
                bool single = epochs.Length == 1;
                double position = single ? (chosen.Length == 1 ? 0 : k / (chosen.Length - 1.0)) : e / (double)(epochs.Length - 1);
                string? legend = single ? $"step {step} (epoch {epochs[e]})" : k == 0 ? $"epoch {epochs[e]} ({chosen.Length} steps)" : null;
                Style.Line(plot, profile.Alpha, shifted, colormap.GetColor(0.85 * position), legend, 2, 5);
            }
        }
        // Early steps can sit a whole nat above their floor and flatten every later curve; clip at 3× the median top.
        double median = SgdWalk.Records.Statistics.Median(tops), highest = tops.DefaultIfEmpty(0).Max();
        double limit = Math.Min(highest, 3 * median);
        if (limit > 0)
        {
            plot.Axes.SetLimitsY(-0.05 * limit, 1.1 * limit);
            if (limit < highest) plot.Axes.Title.Label.Text += " — y clipped";
        }
        plot.Add.HorizontalLine(0, 1, Style.Grey, LinePattern.Dashed);
        plot.ShowLegend(Alignment.UpperRight);
        return PanelStack.Save(directory, "profiles", "Single-step profiles", Caption, options.Width, options.Height, (plot, 1));
    }

    /// <summary>The epochs with recorded profiles (of the main view), in order.</summary>
    internal static int[] AvailableEpochs(RunData run)
    {
        var profiled = run.ProfiledSteps(run.MainView).ToHashSet();
        var stepColumn = run.Steps.Numbers(Columns.Step);
        var epochColumn = run.Steps.Numbers(Columns.Epoch);
        return Enumerable.Range(0, stepColumn.Length).Where(i => profiled.Contains((int)stepColumn[i])).Select(i => (int)epochColumn[i])
            .Distinct().Order().ToArray();
    }

    /// <summary>The requested epochs that have recorded steps; by default the first, middle and last such epoch.</summary>
    internal static int[] Epochs(int[] available, IReadOnlyList<int>? requested)
    {
        if (requested is not null) return requested.Where(available.Contains).Distinct().Order().ToArray();
        if (available.Length == 0) return [];
        return new[] { available[0], available[available.Length / 2], available[^1] }.Distinct().ToArray();
    }

    /// <summary>Up to <paramref name="count"/> items evenly spread over the list, first and last included.</summary>
    internal static int[] Spread(int[] items, int count)
    {
        if (items.Length <= count) return items;
        return Enumerable.Range(0, count).Select(k => items[(int)Math.Round(k * (items.Length - 1.0) / (count - 1), MidpointRounding.AwayFromZero)]).Distinct().ToArray();
    }
}
