using System.Globalization;
using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>One run's values for one test: the role it plays (label, and its x such as the learning rate) and the values.</summary>
public sealed record Series(string Label, double X, double[] Values, string Run);

/// <summary>All series of one seed: the unit of replication, reduced by the test to one number.</summary>
public sealed record SeedSample(long Seed, IReadOnlyList<Series> Series);

/// <summary>What a run plays in a test: a label, the x it stands for, and the setting that finds it.</summary>
/// <param name="HeightFraction">height-sgd only: the fraction h its run was given (several height-sgd runs share a setting).</param>
/// <param name="FloorChain">The floor-chain run of the setting (claim 4a), not the base run it shares the setting with.</param>
/// <param name="Horizon">The setting's horizon run (trained <see cref="ClaimsDesign.HorizonEpochs"/>), not its two-epoch run.</param>
public sealed record Role(string Label, double X, double LearningRate, int BatchSize, string Optimizer = "sgd", double? HeightFraction = null,
    bool FloorChain = false, bool Horizon = false, bool Target = false);

/// <summary>
/// What the seeds say about a test before Holm's adjustment: the estimate (mean of the per-seed values), the 95 %
/// interval (and the 90 % one of an equivalence test), the p-value of the verdict it points to, that verdict and why.
/// </summary>
public sealed record Inference(double Estimate, Interval Ci, Interval Ci90, double PValue, Verdict Verdict, string Reason,
    IReadOnlyList<SeedValue> SeedValues, long Events, long Units);

/// <summary>
/// One pre-stated test of a claim (docs/claims.md): the runs it reads, ONE primary statistic reduced to one number per
/// seed, and the bounds that decide the verdict, all fixed in code before any run. Inference is on seeds (the unit of
/// replication; steps within a run are autocorrelated): a t-interval, mean ± t_{0.975, n−1}·s/√n, with its p-value;
/// shares are widened to the exact Clopper–Pearson interval of the pooled units, so zero events never give [0, 0].
/// </summary>
public abstract class ClaimTest
{
    /// <inheritdoc cref="ClaimsDesign.MinimumSeeds"/>
    public const int MinimumSeeds = ClaimsDesign.MinimumSeeds;

    /// <inheritdoc cref="ClaimsDesign.DefaultSeeds"/>
    public const int DefaultSeeds = ClaimsDesign.DefaultSeeds;

    /// <summary>The two-sided error rate of every verdict (Holm-adjusted within a claim).</summary>
    public const double Alpha = 0.05;

    /// <summary>"1", "3a", ...: the claim's number and the part.</summary>
    public abstract string Id { get; }

    public int Claim => int.Parse(new string(Id.TakeWhile(char.IsDigit).ToArray()), CultureInfo.InvariantCulture);

    /// <summary>The part of the claim tested, in words.</summary>
    public abstract string Title { get; }

    public abstract TestKind Kind { get; }

    /// <summary>The primary statistic per seed, defined in words (docs/claims.md and claims.json repeat it).</summary>
    public abstract string Statistic { get; }

    /// <summary>What one run's summary (a dot in the claim's figure) is, in words with units.</summary>
    public abstract string ValueLabel { get; }

    /// <summary>What one seed's value of the primary statistic is, in words.</summary>
    public abstract string SeedValueLabel { get; }

    /// <summary>The short name of the statistic in a verdict's reason ("the mean slope").</summary>
    public abstract string ShortName { get; }

    /// <summary>What a unit of a share is ("recorded steps", "floor segments"); shares only.</summary>
    public virtual string UnitName => "recorded steps";

    public virtual Direction Direction => Direction.Above;

    /// <summary>The support bound; for an equivalence test, the margin δ.</summary>
    public abstract double SupportBound { get; }

    /// <summary>The contradiction bound; for an equivalence test, the margin δ.</summary>
    public abstract double ContradictBound { get; }

    /// <summary>Why these bounds: the paper's wording they come from.</summary>
    public abstract string Why { get; }

    /// <summary>Each run needs at least this many values (recorded steps) to count.</summary>
    public virtual int MinimumValues => 1;

    /// <summary>The runs of one seed the test reads.</summary>
    public abstract IReadOnlyList<Role> Roles(ClaimsDesign design);

    /// <summary>The values a run contributes (one per recorded step, or one for the run).</summary>
    public abstract double[] Values(ClaimRun run);

    /// <summary>How one run's values are summarised in figures and claims.json (median unless a test says otherwise).</summary>
    public virtual double Summarise(double[] values) => Statistics.Median(values);

    /// <summary>The primary statistic of one seed (NaN when it is undefined there, e.g. the log of a zero distance).</summary>
    public abstract double PerSeed(SeedSample seed);

