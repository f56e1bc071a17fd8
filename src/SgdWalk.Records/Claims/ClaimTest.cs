using System.Globalization;

namespace SgdWalk.Records.Claims;

public enum Verdict
{
    Supported,
    Contradicted,
    Inconclusive,
}

/// <summary>Which side of its bounds a statistic must lie on for the claim to hold.</summary>
public enum Direction
{
    /// <summary>The claim predicts a large value: supported when the whole interval lies above the support bound.</summary>
    Above,

    /// <summary>The claim predicts a small value: supported when the whole interval lies below the support bound.</summary>
    Below,
}

/// <summary>One run's values for one test: the role it plays (label, and its x such as the learning rate) and the values.</summary>
public sealed record Series(string Label, double X, double[] Values, string Run);

/// <summary>All series of one seed: the unit the bootstrap resamples first.</summary>
public sealed record SeedSample(long Seed, IReadOnlyList<Series> Series);

/// <summary>What a run plays in a test: a label, the x it stands for, and the setting that finds it.</summary>
public sealed record Role(string Label, double X, double LearningRate, int BatchSize, string Optimizer = "sgd");

/// <summary>
/// One pre-stated test of a claim (README "Claims"): the statistic, the runs it reads, the unit of resampling, and the
/// bounds that decide the verdict, all fixed in code before any run. The interval is a hierarchical percentile
/// bootstrap: seeds are drawn with replacement, then, inside each drawn seed, each run's values (steps) are drawn with
/// replacement; a run-level value (one number per run) is kept as it is.
/// </summary>
public abstract class ClaimTest
{
    /// <summary>A verdict needs at least this many seeds with every run of the test present and measured.</summary>
    public const int MinimumSeeds = 3;

    /// <summary>"1", "3a", ...: the claim's number and the part.</summary>
    public abstract string Id { get; }

    public int Claim => int.Parse(Id.TrimEnd('a', 'b', 'c'), CultureInfo.InvariantCulture);

    /// <summary>The part of the claim tested, in words.</summary>
    public abstract string Title { get; }

    /// <summary>The statistic, defined in words (README and claims.json repeat it).</summary>
    public abstract string Statistic { get; }

    /// <summary>What one value of a series is (a recorded step, a run).</summary>
    public abstract string Unit { get; }

    /// <summary>What one run's summary (a dot in the claim's figure) is, in words with units.</summary>
    public abstract string ValueLabel { get; }

    /// <summary>The short name of the statistic in a verdict's reason ("the correlation").</summary>
    public abstract string ShortName { get; }

    public abstract Direction Direction { get; }

    public abstract double SupportBound { get; }

    public abstract double ContradictBound { get; }

    /// <summary>Why these bounds: the paper's wording they come from.</summary>
    public abstract string Why { get; }

    /// <summary>Each run needs at least this many values (recorded steps) to count.</summary>
    public virtual int MinimumValues => 1;

    /// <summary>The runs of one seed the test reads.</summary>
    public abstract IReadOnlyList<Role> Roles(ClaimsDesign design);

    /// <summary>The values a run contributes (one per recorded step, or one for the run).</summary>
    public abstract double[] Values(ClaimRun run);

    /// <summary>The statistic on a sample (the data itself, or a bootstrap resample of it).</summary>
    public abstract double Reduce(IReadOnlyList<SeedSample> samples);

    /// <summary>How one run's values are summarised in figures and claims.json (median unless a test says otherwise).</summary>
    public virtual double Summarise(double[] values) => Statistics.Median(values);

    public string SupportedWhen => $"95 % CI entirely {(Direction == Direction.Above ? "above" : "below")} {Format(SupportBound)}";

    public string ContradictedWhen => $"95 % CI entirely {(Direction == Direction.Above ? "below" : "above")} {Format(ContradictBound)}";

