namespace SgdWalk.Reporting.Output;

/// <summary>One line of a summary table: what, its value as printed, and how to read it.</summary>
internal sealed record SummaryRow(string Quantity, string Value, string Meaning);

/// <summary>The tables that report.html and summary.md both print, built once so the two always agree.</summary>
internal static class SummaryRows
{
    public static IReadOnlyList<SummaryRow> ForRun(RunFacts facts)
    {
        var s = facts.Summary;
        return
        [
            new("status", facts.Status, "how the run ended"),
            new("learning rate", Numbers.Format(facts.LearningRate), "η (initial, from run.json)"),
            new("batch size", Numbers.Integer(facts.BatchSize), "samples per step"),
            new("seed", Numbers.Integer(facts.Seed), ""),
            new("view", s.View, "data view of the landscape numbers below"),
            new("steps", Numbers.Integer(s.Steps), "rows of steps.csv"),
            new("recorded steps", Numbers.Integer(s.RecordedSteps), "steps with a measured profile"),
            new("interior fraction", Numbers.Format(s.InteriorFraction), "share of recorded steps whose floor is strictly inside the step"),
            new("convex fraction", Numbers.Format(facts.ConvexFraction), $"share of profiles with nonconvexity ≤ {Numbers.Format(RunFacts.ConvexThreshold)}"),
            new("barrier fraction", Numbers.Format(facts.BarrierFraction), "share of recorded steps whose profile crossed a bump (bump > 1e-5·max(1, f(0)))"),
            new("median step barrier", Numbers.Format(s.Barriers.MedianStepBarrier), "median bump of the steps that crossed one, nats"),
            .. s.Barriers.FloorSegmentsMeasured == 0 ? Array.Empty<SummaryRow>() :
            [
                new($"floor barrier fraction (lag {s.Barriers.FloorLag})", Numbers.Format(s.Barriers.FloorBarrierFraction), "share of segments " +
                    "between floor points that cross a barrier"),
                new("median floor barrier", Numbers.Format(s.Barriers.MedianFloorBarrier), "median barrier height on the floor path, nats"),
            ],
            new("median height", Numbers.Format(s.MedianHeight), "median f(0) − floor, nats"),
            new("median floor alpha", Numbers.Format(s.MedianFloorAlpha), "median position of the floor along the step"),
            new("final distance from init", Numbers.Format(s.FinalDistanceFromInit), "‖θ_t − θ_0‖ at the last step"),
            new("median gradient cosine", Numbers.Format(s.MedianCosGrad), "median cos(g_{t−1}, g_t) of consecutive mini-batch gradients"),
            new("share of opposing gradients", Numbers.Format(facts.NegativeCosGradFraction), "share of steps whose gradient opposes the previous one"),
            new("final train loss", Numbers.Format(s.FinalTrainLoss), "last row of epochs.csv"),
            new("final train accuracy", Numbers.Format(s.FinalTrainAccuracy), "last row of epochs.csv"),
            new("final validation accuracy", Numbers.Format(s.FinalValidationAccuracy), "last row of epochs.csv"),
            new("final test accuracy", Numbers.Format(s.FinalTestAccuracy), "last row of epochs.csv"),
            .. s.TimingsSeconds.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new SummaryRow(TimingLabel(t.Key), Numbers.Format(t.Value), "seconds of wall-clock time")),
        ];
    }

    /// <summary>run.json's timing keys (data_s, ...) in words.</summary>
    public static string TimingLabel(string key) => key switch
    {
        "data_s" => "time loading the data (s)",
        "training_s" => "time training (s)",
        "probes_s" => "time measuring (probes, s)",
        "evaluation_s" => "time evaluating (s)",
        "total_s" => "total time (s)",
        _ => $"time {key.Replace("_s", "", StringComparison.Ordinal).Replace('_', ' ')} (s)",
    };

    public static readonly string[] SweepHeader =
        ["run", "learning rate", "batch size", "seed", "status", "steps", "interior fraction", "median height",
         "final distance from init", "median gradient cosine", "final test accuracy"];

    public static string[] ForCell(RunFacts c) =>
    [
        c.Name, Numbers.Format(c.LearningRate), Numbers.Integer(c.BatchSize), Numbers.Integer(c.Seed), c.Status,
        Numbers.Integer(c.Summary.Steps), Numbers.Format(c.Summary.InteriorFraction), Numbers.Format(c.Summary.MedianHeight),
        Numbers.Format(c.Summary.FinalDistanceFromInit), Numbers.Format(c.Summary.MedianCosGrad), Numbers.Format(c.Summary.FinalTestAccuracy),
    ];
}
