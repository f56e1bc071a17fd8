using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>Gradient alignment with the top-k Hessian eigenspace per batch size (drawn only when the run measured it).</summary>
internal static class AlignmentFigure
{
    public const string Caption =
        "The share of a mini-batch gradient's squared norm inside the top-k eigenspace of the probe-view Hessian, " +
        "‖V_kᵀ g_B‖² / ‖g_B‖², for each batch size B: the mean over the drawn batches with ± 2 standard errors. The batches come " +
        "from the training split outside the probe view (the Hessian's data). 1 = the gradient lies in the top directions, 0 = " +
        "orthogonal to them. Claim 6 of the paper: larger batches align more.";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        var columns = run.Steps.Table.Columns.Select(c => (Column: c, Of: Columns.AlignmentOf(c))).Where(c => c.Of is not null)
            .OrderBy(c => c.Of!.Value.BatchSize).ToList();
        if (columns.Count == 0) return null;
        var steps = run.Steps.Numbers(Columns.Step);
        int k = columns[0].Of!.Value.K;
        var plot = Style.Panel($"Gradient alignment with the top-{k} Hessian eigenspace ({run.Name})", "step t (SGD iterations)",
            $"‖V_{k}ᵀ g_B‖² / ‖g_B‖²");
        var colors = new[] { Style.Batch, Style.Probe, Style.Floor, Style.Height, Style.Other, Style.Grey };
        for (int i = 0; i < columns.Count; i++)
        {
            var (column, of) = columns[i];
            var mean = run.Steps.Numbers(column);
            var color = colors[i % colors.Length];
            Style.Line(plot, steps, mean, color, $"B = {of!.Value.BatchSize}", 1.5f, 6);
            if (run.Steps.Optional(Columns.AlignmentStandardError(of.Value.K, of.Value.BatchSize)) is { } se)
            {
                Style.Line(plot, steps, mean.Zip(se, (m, s) => m + (2 * s)).ToArray(), color, null, 0.7f).LinePattern = LinePattern.Dotted;
                Style.Line(plot, steps, mean.Zip(se, (m, s) => m - (2 * s)).ToArray(), color, null, 0.7f).LinePattern = LinePattern.Dotted;
            }
        }
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Alignment.UpperRight);
        return PanelStack.Save(directory, "alignment", "Gradient alignment", Caption, options.Width, options.Height, (plot, 1));
    }
}
