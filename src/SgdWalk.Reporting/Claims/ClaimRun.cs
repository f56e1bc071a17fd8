using System.Text.Json.Nodes;

using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>One run folder as the claims read it: its setting from run.json and the columns of steps.csv and epochs.csv.</summary>
public sealed class ClaimRun
{
    private readonly CsvTable steps;
    private readonly CsvTable? epochs;

    private ClaimRun(string name, RunManifest manifest, CsvTable steps, CsvTable? epochs)
    {
        Name = name;
        Status = manifest.Status;
        LearningRate = Number(manifest.Options, "learning_rate");
        BatchSize = Number(manifest.Options, "batch_size");
        Seed = manifest.Seed;
        Optimizer = manifest.Options["optimizer"]?.ToString() ?? "sgd";
        HeightFraction = Number(manifest.Options, "height_fraction");
        Model = manifest.Options["model"]?.ToString() ?? "";
        this.steps = steps;
        this.epochs = epochs;
    }

    public string Name { get; }

    public RunStatus Status { get; }

    public double LearningRate { get; }

    public double BatchSize { get; }

    public long Seed { get; }

    public string Optimizer { get; }

    /// <summary>run.json's model: the claims' network, or a valley model of the positive control (<see cref="ValleyControl"/>).</summary>
    public string Model { get; }

    /// <summary>height-sgd's fraction h (run.json's height_fraction; other optimizers ignore it).</summary>
    public double HeightFraction { get; }

    public static ClaimRun Load(string path)
    {
        var folder = new RunFolder(path);
        var manifest = RunManifest.Read(folder.Manifest);
        if (!File.Exists(folder.Steps)) throw new InvalidDataException($"{folder.Steps}: file is missing");
        var epochs = File.Exists(folder.Epochs) ? CsvTable.Read(folder.Epochs) : null;
        return new ClaimRun(Path.GetFileName(folder.Path), manifest, CsvTable.Read(folder.Steps), epochs);
    }

    /// <summary>Is this the run of a setting (exact rates as written in run.json; batch sizes are integers; a height-sgd
    /// fraction when one is asked for).</summary>
    public bool Is(double learningRate, int batchSize, long seed, string optimizer = "sgd", double? heightFraction = null) =>
        LearningRate == learningRate && BatchSize == batchSize && Seed == seed && Optimizer == optimizer
        && (heightFraction is not { } h || HeightFraction == h);

    /// <summary>
    /// The measured values of a steps.csv column on the rows after the first epoch (epoch ≥ 2: "for most of
    /// training", the first epoch's transient left out), NaN cells dropped. Empty when the column is absent.
    /// </summary>
    public double[] AfterFirstEpoch(string column) => Rows(column, afterFirstEpoch: true).Select(r => r.Value).ToArray();

    /// <summary>The measured values of a column, with the value of another column on the same row (NaN when not measured).</summary>
    public IEnumerable<(double Value, double Other)> AfterFirstEpoch(string column, string other)
    {
        if (!steps.Has(column)) yield break;
        double[] o = steps.Has(other) ? steps.Numbers(other) : Enumerable.Repeat(double.NaN, steps.Rows.Count).ToArray();
        double[] epoch = steps.Numbers(Columns.Epoch), v = steps.Numbers(column);
        for (int i = 0; i < v.Length; i++)
            if (epoch[i] >= 2 && !double.IsNaN(v[i])) yield return (v[i], o[i]);
    }

    /// <summary>The floor-barrier column of the smallest lag the run measured (floor_barrier_k10, ...), or null.</summary>
    public string? FloorBarrierColumn() =>
        steps.Columns.Select(Columns.LagOf).Where(k => k > 0).Order().Select(Columns.FloorBarrier).FirstOrDefault();

    /// <summary>The alignment mean columns (align_k10_b25, ...) the run wrote, smallest batch size first (ties: smallest k).</summary>
    public IReadOnlyList<(string Column, int K, int BatchSize)> AlignmentColumns() =>
        steps.Columns.Select(c => (Column: c, Of: Columns.AlignmentOf(c))).Where(c => c.Of is not null)
            .Select(c => (c.Column, c.Of!.Value.K, c.Of.Value.BatchSize)).OrderBy(c => c.BatchSize).ThenBy(c => c.K).ToList();

    /// <summary>
    /// The pre-stated guard against runs that did not train: the mean training loss of the last epoch must be at most
    /// <see cref="TrainedLossRatio"/> times the mean of the first 10 steps. A run that stays near its starting loss (a
    /// learning rate too large or too small for its batch) carries no evidence about how SGD explores, so the tests
    /// that compare SGD settings leave it out and name it. Null when the run trained.
    /// </summary>
    public string? FailedToTrain()
    {
        // Every test that reads the run asks; the answer is computed once.
        if (!trainingJudged) (failedToTrain, trainingJudged) = (JudgeTraining(), true);
        return failedToTrain;
    }

    private string? failedToTrain;
    private bool trainingJudged;

    private string? JudgeTraining()
    {
        if (!steps.Has(Columns.TrainLoss)) return null;
        double[] loss = steps.Numbers(Columns.TrainLoss), epoch = steps.Numbers(Columns.Epoch);
        if (loss.Length < 20) return null; // too short to judge
        double start = loss.Take(10).Average(), lastEpoch = epoch.Max();
        double end = loss.Where((_, i) => epoch[i] == lastEpoch).DefaultIfEmpty(double.NaN).Average();
        if (!double.IsFinite(start) || !double.IsFinite(end)) return $"did not train (training loss {Format(start)} → {Format(end)})";
        return end <= TrainedLossRatio * start ? null
            : $"did not train (mean training loss {Format(start)} in the first 10 steps, {Format(end)} in the last epoch: above {Format(TrainedLossRatio)}×)";
    }

    /// <summary>The largest ratio of last-epoch to first-steps training loss of a run that trained (a 25 % reduction at least).</summary>
    public const double TrainedLossRatio = 0.75;

    private static string Format(double value) => ClaimTest.Format(value);

    /// <summary>Every measured value of a steps.csv column, in row (step) order; empty when the column is absent.</summary>
    public double[] Column(string column) => Rows(column, afterFirstEpoch: false).Select(r => r.Value).ToArray();

    /// <summary>The last measured value of a steps.csv column (the distance from init at the end: equal epochs).</summary>
    public double Last(string column) => Rows(column, afterFirstEpoch: false).Select(r => r.Value).DefaultIfEmpty(double.NaN).Last();

    /// <summary>The last measured value of an epochs.csv column (final test accuracy).</summary>
    public double LastEpoch(string column) =>
        epochs is not null && epochs.Has(column) ? epochs.Numbers(column).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Last() : double.NaN;

    private IEnumerable<(int Row, double Value)> Rows(string column, bool afterFirstEpoch)
    {
        if (!steps.Has(column)) yield break;
        double[] epoch = steps.Numbers(Columns.Epoch), v = steps.Numbers(column);
        for (int i = 0; i < v.Length; i++)
            if ((!afterFirstEpoch || epoch[i] >= 2) && !double.IsNaN(v[i])) yield return (i, v[i]);
    }

    private static double Number(JsonObject options, string key) =>
        options[key] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;
}
