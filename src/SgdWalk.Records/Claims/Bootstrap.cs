namespace SgdWalk.Records.Claims;

/// <summary>A two-sided confidence interval.</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool IsFinite => double.IsFinite(Low) && double.IsFinite(High);
}

/// <summary>
/// The percentile bootstrap every claim uses (README "Claims"): the statistic recomputed on many resamples of the
/// data, the interval between the (1 − level)/2 and (1 + level)/2 quantiles of those values. The generator is seeded
/// with a fixed constant, so a claims folder's intervals are the same every time `sgdwalk report` recomputes them.
/// </summary>
public static class Bootstrap
{
    /// <summary>The bootstrap's seed: the paper's arXiv number 1802.08770 (a documented constant, not a run's seed).</summary>
    public const int Seed = 180208770;

    public const int Resamples = 2000;

    public const double Level = 0.95;

    /// <summary>
    /// The percentile interval of <paramref name="statistic"/>, which draws one resample from the generator it is given
    /// and returns the statistic on it. Resamples on which the statistic is undefined (NaN) are left out; when more
    /// than half are, the interval is (NaN, NaN).
    /// </summary>
    public static Interval Percentile(Func<Random, double> statistic, int resamples = Resamples, double level = Level, int seed = Seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 2);
        if (!(level is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(level), "the level must lie strictly between 0 and 1");
        var random = new Random(seed);
        var values = new List<double>(resamples);
        for (int i = 0; i < resamples; i++)
        {
            double v = statistic(random);
            if (!double.IsNaN(v)) values.Add(v);
        }
        if (values.Count * 2 < resamples) return new Interval(double.NaN, double.NaN);
        var sorted = values.Order().ToArray();
        return new Interval(Quantile(sorted, (1 - level) / 2), Quantile(sorted, (1 + level) / 2));
    }

    /// <summary>The p-quantile of sorted values, linear between order statistics (R's type 7, numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        double h = (sorted.Count - 1) * p;
        int below = (int)Math.Floor(h);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((h - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>n indices drawn uniformly with replacement from 0..n−1.</summary>
    public static int[] Indices(Random random, int n)
    {
        var indices = new int[n];
        for (int i = 0; i < n; i++) indices[i] = random.Next(n);
        return indices;
    }

    /// <summary>A resample of <paramref name="values"/> (same size, drawn with replacement).</summary>
    public static double[] Resample(Random random, IReadOnlyList<double> values) =>
        values.Count <= 1 ? [.. values] : Indices(random, values.Count).Select(i => values[i]).ToArray();
}
