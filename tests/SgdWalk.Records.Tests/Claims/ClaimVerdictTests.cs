using SgdWalk.Records.Claims;
using static SgdWalk.Records.Tests.Claims.World;

namespace SgdWalk.Records.Tests.Claims;

/// <summary>The verdict logic on hand-made claims folders whose effects are known (<see cref="ClaimsFolder"/>).</summary>
public class ClaimVerdictTests
{
    /// <summary>Every effect as the paper describes it, clearly.</summary>
    private static readonly World Paper = new()
    {
        Interior = Bernoulli(0.9),
        Height = (lr, _, r) => 10 * lr * (1 + (0.1 * Normal(r))),
        Distance = (batch, _, r) => 10 / Math.Sqrt(batch) * (1 + (0.05 * Normal(r))),
        PairFactor = (_, r) => 2 * (1 + (0.02 * Normal(r))),
        FloorBarrier = Bernoulli(0.3),
        FloorSgdFactor = (_, r) => 0.5 * (1 + (0.02 * Normal(r))),
        FloorSgdAccuracyDelta = (_, _) => -0.05,
        Cosine = r => -0.3 + (0.1 * Normal(r)),
        Bump = Bernoulli(0.01),
        Alignment = (batch, _, r) => (batch > 100 ? 0.5 : 0.1) * (1 + (0.1 * Normal(r))),
    };

    /// <summary>Every effect the other way round.</summary>
    private static readonly World Opposite = new()
    {
        Interior = Bernoulli(0.1),
        Height = (lr, _, r) => 10 * (0.3 - lr) * (1 + (0.1 * Normal(r))),
        Distance = (batch, _, r) => Math.Sqrt(batch) * (1 + (0.01 * Normal(r))),
        PairFactor = (_, r) => 1 + (0.01 * Normal(r)),
        FloorBarrier = _ => 0,
        FloorSgdFactor = (_, r) => 2 * (1 + (0.02 * Normal(r))),
        FloorSgdAccuracyDelta = (_, _) => 0.05,
        Cosine = r => 0.3 + (0.1 * Normal(r)),
        Bump = Bernoulli(0.7),
        Alignment = (batch, _, r) => (batch > 100 ? 0.1 : 0.5) * (1 + (0.1 * Normal(r))),
    };

    /// <summary>
    /// No effect: step-level quantities are noise centred between a test's two bounds; run-level effects point one way
    /// in the first seed, the other way in the third and nowhere in the second (zero on average, as noise around zero).
    /// </summary>
    private static readonly World Noise = new()
    {
        Interior = Bernoulli(0.5),
        Height = (lr, s, r) => 1 + ((s - 1) * 5 * lr) + (0.01 * Normal(r)),
        Distance = (batch, s, r) => 1 + ((s - 1) * 0.002 * batch) + (0.01 * Normal(r)),
        PairFactor = (s, _) => Math.Exp((s - 1) * 0.3),
        FloorBarrier = Bernoulli(0.03),
        FloorSgdFactor = (s, _) => Math.Exp((s - 1) * 0.3),
        FloorSgdAccuracyDelta = (s, _) => (s - 1) * 0.03,
        Cosine = r => Normal(r),
        Bump = Bernoulli(0.17),
        Alignment = (batch, s, r) => (batch > 100 ? Math.Exp(s - 1) : 1) * (1 + (0.01 * Normal(r))),
    };

    public static TheoryData<string> Worlds => ["paper", "opposite", "noise"];

    [Theory]
    [MemberData(nameof(Worlds))]
    public void Every_test_gives_the_verdict_of_its_world(string name)
    {
        var (world, expected) = name switch
        {
            "paper" => (Paper, Verdict.Supported),
            "opposite" => (Opposite, Verdict.Contradicted),
            _ => (Noise, Verdict.Inconclusive),
        };
        using var folder = new ClaimsFolder(world);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);

