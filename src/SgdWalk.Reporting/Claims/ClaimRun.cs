using System.Text.Json.Nodes;

using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>
/// One floor segment φ_{t−k} → φ_t (t = <paramref name="Step"/>): the loss at its start, its end and its highest
/// point on the probe view, and the probe view's loss at the iterates θ_{t−k} and θ_t it joins the floors of.
/// </summary>
public sealed record FloorLink(int Step, double Start, double End, double Top, double IterateAtStart, double IterateAtEnd)
{
    /// <summary>The segment's bump: its highest point above the higher end (0 when the ends see each other).</summary>
    public double Bump => Top - Math.Max(Start, End);
}

/// <summary>One run folder as the claims read it: its setting from run.json, the columns of steps.csv and epochs.csv,
/// and (claim 4a) its floor segments from profiles.csv.</summary>
public sealed class ClaimRun
{
    private readonly CsvTable steps;
    private readonly CsvTable? epochs;

    private readonly string? profilesPath;

    private ClaimRun(string name, RunManifest manifest, CsvTable steps, CsvTable? epochs, string? profilesPath)
    {
        Name = name;
        this.profilesPath = profilesPath;
        FloorLags = manifest.Options["floor_lags"] is JsonArray lags
            ? [.. lags.Select(k => k is JsonValue v && v.TryGetValue(out int lag) ? lag : 0).Where(k => k > 0).Order()]
            : [];
        Status = manifest.Status;
        LearningRate = Number(manifest.Options, "learning_rate");
        BatchSize = Number(manifest.Options, "batch_size");
        Seed = manifest.Seed;
        Optimizer = manifest.Options["optimizer"]?.ToString() ?? "sgd";
        HeightFraction = Number(manifest.Options, "height_fraction");
        Model = manifest.Options["model"]?.ToString() ?? "";
        this.steps = steps;
        this.epochs = epochs;
        Epochs = (int)Number(manifest.Options, "epochs");
        Target = manifest.Options.ContainsKey("stop_loss");
        StopLoss = manifest.StopLoss;
        EndCurvature = manifest.EndCurvature;
    }

    /// <summary>A run with a training-loss target (run.json's options.stop_loss): claim 4c's target runs.</summary>
    public bool Target { get; }

    /// <summary>run.json's stop_loss: the target and whether and where it was reached (null without one).</summary>
    public LossTarget? StopLoss { get; }

    /// <summary>run.json's end_curvature: λ_max and the trace at the final weights (null when not measured).</summary>
    public EndCurvature? EndCurvature { get; }