    public TestResult Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs)
    {
        var samples = new List<SeedSample>();
        var missing = new List<string>();
        var roles = Roles(design);
        foreach (long seed in design.Seeds)
        {
            var series = new List<Series>();
            foreach (var role in roles)
            {
                var run = runs.FirstOrDefault(r => r.Is(role.LearningRate, role.BatchSize, seed, role.Optimizer));
                if (run is null || run.Status != RunStatus.Completed)
                {
                    missing.Add($"{role.Label} seed {seed}: {(run is null ? "no run" : "run " + run.Status.ToString().ToLowerInvariant())}");
                    continue;
                }
                double[] values = Values(run);
                if (values.Length < MinimumValues)
                {
                    missing.Add($"{run.Name}: {values.Length} measured value(s), needs {MinimumValues}");
                    continue;
                }
                series.Add(new Series(role.Label, role.X, values, run.Name));
            }
            if (series.Count == roles.Count) samples.Add(new SeedSample(seed, series));
        }

        var points = samples.SelectMany(s => s.Series.Select(x => new SeriesPoint(s.Seed, x.Label, x.X, Summarise(x.Values), x.Values.Length, x.Run)))
            .ToList();
        if (samples.Count < MinimumSeeds)
        {
            string why = $"needs {MinimumSeeds} seeds with every run measured, has {samples.Count}" +
                (missing.Count > 0 ? $" ({string.Join("; ", missing.Take(3))}{(missing.Count > 3 ? "; …" : "")})" : "");
            return Result(double.NaN, new Interval(double.NaN, double.NaN), Verdict.Inconclusive, why, samples.Count, points);
        }

        double estimate = Reduce(samples);
        var interval = Bootstrap.Percentile(random => Reduce(Resample(random, samples)));
        var (verdict, reason) = Decide(interval);
        return Result(estimate, interval, verdict, reason, samples.Count, points);
    }

    /// <summary>The verdict of an interval by this test's documented bounds, and why.</summary>
    public (Verdict Verdict, string Reason) Decide(Interval ci)
    {
        if (!ci.IsFinite) return (Verdict.Inconclusive, $"{ShortName} is undefined on most bootstrap resamples (no variation to measure)");
        string text = $"95 % CI of {ShortName} [{Format(ci.Low)}, {Format(ci.High)}]";
        bool above = Direction == Direction.Above;
        if (above ? ci.Low > SupportBound : ci.High < SupportBound)
            return (Verdict.Supported, $"{text} {(above ? "above" : "below")} {Format(SupportBound)}");
        if (above ? ci.High < ContradictBound : ci.Low > ContradictBound)
            return (Verdict.Contradicted, $"{text} {(above ? "below" : "above")} {Format(ContradictBound)}");
        return (Verdict.Inconclusive,
            $"{text} neither entirely {(above ? "above" : "below")} {Format(SupportBound)} nor entirely {(above ? "below" : "above")} {Format(ContradictBound)}");
    }

    /// <summary>One hierarchical resample: seeds with replacement, then each run's values with replacement.</summary>
    public static IReadOnlyList<SeedSample> Resample(Random random, IReadOnlyList<SeedSample> samples) =>
        Bootstrap.Indices(random, samples.Count)
            .Select(i => samples[i] with { Series = samples[i].Series.Select(s => s with { Values = Bootstrap.Resample(random, s.Values) }).ToList() })
            .ToList();

    public static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.###", CultureInfo.InvariantCulture);

    private TestResult Result(double estimate, Interval ci, Verdict verdict, string reason, int seeds, IReadOnlyList<SeriesPoint> points) => new()
    {
        Id = Id,
        Claim = Claim,
        Title = Title,
        Statistic = Statistic,
        Unit = Unit,
        ValueLabel = ValueLabel,
        SupportedWhen = SupportedWhen,
        ContradictedWhen = ContradictedWhen,
        Why = Why,
        Direction = Direction,
        SupportBound = SupportBound,
        ContradictBound = ContradictBound,
        Estimate = estimate,
        Low = ci.Low,
        High = ci.High,
        Verdict = verdict,
        Reason = reason,
        Seeds = seeds,
        Runs = points.Select(p => p.Run).Distinct().ToList(),
        Points = points,
    };
}

/// <summary>One run's summary in a test (the per-run dot of a claim's figure).</summary>
public sealed record SeriesPoint(long Seed, string Label, double X, double Value, int Count, string Run);

/// <summary>A test's outcome as claims.json stores it.</summary>
public sealed record TestResult
{
    public string Id { get; init; } = "";
    public int Claim { get; init; }
    public string Title { get; init; } = "";
    public string Statistic { get; init; } = "";
    public string Unit { get; init; } = "";
    public string ValueLabel { get; init; } = "";
    public string SupportedWhen { get; init; } = "";
    public string ContradictedWhen { get; init; } = "";
    public string Why { get; init; } = "";
    public Direction Direction { get; init; }
    public double SupportBound { get; init; }
    public double ContradictBound { get; init; }
    public double Estimate { get; init; }
    public double Low { get; init; }
    public double High { get; init; }
    public double Level { get; init; } = Bootstrap.Level;
    public int Resamples { get; init; } = Bootstrap.Resamples;
    public int BootstrapSeed { get; init; } = Bootstrap.Seed;
    public Verdict Verdict { get; init; }
    public string Reason { get; init; } = "";
    public int Seeds { get; init; }
    public IReadOnlyList<string> Runs { get; init; } = [];
    public IReadOnlyList<SeriesPoint> Points { get; init; } = [];
}