    /// <summary>How many units a run of this share test records in the design (null when not known before the runs).</summary>
    public virtual long? PlannedUnitsPerRun(ClaimsDesign design) => design.RecordedSteps > 0 ? design.RecordedSteps : null;

    public string SupportedWhen => Kind == TestKind.Equivalence
        ? $"95 % CI entirely outside (−{Format(SupportBound)}, {Format(SupportBound)})"
        : $"95 % CI entirely {(Direction == Direction.Above ? "above" : "below")} {Format(SupportBound)}";

    public string ContradictedWhen => Kind == TestKind.Equivalence
        ? $"90 % CI entirely inside (−{Format(ContradictBound)}, {Format(ContradictBound)})"
        : $"95 % CI entirely {(Direction == Direction.Above ? "below" : "above")} {Format(ContradictBound)}";

    /// <summary>
    /// The inference on seeds: per-seed values → t-interval and p-value of the verdict it points to (two one-sided
    /// tests at 2.5 % each against the support and contradiction bounds, so a CI "entirely above S" is exactly
    /// "p &lt; 0.05"); shares also Clopper–Pearson on the pooled units, the wider of the two deciding; equivalence by TOST.
    /// </summary>
    public Inference Infer(IReadOnlyList<SeedSample> samples)
    {
        var values = samples.Select(s => new SeedValue(s.Seed, PerSeed(s))).ToList();
        var t = TInterval.Of(values.Select(v => v.Value).ToList());
        var ci = t.At(0.95);
        long events = 0, units = 0;
        if (Kind == TestKind.Share)
        {
            events = (long)Math.Round(samples.Sum(s => s.Series[0].Values.Sum()));
            units = samples.Sum(s => (long)s.Series[0].Values.Length);
            var exact = Distributions.ClopperPearson(events, units);
            ci = ci.IsFinite ? new Interval(Math.Max(0, Math.Min(ci.Low, exact.Low)), Math.Min(1, Math.Max(ci.High, exact.High))) : exact;
        }
        string text = $"95 % CI of {ShortName} [{Format(ci.Low)}, {Format(ci.High)}]";
        if (Kind == TestKind.Equivalence)
        {
            double d = SupportBound;
            var ci90 = t.At(0.90);
            double different = Math.Min(1, 2 * Math.Min(t.PAbove(d), t.PBelow(-d)));
            double same = Math.Max(t.PBelow(d), t.PAbove(-d));
            string margin = $"(−{Format(d)}, {Format(d)})";
            if (different < Alpha)
                return new(t.Mean, ci, ci90, different, Verdict.Supported, $"{text} outside {margin}: different", values, 0, 0);
            if (same < Alpha)
                return new(t.Mean, ci, ci90, same, Verdict.Contradicted,
                    $"90 % CI of {ShortName} [{Format(ci90.Low)}, {Format(ci90.High)}] inside {margin}: the same for practical purposes", values, 0, 0);
            return new(t.Mean, ci, ci90, Math.Min(different, same), Verdict.Inconclusive,
                $"{text} not outside {margin}, 90 % CI [{Format(ci90.Low)}, {Format(ci90.High)}] not inside it", values, 0, 0);
        }

        bool above = Direction == Direction.Above;
        double support = above ? t.PAbove(SupportBound) : t.PBelow(SupportBound);
        double contradict = above ? t.PBelow(ContradictBound) : t.PAbove(ContradictBound);
        if (Kind == TestKind.Share)
        {
            // The exact one-sided binomial p of the pooled units: the Clopper–Pearson interval excludes b exactly when it is < 0.025.
            double AboveP(double b) => 1 - Distributions.BinomialCdf(events - 1, units, b);
            double BelowP(double b) => Distributions.BinomialCdf(events, units, b);
            support = Math.Max(support, above ? AboveP(SupportBound) : BelowP(SupportBound));
            contradict = Math.Max(contradict, above ? BelowP(ContradictBound) : AboveP(ContradictBound));
        }
        double pSupport = Math.Min(1, 2 * support), pContradict = Math.Min(1, 2 * contradict);
        var none = new Interval(double.NaN, double.NaN);
        if (pSupport < Alpha)
            return new(t.Mean, ci, none, pSupport, Verdict.Supported, $"{text} {(above ? "above" : "below")} {Format(SupportBound)}", values, events, units);
        if (pContradict < Alpha)
            return new(t.Mean, ci, none, pContradict, Verdict.Contradicted, $"{text} {(above ? "below" : "above")} {Format(ContradictBound)}", values, events,
                units);
        double p = Math.Min(pSupport, pContradict);
        return new(t.Mean, ci, none, double.IsNaN(p) ? 1 : p, Verdict.Inconclusive,
            $"{text} neither entirely {(above ? "above" : "below")} {Format(SupportBound)} nor entirely {(above ? "below" : "above")} {Format(ContradictBound)}",
            values, events, units);
    }

