namespace SgdWalk.Records.Claims;

public enum Verdict
{
    Supported,
    Contradicted,
    Inconclusive,

    /// <summary>The design cannot earn a verdict (too few seeds, or too few units for a Clopper–Pearson bound): says what it needs.</summary>
    Underpowered,
}

/// <summary>Which side of its bounds a statistic must lie on for the claim to hold.</summary>
public enum Direction
{
    /// <summary>The claim predicts a large value: supported when the whole interval lies above the support bound.</summary>
    Above,

    /// <summary>The claim predicts a small value: supported when the whole interval lies below the support bound.</summary>
    Below,
}

/// <summary>How a test reduces each seed to one number, and so how it infers on the seeds (docs/claims.md).</summary>
public enum TestKind
{
    /// <summary>A summary of one run per seed (a median over the window); one-sample t-interval against the bounds.</summary>
    Location,

    /// <summary>A share of units (steps, segments) per seed; t-interval over seeds widened to the Clopper–Pearson interval of the pooled units.</summary>
    Share,

    /// <summary>A within-seed contrast of two arms (a log ratio or a difference); paired t-interval against the bounds.</summary>
    Contrast,

    /// <summary>A within-seed regression slope over the levels of a factor (log–log); t-interval over seeds on the slopes.</summary>
    Slope,

    /// <summary>A within-seed log ratio tested for equivalence (TOST) against a margin ±δ: signed, never |x|.</summary>
    Equivalence,
}

/// <summary>One seed's value of a test's primary statistic.</summary>
public sealed record SeedValue(long Seed, double Value);

/// <summary>One run's summary in a test (the per-run dot of a claim's figure).</summary>
public sealed record SeriesPoint(long Seed, string Label, double X, double Value, int Count, string Run);

/// <summary>A test's outcome as claims.json stores it.</summary>
public sealed record TestResult
{
    public string Id { get; init; } = "";
    public int Claim { get; init; }
    public string Title { get; init; } = "";
    public TestKind Kind { get; init; }
    public string Statistic { get; init; } = "";
    public string SeedValueLabel { get; init; } = "";
    public string ValueLabel { get; init; } = "";
    public string SupportedWhen { get; init; } = "";
    public string ContradictedWhen { get; init; } = "";
    public string Why { get; init; } = "";
    public Direction Direction { get; init; }
    public double SupportBound { get; init; }
    public double ContradictBound { get; init; }

    /// <summary>The mean of the per-seed values.</summary>
    public double Estimate { get; init; }

    /// <summary>The 95 % interval (t over seeds; for shares widened to Clopper–Pearson).</summary>
    public double Low { get; init; }
    public double High { get; init; }

    /// <summary>The 90 % interval of an equivalence test (NaN for the others).</summary>
    public double Low90 { get; init; }
    public double High90 { get; init; }

    /// <summary>The p-value of the verdict the seeds point to, before Holm.</summary>
    public double PValue { get; init; }

    /// <summary>Holm-adjusted over the claim's tests: the verdict stands only when this is below 0.05.</summary>
    public double AdjustedPValue { get; init; }

    /// <summary>The verdict before Holm's adjustment.</summary>
    public Verdict UnadjustedVerdict { get; init; }
    public Verdict Verdict { get; init; }
    public string Reason { get; init; } = "";
    public int Seeds { get; init; }
    public IReadOnlyList<SeedValue> SeedValues { get; init; } = [];

    /// <summary>Shares: events and units pooled over the seeds (the Clopper–Pearson interval's k and m).</summary>
    public long Events { get; init; }
    public long Units { get; init; }
    public IReadOnlyList<string> Runs { get; init; } = [];
    public IReadOnlyList<SeriesPoint> Points { get; init; } = [];
}
