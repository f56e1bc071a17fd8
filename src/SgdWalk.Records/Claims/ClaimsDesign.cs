using System.Text.Json;
using System.Text.Json.Nodes;

namespace SgdWalk.Records.Claims;

/// <summary>
/// Which runs of a claims folder play which part (claims-design.json, written before the first run): the base
/// setting (learning rate × batch size), the learning rates tried at the base batch size (claim 2), the batch sizes
/// tried at the base learning rate (claims 3 and 6), the pair with the base's LR/batch ratio (claim 3), the seeds.
/// Every test finds its runs through this and the runs' own run.json, so `sgdwalk report` needs nothing else.
/// </summary>
public sealed record ClaimsDesign
{
    public const string FileName = "claims-design.json";

    /// <summary>
    /// A verdict needs at least this many seeds with every run of the test present and measured: below it even an effect
    /// of one per-seed standard deviation is missed more than 1 time in 5 ((t_{0.975,n−1} + t_{0.8,n−1})/√n &gt; 1).
    /// The plan (library) and the evaluation (reporting) both need it, so it lives with the design.
    /// </summary>
    public const int MinimumSeeds = 10;

    /// <summary>
    /// The seeds `sgdwalk claims` runs by default: <see cref="MinimumSeeds"/> already keeps false verdicts at 5 %; 12 leaves
    /// a margin on detecting a 1-SD effect at least 80 % of the time (at 10 seeds the normal case sits at 80.2 %, on the
    /// edge). The calibration tests (tests/SgdWalk.Reporting.Tests/Claims/CalibrationTests.cs) run at this count.
    /// </summary>
    public const int DefaultSeeds = 12;

    public string Scale { get; init; } = "cpu";

    public double LearningRate { get; init; }

    public int BatchSize { get; init; }

    public IReadOnlyList<double> LearningRates { get; init; } = [];

    public IReadOnlyList<int> BatchSizes { get; init; } = [];

    public double PairLearningRate { get; init; }

    public int PairBatchSize { get; init; }

    public IReadOnlyList<long> Seeds { get; init; } = [];

    /// <summary>
    /// The factors κ of the equal-ratio pairs κη × κB (claim 3b: κ = 4, the pair above; 3d: κ = 2). Empty in a design
    /// written before there were two: its only pair is <see cref="PairLearningRate"/> × <see cref="PairBatchSize"/>.
    /// </summary>
    public IReadOnlyList<int> PairFactors { get; init; } = [];

    /// <summary>
    /// height-sgd's fractions h between floor-sgd (h = 0) and SGD (h = 1) at the base setting (claim 4d's dose-response);
    /// empty in a design written before it.
    /// </summary>
    public IReadOnlyList<double> HeightFractions { get; init; } = [];

    /// <summary>The equal-ratio pairs (κ, κη, κB) of this design.</summary>
    public IEnumerable<(int Factor, double LearningRate, int BatchSize)> Pairs() => PairFactors.Count == 0
        ? [((int)Math.Round(PairLearningRate / LearningRate), PairLearningRate, PairBatchSize)]
        : PairFactors.Select(k => (k, k * LearningRate, k * BatchSize));

    /// <summary>The negative control's learning rate (the reporting project's Controls: the base setting at a rate 100 times smaller);
    /// 0 in a design written before the controls existed.</summary>
    public double ControlLearningRate { get; init; }

    /// <summary>
    /// Claim 4a's floor lags in steps, pre-stated and the same at every scale (not the record interval): 1 step, 10 steps,
    /// one epoch, and <see cref="LongLagEpochs"/> epochs when a run holds segments that long. Lags shorter than
    /// <see cref="ChainSteps"/> are measured in the floor-chain run, the long lag on the horizon run at the base rate when
    /// its phases pair up (<see cref="LongLagOnHorizon"/>), the others in the base run. Empty in a design written before them.
    /// </summary>
    public IReadOnlyList<int> FloorLags { get; init; } = [];

    /// <summary>
    /// Claim 4a's long lag in epochs, the same at every scale: the gap between the horizon's early and middle phases
    /// (epochs 2 and 10 of 20), so that the two-epoch CPU plan measures it on the horizon run at the base rate.
    /// </summary>
    public const int LongLagEpochs = 8;

    /// <summary>
    /// Whether the long lag is measured on the horizon run at the base rate rather than on the base run: when two of the
    /// horizon's phases lie <see cref="LongLagEpochs"/> apart, the first of them epoch 2 or a whole number of lags after it
    /// (the segments claim 4a's secondaries read end on a grid of the lag counted from the second epoch's first step, and a
    /// phase records its epoch's first step). A method, not a property: it is not part of claims-design.json.
    /// </summary>
    public bool LongLagOnHorizon() =>
        HorizonEpochs > 0 && PhaseEpochs.Any(e => (e - 2) % LongLagEpochs == 0 && PhaseEpochs.Contains(e + LongLagEpochs));

    /// <summary>
    /// Whether the floor-chain run measures the lag: its window of consecutive recorded steps holds it. The plan gives
    /// every shorter lag to the chain and the others to the base run (or the horizon), and the 4a-lag tests read that run.
    /// </summary>
    public bool OnChain(int lag) => lag < ChainSteps;

    /// <summary>
    /// The first step of the floor-chain run's window of consecutive recorded steps: the last step of the first epoch, so
    /// that its first one-step floor segment ends in the second.
    /// </summary>
    public int ChainStart { get; init; }

