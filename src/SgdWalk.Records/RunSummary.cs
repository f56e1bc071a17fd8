namespace SgdWalk.Records;

/// <summary>
/// The headline numbers of a run, computed from its files alone (so the CLI, reports and tests agree on them).
/// NaN means the run did not measure that quantity.
/// </summary>
public sealed record RunSummary(
    string View,
    long Steps,
    long RecordedSteps,
    double InteriorFraction,
    double MedianHeight,
    double MedianFloorAlpha,
    double FinalDistanceFromInit,
    double MedianCosGrad,
    double FinalTrainLoss,
    double FinalTrainAccuracy,
    double FinalValidationAccuracy,
    double FinalTestAccuracy,
    IReadOnlyDictionary<string, double> TimingsSeconds)
{
    /// <summary>Summarises the view named <paramref name="view"/> (probe by default, else the first one measured).</summary>
    public static RunSummary FromFolder(RunFolder folder, string view = Columns.ProbeView)
    {
        var steps = CsvTable.Read(folder.Steps);
        if (!steps.Has(Columns.OfView(view, Columns.Interior)))
            view = steps.Columns.Select(c => Columns.ViewOf(c, Columns.Interior)).FirstOrDefault(v => v is not null) ?? view;
        double[] interior = Measured(steps, Columns.OfView(view, Columns.Interior));
        double[] height = Measured(steps, Columns.OfView(view, Columns.Height));
        double[] floorAlpha = Measured(steps, Columns.OfView(view, Columns.FloorAlpha));
        double[] distance = Measured(steps, Columns.DistanceFromInit);
        double[] cosGrad = Measured(steps, Columns.CosineGradient);

        var epochs = File.Exists(folder.Epochs) ? CsvTable.Read(folder.Epochs) : null;
        double Last(string column) =>
            epochs is null || epochs.Rows.Count == 0 || !epochs.Has(column) ? double.NaN : epochs.Number(epochs.Rows.Count - 1, column);

        var manifest = File.Exists(folder.Manifest) ? RunManifest.Read(folder.Manifest) : null;
        var barriers = BarrierStatistics.FromSteps(steps, view);
        return new RunSummary(
            view,
            steps.Rows.Count,
            interior.Length,
            interior.Length == 0 ? double.NaN : interior.Average(),
            Statistics.Median(height),
            Statistics.Median(floorAlpha),
            distance.Length == 0 ? double.NaN : distance[^1],
            Statistics.Median(cosGrad),
            Last(Columns.TrainLoss),
            Last(Columns.TrainAccuracy),
            Last(Columns.ValidationAccuracy),
            Last(Columns.TestAccuracy),
            manifest?.TimingsSeconds ?? new Dictionary<string, double>())
        { Barriers = barriers };
    }

    /// <summary>How often SGD's steps and its floor path cross barriers (docs/barriers.md).</summary>
    public BarrierStatistics Barriers { get; init; } = BarrierStatistics.None;

    private static double[] Measured(CsvTable table, string column) =>
        table.Has(column) ? table.Numbers(column).Where(v => !double.IsNaN(v)).ToArray() : [];
}
