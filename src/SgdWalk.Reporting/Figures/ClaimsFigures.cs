using ScottPlot;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Figures;

/// <summary>
/// One figure per claim, one panel per test: each run's summary (a dot per seed) for every role the test compares
/// (learning rates, batch sizes, SGD vs floor-sgd), and in the panel's title the statistic with its interval and verdict.
/// </summary>
internal static class ClaimsFigures
{
    public static IEnumerable<FigureFile> Draw(ClaimsOutcome outcome, ReportOptions options, string directory)
    {
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var claim in outcome.Claims)
        {
            var panels = claim.Tests.Select(t => (Panel(t, outcome.Design.Seeds, palette), 1.0)).ToArray();
            string caption = $"Claim {claim.Claim}: {claim.Statement} Verdict: {ClaimsReport.VerdictText(claim.Verdict)} ({claim.Reason}). " +
                "Each dot is one run (colour = seed); the panel title gives the test's statistic, its 95 % bootstrap interval and the verdict.";
            yield return PanelStack.Save(directory, $"claim-{claim.Claim}", $"Claim {claim.Claim}: {ClaimsReport.VerdictText(claim.Verdict)}",
                caption, options.Width, Math.Max(options.Height, 420 * panels.Length), panels);
        }
    }

    private static Plot Panel(TestResult test, IReadOnlyList<long> seeds, ScottPlot.Palettes.Category10 palette)
    {
        var plot = Style.Panel($"{test.Id} {test.Title}: {ClaimTest.Format(test.Estimate)} {ClaimsReport.Interval(test)}, {ClaimsReport.VerdictText(test.Verdict)}",
            "", test.ValueLabel);
        plot.Axes.Title.Label.FontSize = 16;
        var labels = test.Points.Select(p => p.Label).Distinct().ToList();
        if (labels.Count == 0)
        {
            Style.NotMeasured(plot, "no run with enough measurements");
            return plot;
        }
        for (int s = 0; s < seeds.Count; s++)
        {
            var mine = test.Points.Where(p => p.Seed == seeds[s]).ToList();
            if (mine.Count == 0) continue;
            // A small horizontal offset per seed keeps equal values apart.
            double offset = (s - ((seeds.Count - 1) / 2.0)) * 0.06;
            Style.Line(plot, mine.Select(p => labels.IndexOf(p.Label) + offset).ToArray(), mine.Select(p => p.Value).ToArray(),
                palette.GetColor(s), $"seed {seeds[s]}", labels.Count > 1 ? 1 : 0, 10);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.SetLimitsX(-0.5, labels.Count - 0.5);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