    /// <summary>
    /// The one-step floor segments the floor-chain run measures (it records steps ChainStart … ChainStart + ChainSteps);
    /// 0 in a design written before it.
    /// </summary>
    public int ChainSteps { get; init; }

    /// <summary>
    /// The horizon: how many epochs the long runs train (the base setting at every learning rate of claim 2), so that
    /// claims 1, 2, 5 and 6a are tested per phase of training, not only in the second of two epochs; 0 without them.
    /// </summary>
    public int HorizonEpochs { get; init; }

    /// <summary>The phases of the horizon runs, one epoch each (1-based): early, middle and late.</summary>
    public IReadOnlyList<int> PhaseEpochs { get; init; } = [];

    /// <summary>Claim 4a's unit: a window of this many consecutive one-step floor segments (the span of the 10-step lag).</summary>
    public const int ChainLinks = 10;

    /// <summary>
    /// About how many steps the base run records after the first epoch (the units of the share tests 1, 4a and 6a per
    /// seed), so each test can say before any run whether its Clopper–Pearson bounds are reachable; 0 when unknown.
    /// </summary>
    public long RecordedSteps { get; init; }

    /// <summary>
    /// floor-sgd's mean step α (steps.csv floor_step_alpha over every step) in the pilot run the plan makes before any cell:
    /// the base setting's floor-sgd at the first seed, unprofiled. 0 when no matched arm is planned.
    /// </summary>
    public double MatchedAlpha { get; init; }

    /// <summary>
    /// Claim 4b's matched arm: SGD at floor-sgd's effective learning rate η·ᾱ (<see cref="MatchedAlpha"/>), rounded to two
    /// significant digits so that every machine that runs the pilot writes the same design. 0 without the arm (paper scale,
    /// where the pilot would cost a whole run, or a design written before it).
    /// </summary>
    public double MatchedLearningRate { get; init; }

    /// <summary>The corrugated-valley positive control's runs (claim 4); null in a design written before it.</summary>
    public ValleyControl? Valley { get; init; }

    /// <summary>
    /// Claim 4c's common training-loss target L*, fixed by the plan's pilot before any run (ClaimsPlan.TargetLossFrom): the
    /// target runs (SGD and floor-sgd at the base setting) each stop at the first check where the mean training loss
    /// outside the probe view is at most L* (`--stop-loss`), so test accuracy compares at an equal fit rather than after
    /// equal epochs. Null in a design without target runs (written before them, or a scale that plans none): 4c then says
    /// it has no target runs.
    /// </summary>
    public double? TargetLoss { get; init; }

    /// <summary>The target runs' cap in epochs (a run that reaches it first did not reach <see cref="TargetLoss"/>); 0 without target runs.</summary>
    public int TargetEpochs { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json) + "\n";

    public static ClaimsDesign Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ClaimsDesign>(File.ReadAllText(path), RunManifest.Json)
                ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a claims design ({e.Message})");
        }
    }

    /// <summary>
    /// The design a folder holding <paramref name="existing"/> should hold when this one is asked of it: the same design
    /// with the union of both seed lists (the existing seeds first), since more seeds is the normal way to sharpen a
    /// verdict. Every other field must match; otherwise an IOException names the fields that differ.
    /// </summary>
    public ClaimsDesign Merge(ClaimsDesign existing)
    {
        // A design written before RecordedSteps existed (0: unknown) takes this one's count.
        var known = existing.RecordedSteps == 0 ? existing with { RecordedSteps = RecordedSteps } : existing;
        // A design written before the valley control stays without it: its folder's plan (sweep.json) has no such runs.
        var asked = existing.Valley is null ? this with { Valley = null } : this;
        // The matched rate and L* come from the pilot that wrote the folder's design, not from any option: the folder's values
        // stand (0 and null in a design written before the matched arm or the target runs: its plan has no such runs).
        asked = asked with { MatchedAlpha = existing.MatchedAlpha, MatchedLearningRate = existing.MatchedLearningRate, TargetLoss = existing.TargetLoss };
        var mine = JsonNode.Parse((asked with { Seeds = [] }).ToJson())!.AsObject();
        var theirs = JsonNode.Parse((known with { Seeds = [] }).ToJson())!.AsObject();
        var differ = mine.Select(p => p.Key).Where(k => !JsonNode.DeepEquals(mine[k], theirs[k])).ToList();
        if (differ.Count > 0)
            throw new IOException($"{FileName}: describes a different claims design ({string.Join(", ", differ.Select(k => $"{k} {theirs[k]?.ToJsonString()} there, {mine[k]?.ToJsonString()} asked"))}); " +
                "only the seeds may grow: choose another --out, or delete that folder to start over");
        return asked with { Seeds = [.. existing.Seeds, .. Seeds.Where(s => !existing.Seeds.Contains(s))] };
    }

    /// <summary>
    /// Writes the design, or checks it against the one already in the folder: the same design, or the same with more
    /// seeds (the folder's design is then extended: <see cref="Merge"/>).
    /// </summary>
    public void WriteOrCheck(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            var existing = Read(path);
            var merged = Merge(existing);
            if (!merged.Seeds.SequenceEqual(existing.Seeds) || merged.RecordedSteps != existing.RecordedSteps) Write(path, merged);
            return;
        }
        Write(path, this);
    }

    private static void Write(string path, ClaimsDesign design)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, design.ToJson());
        File.Move(temporary, path, overwrite: true);
    }
}