    /// <summary>
    /// Claim 4c's pre-stated guard for a target run: why it did not reach its training-loss target (it hit its cap first,
    /// or its run.json says nothing of the target); null when it reached it.
    /// </summary>
    public string? MissedTarget() => StopLoss switch
    {
        null => "has no stop_loss record",
        { Reached: true } => null,
        var s => $"did not reach the training-loss target {Format(s.Target)} (loss {Format(s.Loss ?? double.NaN)} at step {s.Step?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"}, its cap)",
    };

    /// <summary>The epochs the tests read (<see cref="AfterFirstEpoch(string)"/>): from the second on, or one phase of a long run.</summary>
    private (int From, int To) readEpochs = (2, int.MaxValue);

    /// <summary>
    /// The same run, read only in epochs <paramref name="from"/> to <paramref name="to"/> (1-based, inclusive): one phase
    /// of a horizon run, so every test that reads "after the first epoch" reads that phase instead.
    /// </summary>
    public ClaimRun InEpochs(int from, int to)
    {
        var phase = (ClaimRun)MemberwiseClone();
        phase.readEpochs = (from, to);
        phase.floorLinks = []; // the links depend on the epochs read
        return phase;
    }

    private bool Read(double epoch) => epoch >= readEpochs.From && epoch <= readEpochs.To;

    /// <summary>How many epochs the run trained for (run.json's epochs; 0 when absent).</summary>
    public int Epochs { get; }

    public string Name { get; }

    public RunStatus Status { get; }

    public double LearningRate { get; }

    public double BatchSize { get; }

    public long Seed { get; }

    public string Optimizer { get; }

    /// <summary>
    /// The floor-chain run of claim 4a: the only run of a claims plan that measures floor segments one step long
    /// (run.json's floor_lags holds 1), since it records every step of a window.
    /// </summary>
    public bool FloorChain => FloorLags.Contains(1);

    /// <summary>The floor lags the run measured (run.json's floor_lags), shortest first.</summary>
    public IReadOnlyList<int> FloorLags { get; }

    /// <summary>
    /// The first step of the second epoch (steps.csv; steps count from 0, so it is also the steps per epoch): where claim
    /// 4a's straight segments start their grid and what an epoch-long lag is. Null when the run has no second epoch.
    /// </summary>
    public int? SecondEpochStart
    {
        get
        {
            if (!steps.Has(Columns.Epoch)) return null;
            double[] epoch = steps.Numbers(Columns.Epoch), step = steps.Numbers(Columns.Step);
            int first = Array.FindIndex(epoch, e => e >= 2);
            return first < 0 ? null : (int)step[first];
        }
    }

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
        return new ClaimRun(Path.GetFileName(folder.Path), manifest, CsvTable.Read(folder.Steps), epochs,
            File.Exists(folder.Profiles) ? folder.Profiles : null);
    }

    /// <summary>Is this the run of a setting (exact rates as written in run.json; batch sizes are integers; a height-sgd
    /// fraction when one is asked for).</summary>
    public bool Is(double learningRate, int batchSize, long seed, string optimizer = "sgd", double? heightFraction = null, bool floorChain = false) =>
        LearningRate == learningRate && BatchSize == batchSize && Seed == seed && Optimizer == optimizer
        && (heightFraction is not { } h || HeightFraction == h) && FloorChain == floorChain;

    /// <summary>
    /// The floor segments φ_{t−k} → φ_t of one lag after the first epoch, in step order, each with the loss at its two
    /// ends and at its highest point (profiles.csv, view floor-k{k}: every grid point with 0 ≤ α ≤ 1), and the probe
    /// view's loss at the iterates θ_{t−k} and θ_t (steps.csv; NaN when that step was not profiled). Empty without profiles.csv.
    /// </summary>
    public IReadOnlyList<FloorLink> FloorLinks(int lag)
    {
        if (floorLinks.TryGetValue(lag, out var known)) return known;
        var links = new List<FloorLink>();
        if (FloorProfiles().TryGetValue(Columns.FloorPathView(lag), out var points))
        {
            var row = StepRows();
            double[] epoch = steps.Numbers(Columns.Epoch);
            double[] iterate = steps.Has(ViewColumns.Probe(Columns.LossStart)) ? steps.Numbers(ViewColumns.Probe(Columns.LossStart)) : [];
            double Iterate(int step) => row.TryGetValue(step, out int r) && r < iterate.Length ? iterate[r] : double.NaN;
            foreach (var (step, list) in points)
            {
                if (!row.TryGetValue(step, out int r) || !Read(epoch[r])) continue;
                var inside = list.Where(p => p.Alpha is >= 0 and <= 1).ToList();
                double start = inside.Where(p => p.Alpha == 0).Select(p => p.Loss).DefaultIfEmpty(double.NaN).First();
                double end = inside.Where(p => p.Alpha == 1).Select(p => p.Loss).DefaultIfEmpty(double.NaN).First();
                if (double.IsNaN(start) || double.IsNaN(end)) continue;
                links.Add(new FloorLink(step, start, end, inside.Max(p => p.Loss), Iterate(step - lag), Iterate(step)));
            }
        }
        floorLinks[lag] = links;
        return links;
    }

    private Dictionary<int, IReadOnlyList<FloorLink>> floorLinks = [];

    /// <summary>profiles.csv's floor segments by view (floor-k1, ...) and step: (α, loss) points; read once per run, shared by its phases.</summary>
    private Dictionary<string, SortedDictionary<int, List<(double Alpha, double Loss)>>> FloorProfiles()
    {
        if (floorProfiles is not null) return floorProfiles;
        var byView = new Dictionary<string, SortedDictionary<int, List<(double Alpha, double Loss)>>>();
        if (profilesPath is not null)
        {
            var profiles = CsvTable.Read(profilesPath);
            for (int i = 0; i < profiles.Rows.Count; i++)
            {
                string view = profiles.Text(i, Columns.View);
                if (!view.StartsWith(Columns.FloorPathViewPrefix, StringComparison.Ordinal)) continue;
                if (!byView.TryGetValue(view, out var points)) byView[view] = points = [];
                int step = (int)profiles.Number(i, Columns.Step);
                if (!points.TryGetValue(step, out var list)) points[step] = list = [];
                list.Add((profiles.Number(i, Columns.Alpha), profiles.Number(i, Columns.Loss)));
            }
        }
        return floorProfiles = byView;
    }

    private Dictionary<string, SortedDictionary<int, List<(double Alpha, double Loss)>>>? floorProfiles;

    /// <summary>The steps.csv row of each step.</summary>
    private Dictionary<int, int> StepRows()
    {
        double[] step = steps.Numbers(Columns.Step);
        var rows = new Dictionary<int, int>();
        for (int i = 0; i < step.Length; i++) rows.TryAdd((int)step[i], i);
        return rows;
    }

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
            if (Read(epoch[i]) && !double.IsNaN(v[i])) yield return (v[i], o[i]);
    }

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
            if ((!afterFirstEpoch || Read(epoch[i])) && !double.IsNaN(v[i])) yield return (i, v[i]);
    }

    private static double Number(JsonObject options, string key) =>
        options[key] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;
}
