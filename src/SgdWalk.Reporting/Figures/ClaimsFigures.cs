using ScottPlot;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;

namespace SgdWalk.Reporting.Figures;

/// <summary>
/// One figure per claim, two panels per test: each run's summary (a dot per seed) for every role the test compares
/// (learning rates, batch sizes, SGD vs floor-sgd); then the test's per-seed values (what the interval is computed
/// from) with their mean, the 95 % interval and the bounds, and in the title the estimate, interval, p and verdict.
/// </summary>
internal static class ClaimsFigures
{
    public static IEnumerable<FigureFile> Draw(ClaimsOutcome outcome, ReportOptions options, string directory)
    {
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var claim in outcome.Claims)
        {
            var panels = claim.Tests.SelectMany(t => new[] { (Panel(t, outcome.Design.Seeds, palette), 1.0), (SeedPanel(t), 0.8) }).ToArray();
            string caption = $"Claim {claim.Claim}: {claim.Statement} Verdict: {ClaimsReport.VerdictText(claim.Verdict)} ({claim.Reason}). " +
                "Upper panel of each test: each dot is one run (colour = seed). Lower panel: the test's per-seed values (one dot per seed), " +
                "their mean (solid), the 95 % interval over seeds (dashed) and the bounds (grey); the title gives the estimate, interval, p-values and verdict.";
            yield return PanelStack.Save(directory, $"claim-{claim.Claim}", $"Claim {claim.Claim}: {ClaimsReport.VerdictText(claim.Verdict)}",
                caption, options.Width, Math.Max(options.Height, 420 * panels.Length), panels);
        }
    }

    private static Plot Panel(TestResult test, IReadOnlyList<long> seeds, ScottPlot.Palettes.Category10 palette)
    {
        var plot = Style.Panel($"{test.Id} {test.Title}", "", test.ValueLabel);
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

    private static Plot SeedPanel(TestResult test)
    {
        var plot = Style.Panel($"{test.Id}: {ClaimTest.Format(test.Estimate)} {ClaimsReport.Interval(test)}, {ClaimsReport.PValues(test)}, " +
            ClaimsReport.VerdictText(test.Verdict), "seed", test.SeedValueLabel);
        plot.Axes.Title.Label.FontSize = 16;
        if (test.SeedValues.Count == 0)
        {
            Style.NotMeasured(plot, "no seed with every run measured");
            return plot;
        }
        double[] x = [.. Enumerable.Range(0, test.SeedValues.Count).Select(i => (double)i)];
        Style.Points(plot, x, [.. test.SeedValues.Select(v => v.Value)], Style.Probe, "per seed", 10);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(x,
            [.. test.SeedValues.Select(v => v.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(-0.5, x.Length - 0.5);
        foreach (double bound in new[] { test.SupportBound, test.ContradictBound }.Distinct())
        {
            plot.Add.HorizontalLine(bound, 1, Style.Grey, LinePattern.Dotted);
            if (test.Kind == TestKind.Equivalence) plot.Add.HorizontalLine(-bound, 1, Style.Grey, LinePattern.Dotted);
        }
        if (double.IsFinite(test.Estimate)) plot.Add.HorizontalLine(test.Estimate, 2, Style.Floor);
        foreach (double end in new[] { test.Low, test.High }.Where(double.IsFinite)) plot.Add.HorizontalLine(end, 1, Style.Floor, LinePattern.Dashed);
        return plot;
    }
}
