using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;

namespace SgdWalk.Reporting.Tests.Claims;

/// <summary>The special functions and intervals against published values (R's qt, pbinom, binom.test; textbook tables).</summary>
public class InferenceTests
{
    [Theory]
    [InlineData(0.975, 1, 12.706204736174705)]
    [InlineData(0.975, 2, 4.302652729911275)]
    [InlineData(0.975, 9, 2.262157162740992)]
    [InlineData(0.975, 11, 2.200985160082949)]
    [InlineData(0.975, 19, 2.093024054408263)]
    [InlineData(0.95, 9, 1.833112932653634)]
    [InlineData(0.8, 9, 0.8834038)]
    [InlineData(0.975, 1000, 1.962339)]
    [InlineData(0.025, 9, -2.262157162740992)]
    public void Student_t_quantiles_match_the_tables(double p, double df, double expected)
    {
        Assert.Equal(expected, Distributions.StudentQuantile(p, df), 6);
        Assert.Equal(p, Distributions.StudentCdf(Distributions.StudentQuantile(p, df), df), 12);
    }

    [Fact]
    public void The_three_quantiles_of_the_inference_standard()
    {
        Assert.Equal(4.303, Math.Round(Distributions.StudentQuantile(0.975, 2), 3));
        Assert.Equal(2.262, Math.Round(Distributions.StudentQuantile(0.975, 9), 3));
        Assert.Equal(2.093, Math.Round(Distributions.StudentQuantile(0.975, 19), 3));
    }

    [Fact]
    public void Incomplete_beta_and_binomial_match_closed_forms()
    {
        Assert.Equal(0.6875, Distributions.IncompleteBeta(0.5, 2, 3), 12); // I_x(2,3) = 6x²/2 − 8x³/3 + 3x⁴/4 ... at 1/2
        Assert.Equal(0.3827828, Distributions.BinomialCdf(2, 10, 0.3), 7);
        Assert.Equal(Math.Pow(0.9, 30), Distributions.BinomialCdf(0, 30, 0.1), 12);
        Assert.Equal(1, Distributions.BinomialCdf(30, 30, 0.1));
        Assert.Equal(Math.Log(24), Distributions.LogGamma(5), 12);
    }

    [Fact]
    public void Clopper_Pearson_matches_binom_test_and_the_zero_event_formula()
    {
        var ci = Distributions.ClopperPearson(5, 20);
        Assert.Equal(0.08657147, ci.Low, 7);
        Assert.Equal(0.49104587, ci.High, 7);
        foreach (int m in new[] { 1, 30, 36, 368, 5000 })
        {
            var none = Distributions.ClopperPearson(0, m);
            Assert.Equal(0, none.Low);
            Assert.Equal(1 - Math.Pow(0.025, 1.0 / m), none.High, 12);
        }
        Assert.Equal(0.1157, Distributions.ClopperPearson(0, 30).High, 4); // issue 22: "0/30 ... 0.116"
    }

    /// <summary>../shared/statistics.md: 0 events reach below 0.1 from 36 units, 0.05 from 72, 0.01 from 368.</summary>
    [Theory]
    [InlineData(0.1, false, 36)]
    [InlineData(0.05, false, 72)]
    [InlineData(0.01, false, 368)]
    [InlineData(0.5, true, 6)]
    [InlineData(0.25, true, 3)]
    public void The_units_a_share_needs_to_reach_a_bound(double bound, bool above, long expected)
    {
        Assert.Equal(expected, ClaimTest.UnitsToReach(bound, above));
        double extreme(long m) => above ? Distributions.ClopperPearson(m, m).Low : Distributions.ClopperPearson(0, m).High;
        Assert.True(above ? extreme(expected) > bound : extreme(expected) < bound);
        Assert.False(above ? extreme(expected - 1) > bound : extreme(expected - 1) < bound);
    }

    [Fact]
    public void The_t_interval_is_mean_plus_minus_t_s_over_root_n()
    {
        var t = TInterval.Of([1.0, 2, 3, 4, 5]);
        var ci = t.At(0.95);
        double half = 2.7764451051977987 * Math.Sqrt(2.5) / Math.Sqrt(5);
        Assert.Equal(3 - half, ci.Low, 10);
        Assert.Equal(3 + half, ci.High, 10);
        // The one-sided p-values are the interval's edges: the 95 % interval's low end has p = 0.025 above it.
        Assert.Equal(0.025, t.PAbove(ci.Low), 10);
        Assert.Equal(0.025, t.PBelow(ci.High), 10);
    }

    [Fact]
    public void Holm_adjusts_step_down_and_keeps_the_order()
    {
        Assert.Equal([0.03, 0.06, 0.06], Holm.Adjust([0.01, 0.04, 0.03]), new Tolerance(1e-12));
        Assert.Equal([1.0, 0.02], Holm.Adjust([double.NaN, 0.01]), new Tolerance(1e-12));
        Assert.Equal([0.04], Holm.Adjust([0.04]), new Tolerance(1e-12));
    }

    /// <summary>Holm within a claim: a part whose own p passes but whose adjusted p does not loses its verdict and says why.</summary>
    [Fact]
    public void A_claims_parts_keep_a_verdict_only_below_the_Holm_threshold()
    {
        TestResult Part(string id, double p) => new()
        {
            Id = id, Claim = 4, PValue = p, UnadjustedVerdict = Verdict.Supported, Verdict = Verdict.Supported, Reason = "95 % CI above 0",
        };
        var claim = ClaimsEvaluation.Combine(4, "s", [Part("4a", 0.001), Part("4b", 0.03), Part("4c", 0.04)]);
        var parts = claim.Tests.ToDictionary(t => t.Id);
        Assert.Equal(Verdict.Supported, parts["4a"].Verdict); // 3 × 0.001
        Assert.Equal(0.06, parts["4b"].AdjustedPValue, 12); // 2 × 0.03
        Assert.Equal(0.06, parts["4c"].AdjustedPValue, 12); // max(0.06, 1 × 0.04)
        Assert.Equal(Verdict.Inconclusive, parts["4b"].Verdict);
        Assert.Contains("Holm-adjusted p = 0.06 over the claim's 3 tests is not below 0.05", parts["4c"].Reason);
        Assert.Equal(Verdict.Inconclusive, claim.Verdict);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
