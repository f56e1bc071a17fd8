namespace SgdWalk.Records;

/// <summary>
/// Barrier statistics of a run, from steps.csv: how many of SGD's own recorded steps cross a barrier (bump above
/// both ends), how many segments between consecutive floor points (lag k = the smallest recorded) do, and the
/// median heights of those barriers. A bump counts when it exceeds 1e-5·max(1, loss at the step's start), the
/// float noise of an evaluation. NaN where nothing was measured.
/// </summary>
public sealed record BarrierStatistics(
    int StepsMeasured, double StepBarrierFraction, double MedianStepBarrier,
    int FloorLag, int FloorSegmentsMeasured, double FloorBarrierFraction, double MedianFloorBarrier)
{
    public const double RelativeTolerance = 1e-5;

    public static BarrierStatistics None { get; } = new(0, double.NaN, double.NaN, 0, 0, double.NaN, double.NaN);

    public static BarrierStatistics FromSteps(CsvTable steps, string view)
    {
        string start = Columns.OfView(view, Columns.LossStart);
        double[] scale = steps.Has(start) ? steps.Numbers(start).Select(v => Math.Max(1, Math.Abs(v))).ToArray() : [];
        (int n, double fraction, double median) Count(string column)
        {
            if (!steps.Has(column) || scale.Length == 0) return (0, double.NaN, double.NaN);
            var bumps = steps.Numbers(column).Select((b, i) => (b, s: scale[i])).Where(p => !double.IsNaN(p.b) && !double.IsNaN(p.s)).ToList();
            var crossing = bumps.Where(p => p.b > RelativeTolerance * p.s).Select(p => p.b).ToList();
            return (bumps.Count, bumps.Count == 0 ? double.NaN : crossing.Count / (double)bumps.Count, Statistics.Median(crossing));
        }
        var own = Count(Columns.OfView(view, Columns.Bump));
        int lag = steps.Columns.Select(Columns.LagOf).Where(k => k > 0).DefaultIfEmpty(0).Min();
        var floor = lag > 0 ? Count(Columns.FloorBarrier(lag)) : (0, double.NaN, double.NaN);
        return new BarrierStatistics(own.n, own.fraction, own.median, lag, floor.Item1, floor.Item2, floor.Item3);
    }
}
