using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>A two-sided confidence interval.</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool IsFinite => double.IsFinite(Low) && double.IsFinite(High);
}

/// <summary>
/// The special functions the claims' inference needs (../shared/statistics.md), written out so that no statistics
/// package is needed and `sgdwalk report` recomputes the same numbers anywhere: the log-gamma function (Lanczos), the
/// regularised incomplete beta function (Lentz's continued fraction), and from them Student's t distribution, the
/// binomial distribution and the Clopper–Pearson interval.
/// </summary>
public static class Distributions
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; relative error below 1e-14).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double a = Lanczos[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += Lanczos[i] / (x + i);
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }

    /// <summary>The regularised incomplete beta function I_x(a, b).</summary>
    public static double IncompleteBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2) ? front * BetaFraction(x, a, b) / a : 1 - (front * BetaFraction(1 - x, b, a) / b);
    }

    /// <summary>The continued fraction of I_x(a, b) by the modified Lentz method.</summary>
    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - ((a + b) * x / (a + 1));
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 10_000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + (aa * d);
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + (aa / c);
            if (Math.Abs(c) < tiny) c = tiny;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + (aa * d);
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + (aa / c);
            if (Math.Abs(c) < tiny) c = tiny;
            double step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-15) break;
        }
        return h;
    }

    /// <summary>P(T ≤ t) for Student's t with <paramref name="df"/> degrees of freedom.</summary>
    public static double StudentCdf(double t, double df)
    {
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsPositiveInfinity(t)) return 1;
        if (double.IsNegativeInfinity(t)) return 0;
        double tail = 0.5 * IncompleteBeta(df / (df + (t * t)), df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    /// <summary>The p-quantile of Student's t (bisection on the distribution function to machine precision).</summary>
    public static double StudentQuantile(double p, double df)
    {
        if (!(p is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(p), "p must lie strictly between 0 and 1");
        if (p == 0.5) return 0;
        double low = -1, high = 1;
        while (StudentCdf(low, df) > p) low *= 2;
        while (StudentCdf(high, df) < p) high *= 2;
        return Solve(t => StudentCdf(t, df), p, low, high);
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(m, p).</summary>
    public static double BinomialCdf(long k, long m, double p) =>
        k < 0 ? 0 : k >= m ? 1 : p <= 0 ? 1 : p >= 1 ? 0 : IncompleteBeta(1 - p, m - k, k + 1);

    /// <summary>
    /// The Clopper–Pearson ("exact") interval of a proportion: k events in m units, two-sided at <paramref name="level"/>.
    /// For k = 0 the upper end is 1 − ((1 − level)/2)^{1/m}.
    /// </summary>
    public static Interval ClopperPearson(long k, long m, double level = 0.95)
    {
        if (m <= 0) return new Interval(0, 1);
        double tail = (1 - level) / 2;
        double low = k == 0 ? 0 : Solve(x => IncompleteBeta(x, k, m - k + 1), tail, 0, 1);
        double high = k == m ? 1 : Solve(x => IncompleteBeta(x, k + 1, m - k), 1 - tail, 0, 1);
        return new Interval(low, high);
    }

    /// <summary>x in [low, high] with f(x) = target, f increasing (bisection until the interval stops shrinking).</summary>
    private static double Solve(Func<double, double> f, double target, double low, double high)
    {
        for (int i = 0; i < 2000; i++)
        {
            double mid = 0.5 * (low + high);
            if (mid <= low || mid >= high) break;
            if (f(mid) < target) low = mid;
            else high = mid;
        }
        return 0.5 * (low + high);
    }
}

/// <summary>A t-interval of per-seed values: mean ± t_{(1+level)/2, n−1} · s/√n, and one-sided p-values against a value.</summary>
public sealed record TInterval(int N, double Mean, double StandardDeviation)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(double P, double Df), double> Quantiles = new();

    public double StandardError => StandardDeviation / Math.Sqrt(N);

    public double Df => N - 1;

    public static TInterval Of(IReadOnlyList<double> values)
    {
        int n = values.Count;
        double mean = n == 0 ? double.NaN : values.Average();
        double sd = n < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        return new TInterval(n, mean, sd);
    }

    public Interval At(double level)
    {
        if (N < 2) return new Interval(double.NaN, double.NaN);
        double half = Quantiles.GetOrAdd(((1 + level) / 2, Df), k => Distributions.StudentQuantile(k.P, k.Df)) * StandardError;
        return new Interval(Mean - half, Mean + half);
    }

    /// <summary>P-value of H0 "mean ≤ value" (small when the values lie well above it).</summary>
    public double PAbove(double value) => StandardError > 0 ? 1 - Distributions.StudentCdf((Mean - value) / StandardError, Df)
        : N < 2 || double.IsNaN(Mean) ? double.NaN : Mean > value ? 0 : 1;

    /// <summary>P-value of H0 "mean ≥ value" (small when the values lie well below it).</summary>
    public double PBelow(double value) => StandardError > 0 ? Distributions.StudentCdf((Mean - value) / StandardError, Df)
        : N < 2 || double.IsNaN(Mean) ? double.NaN : Mean < value ? 0 : 1;
}

/// <summary>Holm's step-down adjustment of several p-values (the sub-tests of one claim).</summary>
public static class Holm
{
    /// <summary>
    /// Adjusted p-values: sort ascending, p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)); a hypothesis is rejected at α
    /// exactly when Holm's procedure (reject p_(i) while p_(i) ≤ α/(m − i + 1)) rejects it. NaN counts as 1.
    /// </summary>
    public static double[] Adjust(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => double.IsNaN(p[i]) ? 1 : p[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            double value = double.IsNaN(p[order[rank]]) ? 1 : p[order[rank]];
            running = Math.Max(running, Math.Min(1, (m - rank) * value));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
