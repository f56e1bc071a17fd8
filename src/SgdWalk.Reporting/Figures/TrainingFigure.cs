using ScottPlot;
using SgdWalk.Records;
using SgdWalk.Reporting.Data;

namespace SgdWalk.Reporting.Figures;

/// <summary>The ordinary training curves, on the same step axis as the rest of the report, and the LR schedule.</summary>
internal static class TrainingFigure
{
    public const string Caption =
        "Loss and accuracy at the end of each epoch on the training, validation and test splits (markers), with the " +
        "mini-batch loss of every step behind them (faint), and the learning rate actually used at each step. Look for " +
        "the gap between training and validation (generalisation) and for where the schedule changed the walk.";

    public static FigureFile? Draw(RunData run, ReportOptions options, string directory)
    {
        var steps = run.Steps.Numbers(Columns.Step);
        var loss = Style.Panel($"Loss ({run.Name})", "step t (SGD iterations)", "loss (cross-entropy, nats)");
        var accuracy = Style.Panel("Accuracy at the end of each epoch", "step t (SGD iterations)", "accuracy (fraction correct)");
        var rate = Style.Panel("Learning-rate schedule", "step t (SGD iterations)", "learning rate η");

        if (run.Steps.Optional(Columns.TrainLoss) is { } batchLoss)
            Style.Line(loss, steps, batchLoss, Style.Probe.WithAlpha(0.45), "mini-batch loss (each step)", 1);
        double xMax = steps.Length > 0 ? steps.Max() + 1 : 1;
        if (run.Epochs is { } epochs && EpochSteps(run, epochs) is { } at)
        {
            foreach (var (column, label, color) in Splits(Columns.TrainLoss, Columns.ValidationLoss, Columns.TestLoss))
                if (epochs.Optional(column) is { } v) Style.Line(loss, at, v, color, label, 2, 10);
            foreach (var (column, label, color) in Splits(Columns.TrainAccuracy, Columns.ValidationAccuracy, Columns.TestAccuracy))
                if (epochs.Optional(column) is { } v) Style.Line(accuracy, at, v, color, label, 2, 10);
            accuracy.ShowLegend(Alignment.LowerLeft); // epoch-end markers sit at the right edge
            if (at.Any(double.IsFinite)) xMax = Math.Max(xMax, at.Where(double.IsFinite).Max());
        }
        else Style.NotMeasured(accuracy, "epochs.csv");
        loss.ShowLegend(Alignment.UpperRight);

        if (run.Steps.Optional(Columns.LearningRate) is { } lr && lr.Any(double.IsFinite))
        {
            Style.Line(rate, steps, lr, Style.Other, null, 2);
            // From zero, so a constant rate reads as constant rather than as noise around its value.
            rate.Axes.SetLimitsY(0, 1.15 * lr.Where(double.IsFinite).Max());
        }
        else Style.NotMeasured(rate, Columns.LearningRate);

        if (steps.Length > 0)
            foreach (var p in new[] { loss, accuracy, rate }) p.Axes.SetLimitsX(Math.Min(0, steps.Min()) - 0.02 * xMax, 1.03 * xMax);
        return PanelStack.Save(directory, "training", "Training curves and learning rate", Caption,
            options.Width, options.Height, (loss, 1.4), (accuracy, 1.2), (rate, 1));
    }

    private static IEnumerable<(string Column, string Label, Color Color)> Splits(string train, string validation, string test) =>
    [
        (train, "train (end of epoch)", Style.Probe),
        (validation, "validation", Style.Batch),
        (test, "test", Style.Height),
    ];

    /// <summary>The step at which each epoch row was measured: the file's step column, else epoch × steps per epoch.</summary>
    private static double[]? EpochSteps(RunData run, DataFile epochs)
    {
        if (epochs.Optional(Columns.Step) is { } step) return step;
        return run.Manifest.Counts.TryGetValue("steps_per_epoch", out long perEpoch)
            ? epochs.Numbers(Columns.Epoch).Select(e => e * perEpoch).ToArray() : null;
    }
}
