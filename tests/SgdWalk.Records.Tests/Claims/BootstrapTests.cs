using SgdWalk.Records.Claims;

namespace SgdWalk.Records.Tests.Claims;

public class BootstrapTests
{
    /// <summary>
    /// The oracle: the textbook percentile bootstrap written out in full (draw n indices, mean, repeat, sort, read the
    /// 2.5 % and 97.5 % points by linear interpolation), consuming the same seeded generator in the same order.
    /// </summary>
    [Fact]
    public void The_interval_equals_a_plain_percentile_bootstrap_of_the_mean()
    {
        var data = new Random(7).GetItems(Enumerable.Range(0, 50).Select(i => i * 0.37).ToArray(), 40);
        var interval = Bootstrap.Percentile(r => Bootstrap.Resample(r, data).Average(), resamples: 999, seed: 42);

        var random = new Random(42);
        var means = new double[999];
        for (int b = 0; b < means.Length; b++)
        {
            double sum = 0;
            for (int i = 0; i < data.Length; i++) sum += data[random.Next(data.Length)];
            means[b] = sum / data.Length;
        }
        Array.Sort(means);
        double Point(double p)
        {
            double h = (means.Length - 1) * p;
            int lo = (int)Math.Floor(h);
            return means[lo] + ((h - lo) * (means[Math.Min(lo + 1, means.Length - 1)] - means[lo]));
        }
        Assert.Equal(Point(0.025), interval.Low, 12);
        Assert.Equal(Point(0.975), interval.High, 12);
        Assert.True(interval.Low < data.Average() && data.Average() < interval.High);
    }

    [Fact]
    public void Quantiles_interpolate_between_order_statistics()
    {
        double[] sorted = [.. Enumerable.Range(0, 101).Select(i => (double)i)];
        Assert.Equal(2.5, Bootstrap.Quantile(sorted, 0.025), 12);
        Assert.Equal(97.5, Bootstrap.Quantile(sorted, 0.975), 12);
        Assert.Equal(15, Bootstrap.Quantile([10.0, 20.0], 0.5), 12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_another()
    {
        double[] data = [.. Enumerable.Range(0, 30).Select(i => Math.Sin(i))];
        double Mean(Random r) => Bootstrap.Resample(r, data).Average();
        Assert.Equal(Bootstrap.Percentile(Mean), Bootstrap.Percentile(Mean));
        Assert.NotEqual(Bootstrap.Percentile(Mean), Bootstrap.Percentile(Mean, seed: 1));
    }

    [Fact]
    public void A_statistic_undefined_on_most_resamples_gives_no_interval() =>
        Assert.False(Bootstrap.Percentile(r => r.NextDouble() < 0.7 ? double.NaN : 1).IsFinite);

    /// <summary>
    /// Coverage on data with a known truth: normal samples of mean 1 (n = 40); the 95 % percentile interval of the
    /// mean must contain 1 in close to 95 % of 400 independent data sets (binomial SE ≈ 1.1 %, and the percentile
    /// bootstrap runs slightly narrow at this n, so 90–98 % is the acceptance band).
    /// </summary>
    [Fact]
    public void The_interval_of_a_mean_covers_the_truth_close_to_95_percent_of_the_time()
    {
        var random = new Random(2024);
        int covered = 0;
        const int datasets = 400;
        for (int d = 0; d < datasets; d++)
        {
            double[] data = [.. Enumerable.Range(0, 40).Select(_ => 1 + Normal(random))];
            var ci = Bootstrap.Percentile(r => Bootstrap.Resample(r, data).Average(), resamples: 500, seed: d);
            if (ci.Low <= 1 && 1 <= ci.High) covered++;
        }
        double coverage = covered / (double)datasets;
        Assert.InRange(coverage, 0.90, 0.98);
    }

    /// <summary>
    /// The claims' hierarchical bootstrap (seeds, then steps within seeds) on data with seed-to-seed variation: 20
    /// seeds with a random effect (sd 0.5) around a true mean of 0, 30 noisy steps each (sd 1). Resampling seeds
    /// carries the between-seed variance, so coverage stays near 95 %; resampling only steps (ignoring the seeds) would
    /// be far too narrow, which the second assertion shows.
    /// </summary>
    [Fact]
    public void The_hierarchical_interval_covers_the_truth_when_seeds_differ()
    {
        var random = new Random(99);
        int hierarchical = 0, stepsOnly = 0;
        const int datasets = 300;
        for (int d = 0; d < datasets; d++)
        {
            var samples = Enumerable.Range(0, 20).Select(s =>
            {
                double effect = 0.5 * Normal(random);
                return new SeedSample(s, [new Series("x", 0, [.. Enumerable.Range(0, 30).Select(_ => effect + Normal(random))], "run")]);
            }).ToList();
            static double Pooled(IReadOnlyList<SeedSample> x) => x.SelectMany(s => s.Series[0].Values).Average();
            var ci = Bootstrap.Percentile(r => Pooled(ClaimTest.Resample(r, samples)), resamples: 400, seed: d);
            if (ci.Low <= 0 && 0 <= ci.High) hierarchical++;
            double[] flat = [.. samples.SelectMany(s => s.Series[0].Values)];
            var naive = Bootstrap.Percentile(r => Bootstrap.Resample(r, flat).Average(), resamples: 400, seed: d);
            if (naive.Low <= 0 && 0 <= naive.High) stepsOnly++;
        }
        Assert.InRange(hierarchical / (double)datasets, 0.89, 0.98);
        Assert.True(stepsOnly / (double)datasets < 0.75, $"steps-only coverage {stepsOnly / (double)datasets}");
    }

    [Fact]
    public void Spearman_equals_the_rank_difference_formula_without_ties_and_averages_tied_ranks()
    {
        double[] x = [1, 2, 3, 4, 5, 6], y = [2, 1, 4, 3, 6, 5];
        double d2 = x.Zip(y, (a, b) => (a - b) * (a - b)).Sum();
        Assert.Equal(1 - (6 * d2 / (6 * 35.0)), Rank.Spearman(x, y), 12);
        Assert.Equal(-1, Rank.Spearman([1.0, 2, 3], [9.0, 5, 1]), 12);
        Assert.Equal([1, 2.5, 2.5, 4], Rank.AverageRanks([0.1, 0.5, 0.5, 0.9]));
        // Ties: Pearson of the average ranks [1, 2.5, 2.5, 4] with [1, 2, 3, 4], written out.
        double expected = (-1.5 * -1.5 + 0 + 0 + 1.5 * 1.5) / Math.Sqrt(((1.5 * 1.5 * 2) + 0) * (2.25 + 0.25 + 0.25 + 2.25));
        Assert.Equal(expected, Rank.Spearman([0.1, 0.5, 0.5, 0.9], [1.0, 2, 3, 4]), 12);
        Assert.True(double.IsNaN(Rank.Spearman([1.0, 1, 1], [1.0, 2, 3])));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