    /// <summary>
    /// The verdicts this test cannot reach with <paramref name="seeds"/> seeds and <paramref name="units"/> pooled units
    /// (shares; negative: not known), each with what it would need; empty when both can be reached. A share's interval can pass a bound b
    /// only if the Clopper–Pearson interval of the most extreme outcome does: 0 events in m units reach "below b" only
    /// when 1 − 0.025^{1/m} &lt; b, m events "above b" only when 0.025^{1/m} &gt; b.
    /// </summary>
    public IReadOnlyList<string> Unreachable(int seeds, long units)
    {
        var missing = new List<string>();
        if (seeds < MinimumSeeds) missing.Add($"needs ≥ {MinimumSeeds} seeds, has {seeds}");
        if (Kind != TestKind.Share || units < 0) return missing;
        bool above = Direction == Direction.Above;
        foreach (var (verdict, bound, up) in new[] { ("supported", SupportBound, above), ("contradicted", ContradictBound, !above) })
        {
            long needed = UnitsToReach(bound, up);
            if (units < needed)
                missing.Add($"'{verdict}' (CI {(up ? "above" : "below")} {Format(bound)}) needs ≥ {needed} {UnitName}, has {units}");
        }
        return missing;
    }

    /// <summary>The fewest units whose most extreme outcome has a Clopper–Pearson interval entirely above (or below) b.</summary>
    public static long UnitsToReach(double bound, bool above)
    {
        double tail = Math.Log((1 - 0.95) / 2);
        double edge = above ? bound : 1 - bound;
        if (edge <= 0) return 1;
        if (edge >= 1) return long.MaxValue;
        return (long)Math.Floor(tail / Math.Log(edge)) + 1;
    }