        Assert.Equal(PaperClaims.Tests.Count, outcome.Claims.Sum(c => c.Tests.Count));
        Assert.All(outcome.Claims.SelectMany(c => c.Tests), t =>
        {
            Assert.True(expected == t.Verdict, $"{name}: test {t.Id} is {t.Verdict} ({t.Reason})");
            Assert.Equal(3, t.Seeds);
            Assert.True(t.Low <= t.High);
        });
        Assert.All(outcome.Claims, c => Assert.Equal(expected, c.Verdict));
    }

    [Fact]
    public void The_reason_names_the_interval_and_the_bound()
    {
        using var folder = new ClaimsFolder(Paper);
        var height = ClaimsEvaluation.Evaluate(folder.Path).Claims.Single(c => c.Claim == 2).Tests.Single();
        Assert.Matches(@"^95 % CI of the correlation \[-?[0-9.]+, -?[0-9.]+\] above 0\.3$", height.Reason);
        Assert.Equal(9, height.Points.Count); // 3 learning rates × 3 seeds, one dot per run
    }

    [Fact]
    public void Fewer_than_three_seeds_give_no_verdict_and_say_why()
    {
        using var folder = new ClaimsFolder(Paper, seeds: 2);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.All(outcome.Claims.SelectMany(c => c.Tests), t =>
        {
            Assert.Equal(Verdict.Inconclusive, t.Verdict);
            Assert.StartsWith("needs 3 seeds with every run measured, has 2", t.Reason);
        });
    }

    [Fact]
    public void A_missing_run_costs_only_the_tests_that_read_it()
    {
        using var folder = new ClaimsFolder(Paper);
        Directory.Delete(Path.Combine(folder.Path, "floor-sgd-lr0.1-b100-s1112"), recursive: true);
        var tests = ClaimsEvaluation.Evaluate(folder.Path).Claims.SelectMany(c => c.Tests).ToDictionary(t => t.Id);
        Assert.Equal(Verdict.Inconclusive, tests["4b"].Verdict);
        Assert.Contains("floor-sgd seed 1112: no run", tests["4b"].Reason);
        Assert.Equal(Verdict.Supported, tests["1"].Verdict);
    }

    [Fact]
    public void Decisions_follow_the_documented_bounds_at_their_edges()
    {
        var interior = new InteriorFloors(); // above 0.5 supports, below 0.5 contradicts
        Assert.Equal(Verdict.Supported, interior.Decide(new Interval(0.5001, 0.9)).Verdict);
        Assert.Equal(Verdict.Inconclusive, interior.Decide(new Interval(0.5, 0.9)).Verdict);
        Assert.Equal(Verdict.Contradicted, interior.Decide(new Interval(0.1, 0.4999)).Verdict);
        var rare = new BarrierCrossings(); // below 0.1 supports, above 0.25 contradicts
        Assert.Equal(Verdict.Supported, rare.Decide(new Interval(0, 0.09)).Verdict);
        Assert.Equal(Verdict.Inconclusive, rare.Decide(new Interval(0.05, 0.3)).Verdict);
        Assert.Equal(Verdict.Contradicted, rare.Decide(new Interval(0.26, 0.4)).Verdict);
        Assert.Equal(Verdict.Inconclusive, rare.Decide(new Interval(double.NaN, double.NaN)).Verdict);
    }

    /// <summary>README "Claims" lists every test with the bounds the code uses, word for word.</summary>
    [Fact]
    public void The_readme_documents_every_test_with_its_bounds()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.All(PaperClaims.Tests, t =>
        {
            string row = readme.Split('\n').FirstOrDefault(l => l.StartsWith($"| {t.Id} |", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"README has no row '| {t.Id} |'");
            Assert.Contains(t.SupportedWhen, row);
            Assert.Contains(t.ContradictedWhen, row);
        });
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SgdWalk.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("no SgdWalk.slnx above the test's folder");
    }
}