    /// <summary>
    /// Context a reader needs next to the verdict, computed from the runs the test used (null: none). Claim 2 gives the
    /// share of interior floors per learning rate: a height measured at the α = 1 edge is just the step's descent.
    /// </summary>
    public virtual string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used) => null;

    /// <summary>Why the design has no runs for this test at all (claim 4c's target runs in a design without them); null when it has.</summary>
    public virtual string? Unplanned(ClaimsDesign design) => null;

    /// <summary>Before any run: what this test cannot reach with the design's seeds and planned units (empty when it can reach both bounds).</summary>
    public IReadOnlyList<string> PlannedPower(ClaimsDesign design) => Unplanned(design) is { } unplanned ? [unplanned] :
        Unreachable(design.Seeds.Count, Kind == TestKind.Share && PlannedUnitsPerRun(design) is { } units ? design.Seeds.Count * units : -1);

    /// <param name="trainingGuard">Leave out SGD runs that did not train (<see cref="ClaimRun.FailedToTrain"/>). Off for the
    /// controls, whose tiny learning rate barely trains by design.</param>
    public TestResult Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs, bool trainingGuard = true)
    {
        var samples = new List<SeedSample>();
        var missing = new List<string>();
        var leftOut = new List<string>();
        var missedTarget = new List<string>();
        var used = new List<(Role, ClaimRun)>();
        if (Unplanned(design) is { } unplanned)
        {
            var none = new Interval(double.NaN, double.NaN);
            return Result(new Inference(double.NaN, none, none, double.NaN, Verdict.Underpowered, unplanned, [], 0, 0), Verdict.Underpowered, unplanned, 0, []);
        }
        var roles = Roles(design);
        foreach (long seed in design.Seeds)
        {
            var series = new List<Series>();
            var seedRuns = new List<(Role, ClaimRun)>();
            foreach (var role in roles)
            {
                var run = runs.FirstOrDefault(r => r.Is(role.LearningRate, role.BatchSize, seed, role.Optimizer, role.HeightFraction, role.FloorChain)
                    && (design.HorizonEpochs > 0 && r.Epochs == design.HorizonEpochs) == role.Horizon && r.Target == role.Target);
                if (run is null || run.Status != RunStatus.Completed)
                {
                    missing.Add($"{role.Label} seed {seed}: {(run is null ? "no run" : "run " + run.Status.ToString().ToLowerInvariant())}");
                    continue;
                }
                // floor-sgd and height-sgd stay in whatever happens: whether they stall is part of what claim 4 tests.
                if (trainingGuard && role.Optimizer == "sgd" && run.FailedToTrain() is { } failed)
                {
                    leftOut.Add($"{run.Name} {failed}");
                    continue;
                }
                // Claim 4c's guard: a target run that hit its cap before the training-loss target takes its seed out, named.
                if (role.Target && run.MissedTarget() is { } missed)
                {
                    missedTarget.Add($"{run.Name} {missed}");
                    continue;
                }
                double[] values = Values(run);
                if (values.Length < MinimumValues)
                {
                    missing.Add($"{run.Name}: {values.Length} measured value(s), needs {MinimumValues}");
                    continue;
                }
                series.Add(new Series(role.Label, role.X, values, run.Name));
                seedRuns.Add((role, run));
            }
            if (series.Count != roles.Count) continue;
            var sample = new SeedSample(seed, series);
            if (!double.IsFinite(PerSeed(sample))) missing.Add($"seed {seed}: {SeedValueLabel} is undefined");
            else
            {
                samples.Add(sample);
                used.AddRange(seedRuns);
            }
        }

        var points = samples.SelectMany(s => s.Series.Select(x => new SeriesPoint(s.Seed, x.Label, x.X, Summarise(x.Values), x.Values.Length, x.Run)))
            .ToList();
        string Missing() => missing.Count > 0 ? $" ({string.Join("; ", missing.Take(3))}{(missing.Count > 3 ? "; …" : "")})" : "";
        var inference = samples.Count >= 2 ? Infer(samples)
            : new Inference(double.NaN, new Interval(double.NaN, double.NaN), new Interval(double.NaN, double.NaN), double.NaN, Verdict.Inconclusive, "",
                samples.Select(s => new SeedValue(s.Seed, PerSeed(s))).ToList(), 0, 0);
        var (verdict, reason) = Decide(inference, samples.Count);
        // Runs left out by the training guard are always named: a verdict reached without them says so.
        string guard = leftOut.Count > 0 ? $"; left out as not trained ({leftOut.Count}): {string.Join("; ", leftOut)}" : "";
        if (missedTarget.Count > 0) guard += $"; seeds left out as short of the training-loss target ({missedTarget.Count}): {string.Join("; ", missedTarget)}";
        string note = Note(used) is { } n ? "; " + n : "";
        return Result(inference, verdict, (samples.Count < MinimumSeeds ? reason + Missing() : reason) + guard + note, samples.Count, points);
    }

    /// <summary>
    /// The verdict the seeds earn (before Holm): underpowered with fewer than <see cref="MinimumSeeds"/> seeds, or when
    /// the interval is inconclusive and a bound was out of reach for this many units (it could never have been met).
    /// </summary>
    public (Verdict Verdict, string Reason) Decide(Inference inference, int seeds)
    {
        if (seeds < MinimumSeeds) return (Verdict.Underpowered, $"underpowered (needs ≥ {MinimumSeeds} seeds with every run measured, has {seeds})");
        if (inference.Verdict == Verdict.Inconclusive && Unreachable(seeds, inference.Units) is { Count: > 0 } unreachable)
            return (Verdict.Underpowered, $"underpowered ({string.Join("; ", unreachable)}): {inference.Reason}");
        return (inference.Verdict, inference.Reason);
    }

    public static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.###", CultureInfo.InvariantCulture);

    private TestResult Result(Inference inference, Verdict verdict, string reason, int seeds, IReadOnlyList<SeriesPoint> points) => new()
    {
        Id = Id,
        Claim = Claim,
        Title = Title,
        Kind = Kind,
        Statistic = Statistic,
        SeedValueLabel = SeedValueLabel,
        ValueLabel = ValueLabel,
        SupportedWhen = SupportedWhen,
        ContradictedWhen = ContradictedWhen,
        Why = Why,
        Direction = Direction,
        SupportBound = SupportBound,
        ContradictBound = ContradictBound,
        Estimate = inference.Estimate,
        Low = inference.Ci.Low,
        High = inference.Ci.High,
        Low90 = inference.Ci90.Low,
        High90 = inference.Ci90.High,
        PValue = verdict == Verdict.Underpowered ? 1 : inference.PValue,
        AdjustedPValue = verdict == Verdict.Underpowered ? 1 : inference.PValue,
        UnadjustedVerdict = verdict,
        Verdict = verdict,
        Reason = reason,
        Seeds = seeds,
        SeedValues = inference.SeedValues,
        Events = inference.Events,
        Units = inference.Units,
        Runs = points.Select(p => p.Run).Distinct().ToList(),
        Points = points,
    };

    /// <summary>The mean of values, NaN for none.</summary>
    internal static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    /// <summary>The least-squares slope of y on x (NaN when x does not vary or a value is not finite).</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2 || x.Concat(y).Any(v => !double.IsFinite(v))) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx > 0 ? sxy / sxx : double.NaN;
    }
}

