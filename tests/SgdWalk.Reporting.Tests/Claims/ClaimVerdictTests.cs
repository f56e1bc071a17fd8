using System.Globalization;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;
using static SgdWalk.Reporting.Tests.Claims.World;

namespace SgdWalk.Reporting.Tests.Claims;

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
    /// in the even seeds and the other way in the odd ones (zero on average, as noise around zero).
    /// </summary>
    private static readonly World Noise = new()
    {
        Interior = Bernoulli(0.5),
        Height = (lr, s, r) => Math.Pow(lr, Sign(s) * 0.5) * (1 + (0.01 * Normal(r))),
        Distance = (batch, s, r) => Math.Pow(batch, Sign(s) * 0.3) * (1 + (0.01 * Normal(r))),
        PairFactor = (s, _) => Math.Exp(Sign(s) * 0.3),
        FloorBarrier = Bernoulli(0.003), // 3 % of the chained windows of 10 segments: between 4a's bounds
        FloorSgdFactor = (s, _) => Math.Exp(Sign(s) * 0.3),
        FloorSgdAccuracyDelta = (s, _) => Sign(s) * 0.03,
        Cosine = r => Normal(r),
        Bump = Bernoulli(0.17),
        Alignment = (batch, s, r) => (batch > 100 ? Math.Exp(Sign(s)) : 1) * (1 + (0.01 * Normal(r))),
    };

    private static int Sign(int seedIndex) => seedIndex % 2 == 0 ? 1 : -1;

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
            Assert.Equal(ClaimTest.DefaultSeeds, t.Seeds);
            Assert.Equal(ClaimTest.DefaultSeeds, t.SeedValues.Count);
            Assert.True(t.Low <= t.High);
        });
        Assert.All(outcome.Claims, c => Assert.Equal(expected, c.Verdict));
    }

    [Fact]
    public void The_reason_names_the_interval_and_the_bound_and_the_seeds_are_listed()
    {
        using var folder = new ClaimsFolder(Paper);
        var height = ClaimsEvaluation.Evaluate(folder.Path).Claims.Single(c => c.Claim == 2).Tests.Single(t => t.Id == "2");
        Assert.Matches(@"^95 % CI of the mean slope \[-?[0-9.]+, -?[0-9.]+\] above 0; interior floors \(probe view, after the first epoch\): .*$", height.Reason);
        Assert.Equal(3 * ClaimTest.DefaultSeeds, height.Points.Count); // 3 learning rates × 12 seeds, one dot per run
        Assert.Equal(folder.Design.Seeds, height.SeedValues.Select(v => v.Seed));
        Assert.All(height.SeedValues, v => Assert.InRange(v.Value, 0.5, 1.5)); // height ∝ η: slope 1 in every seed
        Assert.Equal(height.SeedValues.Average(v => v.Value), height.Estimate, 12);
    }

    /// <summary>
    /// "Mainly" (2b/2c): when the batch size moves the height more than η does, in either direction, claim 2 is
    /// contradicted although the height still rises with η (test 2 supported); when η dominates both hold.
    /// </summary>
    [Theory]
    [InlineData(-1.0, "2c")]
    [InlineData(1.0, "2b")]
    [InlineData(0.1, null)]
    public void The_learning_rate_must_move_the_height_more_than_the_batch_size(double batchElasticity, string? contradictedBy)
    {
        using var folder = new ClaimsFolder(Paper with
        {
            Height = (lr, _, r) => Math.Pow(lr, 0.4) * (1 + (0.05 * Normal(r))),
            BatchHeight = b => Math.Pow(b, batchElasticity),
        });
        var claim = ClaimsEvaluation.Evaluate(folder.Path).Claims.Single(c => c.Claim == 2);
        var tests = claim.Tests.ToDictionary(t => t.Id);
        Assert.Equal(["2", "2b", "2c"], tests.Keys.Order());
        Assert.Equal(Verdict.Supported, tests["2"].Verdict);
        // Per seed b_η − b_B and b_η + b_B, about 0.4 ∓ the batch elasticity.
        Assert.Equal(0.4 - batchElasticity, tests["2b"].Estimate, 1);
        Assert.Equal(0.4 + batchElasticity, tests["2c"].Estimate, 1);
        if (contradictedBy is null)
        {
            Assert.Equal(Verdict.Supported, claim.Verdict);
            return;
        }
        Assert.Equal(Verdict.Contradicted, tests[contradictedBy].Verdict);
        Assert.Equal(Verdict.Supported, tests[contradictedBy == "2b" ? "2c" : "2b"].Verdict);
        Assert.Equal(Verdict.Contradicted, claim.Verdict);
    }

    /// <summary>
    /// 3c reads every batch size after the same number of updates: a walk whose distance depends only on the number of
    /// updates makes smaller batches end farther at equal epochs (3a supported) but not at equal steps, so claim 3 is not supported.
    /// </summary>
    [Fact]
    public void At_equal_steps_the_number_of_updates_no_longer_separates_the_batch_sizes()
    {
        using var folder = new ClaimsFolder(Paper with
        {
            StepsPerEpoch = b => 4000 / b,
            DistanceAtStep = (_, t, r) => 0.1 * Math.Sqrt(t + 1) * (1 + (0.01 * Normal(r))),
        });
        var claim = ClaimsEvaluation.Evaluate(folder.Path).Claims.Single(c => c.Claim == 3);
        var tests = claim.Tests.ToDictionary(t => t.Id);
        Assert.Equal(Verdict.Supported, tests["3a"].Verdict);
        Assert.InRange(tests["3a"].Estimate, -0.55, -0.45); // √(steps) with steps ∝ 1/B
        Assert.NotEqual(Verdict.Supported, tests["3c"].Verdict);
        Assert.InRange(tests["3c"].Estimate, -0.05, 0.05);
        Assert.NotEqual(Verdict.Supported, claim.Verdict);

        // The same folder with the batch's noise driving the walk as well: 3c finds it at equal steps.
        using var noisy = new ClaimsFolder(Paper with
        {
            StepsPerEpoch = b => 4000 / b,
            DistanceAtStep = (b, t, r) => Math.Sqrt((t + 1) / (double)b) * (1 + (0.01 * Normal(r))),
        });
        var equalSteps = ClaimsEvaluation.Evaluate(noisy.Path).Claims.Single(c => c.Claim == 3).Tests.Single(t => t.Id == "3c");
        Assert.Equal(Verdict.Supported, equalSteps.Verdict);
        Assert.InRange(equalSteps.Estimate, -0.55, -0.45);
    }

    /// <summary>
    /// 4b names floor-sgd's step α (its effective learning rate is η·α), and the path efficiency, distance per unit path
    /// length, is reported as a secondary that does not decide claim 4.
    /// </summary>
    [Fact]
    public void Floor_sgd_reports_its_step_length_and_its_path_efficiency()
    {
        // floor-sgd ends at half SGD's distance with twice its step norm: a quarter of SGD's path efficiency.
        using var folder = new ClaimsFolder(Paper with { StepNorm = o => o == "sgd" ? 0.01 : 0.02, FloorStepAlpha = 2 });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var distance = outcome.Claims.Single(c => c.Claim == 4).Tests.Single(t => t.Id == "4b");
        Assert.Contains("floor-sgd's step α (floor_step_alpha, all its steps): mean 2, median 2", distance.Reason);
        var efficiency = outcome.Secondary.Single(t => t.Id == "4b-secondary");
        Assert.Equal(Math.Log(4), efficiency.Estimate, 1);
        Assert.Equal(Verdict.Supported, efficiency.Verdict);
        Assert.DoesNotContain(outcome.Claims.SelectMany(c => c.Tests), t => t.Id == "4b-secondary");
    }

    /// <summary>
    /// 4b's matched arm, a secondary: SGD at floor-sgd's effective learning rate η·ᾱ against floor-sgd, per seed the log
    /// distance ratio, each seed's floor-sgd mean α next to the pilot's. Here SGD at η·ᾱ travels 0.4 of SGD at η and
    /// floor-sgd 0.5 of it: with the step length matched, floor-sgd goes farther (ln 0.8 &lt; 0), and the arm's sign follows
    /// the data, not 4b's. A design without the arm says it has no runs, never a verdict.
    /// </summary>
    [Fact]
    public void The_matched_rate_arm_compares_sgd_at_floor_sgds_effective_rate()
    {
        using var folder = new ClaimsFolder(Paper with { MatchedRate = 0.015, FloorStepAlpha = 0.15 });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var matched = outcome.Secondary.Single(t => t.Id == "4b-matched");
        Assert.Equal(Verdict.Contradicted, matched.Verdict);
        Assert.Equal(Math.Log(0.8), matched.Estimate, 1);
        Assert.Equal(ClaimTest.DefaultSeeds, matched.SeedValues.Count);
        Assert.All(matched.Points.Where(p => p.Label.StartsWith("SGD", StringComparison.Ordinal)), p => Assert.StartsWith("sgd-lr0.015-b100-s", p.Run));
        Assert.Contains("SGD at η·ᾱ = 0.015 (pilot ᾱ 0.15)", string.Join(" ", matched.Points.Select(p => p.Label)));
        Assert.Contains("each seed's floor-sgd mean α 0.15–0.15", matched.Reason);
        Assert.Equal(Verdict.Supported, outcome.Claims.Single(c => c.Claim == 4).Tests.Single(t => t.Id == "4b").Verdict);
        Assert.DoesNotContain(outcome.Claims.SelectMany(c => c.Tests), t => t.Id == "4b-matched");
        // floor-sgd at half SGD's distance (ln 2 < ln 4) does not stall, the control's measure read on the network.
        var stall = outcome.Secondary.Single(t => t.Id == "4b-stall");
        Assert.Equal(Verdict.Contradicted, stall.Verdict);
        Assert.Equal(Math.Log(2), stall.Estimate, 1);
        Assert.All(stall.Runs, r => Assert.True(r.StartsWith("floor-chain-", StringComparison.Ordinal) || r.StartsWith("floor-sgd-", StringComparison.Ordinal), r));

        using var older = new ClaimsFolder(Paper);
        var none = ClaimsEvaluation.Evaluate(older.Path).Secondary.Single(t => t.Id == "4b-matched");
        Assert.Equal(Verdict.Underpowered, none.Verdict);
        Assert.Contains("SGD at η·ᾱ (not in this design: paper scale, or planned before the matched arm) seed 1111: no run", none.Reason);
    }

    /// <summary>
    /// Claim 4a's family: the chained floor path (windows of 10 one-step segments of the floor-chain run) decides 4a; the
    /// straight segments of each lag and the pass-over share are reported as secondaries, never in the claim. Here 30 %
    /// of the segments carry a bump of 0.5 (the median height is 1): nearly every window has a barrier, 30 % of the
    /// straight segments do, and a barrier's top (1.5) lies below SGD's own loss (2) or above it (1.2).
    /// </summary>
    [Theory]
    [InlineData(2.0, Verdict.Supported)]
    [InlineData(1.2, Verdict.Contradicted)]
    public void The_chained_floor_path_decides_4a_and_the_straight_lags_and_the_pass_over_are_secondaries(double iterateLoss, Verdict passOver)
    {
        using var folder = new ClaimsFolder(Paper with { Height = (lr, _, _) => 10 * lr, FloorBarrier = Bernoulli(0.3), BumpSize = 0.5, IterateLoss = iterateLoss });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var primary = outcome.Claims.Single(c => c.Claim == 4).Tests.Single(t => t.Id == "4a");
        Assert.Equal(Verdict.Supported, primary.Verdict);
        Assert.Equal(1 - Math.Pow(0.7, 10), primary.Estimate, 1);
        Assert.Equal(12 * (ClaimsFolder.ChainSteps / 10), primary.Units); // 32 windows per seed, none overlapping
        Assert.All(primary.Runs, r => Assert.StartsWith("floor-chain-", r));
        var secondary = outcome.Secondary.ToDictionary(t => t.Id);
        Assert.Equal(0.3, secondary["4a-lag1"].Estimate, 1);
        Assert.Equal(12 * ClaimsFolder.ChainSteps, secondary["4a-lag1"].Units);
        Assert.Equal(0.3, secondary["4a-lag10"].Estimate, 1);
        Assert.Equal(12 * 31, secondary["4a-lag10"].Units); // steps 330, 340, ..., 630: a partner 10 back in the window
        Assert.Equal(12, secondary["4a-lag-epoch"].Units); // the base run's one segment φ_0 → φ_40 ending in the second epoch
        Assert.All(secondary["4a-lag-epoch"].Runs, r => Assert.StartsWith("sgd-lr0.1-b100-", r));
        Assert.Equal(0, secondary["4a-lag-8-epochs"].Seeds); // not measured: the runs are two epochs long and there is no horizon
        Assert.Equal(passOver, secondary["4a-pass-over"].Verdict);
        Assert.DoesNotContain(outcome.Claims.SelectMany(c => c.Tests), t => t.Id.StartsWith("4a-", StringComparison.Ordinal));
    }

    /// <summary>
    /// 4a-lag-8-epochs reads the horizon run at η when two of its phases lie eight epochs apart (epochs 2 and 10 of 20, 40
    /// steps per epoch): of its segments φ_{t−320} → φ_t joining epoch 2 to epoch 10, the one ending on the grid, at step
    /// 40 + 320 = 360, per seed (the others share stretches of the floor with it); the base run does not carry the lag. A
    /// horizon whose phases do not pair up (epochs 2, 3 and 6), or a folder whose design predates the lag, leaves the
    /// secondary without values.
    /// </summary>
    [Fact]
    public void The_long_lag_secondary_reads_the_horizon_run_between_phases_eight_epochs_apart()
    {
        using var folder = new ClaimsFolder(Paper with { FloorBarrier = _ => 1, BumpSize = 0.5 }, horizon: true, horizonEpochs: 20);
        Assert.Equal([2, 10, 20], folder.Design.PhaseEpochs);
        Assert.Equal([1, 10, 40, 320], folder.Design.FloorLags);
        var lag = ClaimsEvaluation.Evaluate(folder.Path).Secondary.Single(t => t.Id == "4a-lag-8-epochs");
        Assert.Equal((12, 12L), (lag.Seeds, lag.Units));
        Assert.Equal(1, lag.Estimate, 6); // every segment carries a bump of 0.5, far above 0.05 × the median height
        Assert.All(lag.Runs, r => Assert.StartsWith("horizon-sgd-lr0.1-b100-", r));
        Assert.Contains("the horizon run at η", lag.Statistic);

        using var unpaired = new ClaimsFolder(Paper, horizon: true);
        Assert.Equal(0, ClaimsEvaluation.Evaluate(unpaired.Path).Secondary.Single(t => t.Id == "4a-lag-8-epochs").Seeds);
        using var older = new ClaimsFolder(Paper, horizon: true, horizonEpochs: 20, longLag: false);
        Assert.Equal([1, 10, 40], older.Design.FloorLags);
        var none = ClaimsEvaluation.Evaluate(older.Path).Secondary.Single(t => t.Id == "4a-lag-8-epochs");
        Assert.Equal((0, Verdict.Underpowered), (none.Seeds, none.Verdict));
        Assert.Contains("horizon-sgd-lr0.1-b100-s1111: 0 measured value(s)", none.Reason);
    }

    /// <summary>
    /// The claims plan has its runs profile a floor lag k only on a grid (--floor-lag-origin at the second epoch's first
    /// step t₂: segments ending at t₂ + jk, j ≥ 0). A folder whose runs profiled every recorded pair k apart, and the same
    /// folder cut back to that grid, give claim 4a's family and the valley control the same numbers: no test reads a
    /// segment off the grid.
    /// </summary>
    [Fact]
    public void Claim_4a_reads_the_same_values_from_runs_that_profiled_only_the_grid()
    {
        using var folder = new ClaimsFolder(Paper with { FloorBarrier = Bernoulli(0.3), BumpSize = 0.5, Valley = new ValleyWorld() }, horizon: true, horizonEpochs: 20);
        static IEnumerable<string> Family(ClaimsOutcome outcome) =>
            outcome.Claims.SelectMany(c => c.Tests).Concat(outcome.Secondary).Concat(outcome.Controls.Select(c => c.Test))
                .Where(t => t.Id.StartsWith("4a", StringComparison.Ordinal))
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Id}: {t.Estimate:R} [{t.Low:R}, {t.High:R}], {t.Units} units, {t.Seeds} seeds, {t.Verdict}"));
        var every = Family(ClaimsEvaluation.Evaluate(folder.Path)).ToList();

        int dropped = 0;
        foreach (string run in Directory.GetDirectories(folder.Path).Where(d => File.Exists(Path.Combine(d, "profiles.csv"))))
        {
            var steps = CsvTable.Read(Path.Combine(run, "steps.csv"));
            int second = (int)steps.Numbers(Columns.Step)[Array.FindIndex(steps.Numbers(Columns.Epoch), e => e >= 2)];
            string profiles = Path.Combine(run, "profiles.csv");
            var lines = File.ReadAllLines(profiles);
            bool OnGrid(string line)
            {
                string[] cells = line.Split(',');
                if (!cells[1].StartsWith(Columns.FloorPathViewPrefix, StringComparison.Ordinal)) return true;
                int t = int.Parse(cells[0], CultureInfo.InvariantCulture), k = int.Parse(cells[1][Columns.FloorPathViewPrefix.Length..], CultureInfo.InvariantCulture);
                return t >= second && (t - second) % k == 0;
            }
            var kept = lines.Take(1).Concat(lines.Skip(1).Where(OnGrid)).ToArray();
            dropped += lines.Length - kept.Length;
            File.WriteAllLines(profiles, kept);
        }
        Assert.True(dropped > 0, "the folder held segments off the grid (the horizon's overlapping 8-epoch ones, the valley's first epoch)");
        var grid = Family(ClaimsEvaluation.Evaluate(folder.Path)).ToList();
        Assert.Equal(["4a", "4a-lag1", "4a-lag10", "4a-lag-epoch", "4a-lag-8-epochs", "4a-pass-over", "4a", "4a"], every.Select(t => t.Split(':')[0]));
        Assert.Equal(every, grid);
    }

    /// <summary>
    /// The horizon: claims 1, 2, 5 and 6a read again in epochs 2, 3 and 6 of the long runs. When interior floors are
    /// common in every epoch, claim 1 holds in all three phases (most of training); when they vanish after epoch 2, it
    /// holds early only and says it is NOT shown for most of training, while its two-epoch verdict stays.
    /// </summary>
    [Theory]
    [InlineData(false, 3, "holds for most of training")]
    [InlineData(true, 1, "NOT shown for most of training")]
    public void The_horizon_says_in_how_many_phases_a_claim_holds(bool earlyOnly, int supportedPhases, string most)
    {
        using var folder = new ClaimsFolder(Paper with { LateInterior = earlyOnly ? Bernoulli(0.1) : null }, horizon: true);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.Equal([1, 2, 5, 6], outcome.Horizon.Select(h => h.Claim));
        var phases = outcome.Horizon.Single(h => h.Claim == 1).Tests;
        Assert.Equal(["1-early", "1-middle", "1-late"], phases.Select(t => t.Id));
        Assert.All(phases, t => Assert.All(t.Runs, r => Assert.StartsWith("horizon-sgd-", r)));
        Assert.Equal(supportedPhases, phases.Count(t => t.Verdict == Verdict.Supported));
        var claim = outcome.Claims.Single(c => c.Claim == 1);
        Assert.Equal(Verdict.Supported, claim.Verdict); // the two-epoch runs are unchanged
        Assert.Contains($"supported in {supportedPhases} of 3 phases", claim.Horizon);
        Assert.EndsWith(most, claim.Horizon);
        Assert.Null(outcome.Claims.Single(c => c.Claim == 3).Horizon);
        // Claim 2's phases read the three learning rates' horizon runs.
        Assert.Equal(Verdict.Supported, outcome.Horizon.Single(h => h.Claim == 2).Tests[0].Verdict);
    }

    [Fact]
    public void Without_a_horizon_no_phase_is_tested_and_no_claim_says_so()
    {
        using var folder = new ClaimsFolder(Paper);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.Empty(outcome.Horizon);
        Assert.All(outcome.Claims, c => Assert.Null(c.Horizon));
    }

    /// <summary>3a's secondaries read the angle and the function-space distance from θ₀ at the end (epochs.csv): they fall with B as the L2 distance does here.</summary>
    [Fact]
    public void The_angular_and_function_space_distances_are_secondaries_of_3a()
    {
        using var folder = new ClaimsFolder(Paper);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var secondary = outcome.Secondary.ToDictionary(t => t.Id);
        Assert.Equal(Verdict.Supported, secondary["3a-angle"].Verdict);
        Assert.Equal(-0.5, secondary["3a-angle"].Estimate, 1); // distance ∝ B^−½ in this world
        Assert.Equal(Verdict.Supported, secondary["3a-function"].Verdict);
        Assert.Equal(12, secondary["3a-function"].Seeds);
        Assert.DoesNotContain(outcome.Claims.SelectMany(c => c.Tests), t => t.Id.StartsWith("3a-", StringComparison.Ordinal));
    }

    /// <summary>A barrier must exceed a twentieth of the run's median height (pre-stated): smaller bumps are not counted, larger ones are.</summary>
    [Theory]
    [InlineData(0.04, Verdict.Supported)] // below 0.05 × the base's height of 1: no step crosses, 6a ("rarely") supported
    [InlineData(0.06, Verdict.Contradicted)] // above it: 70 % of the steps cross
    public void A_barrier_is_counted_only_above_the_pre_stated_share_of_the_height(double size, Verdict expected)
    {
        using var folder = new ClaimsFolder(Paper with { Height = (lr, _, _) => 10 * lr, Bump = Bernoulli(0.7), FloorBarrier = Bernoulli(0.7), BumpSize = size });
        var tests = ClaimsEvaluation.Evaluate(folder.Path).Claims.SelectMany(c => c.Tests).ToDictionary(t => t.Id);
        Assert.Equal(expected, tests["6a"].Verdict);
        Assert.Equal(expected == Verdict.Supported ? 0 : 1, tests["4a"].Estimate, 1); // 70 % of the segments: nearly every window of 10
    }

    [Fact]
    public void Fewer_than_the_minimum_seeds_are_underpowered_and_say_why()
    {
        using var folder = new ClaimsFolder(Paper, seeds: ClaimTest.MinimumSeeds - 1);
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.All(outcome.Claims.SelectMany(c => c.Tests), t =>
        {
            Assert.Equal(Verdict.Underpowered, t.Verdict);
            Assert.StartsWith($"underpowered (needs ≥ {ClaimTest.MinimumSeeds} seeds with every run measured, has {ClaimTest.MinimumSeeds - 1})", t.Reason);
        });
        Assert.All(outcome.Claims, c => Assert.Equal(Verdict.Underpowered, c.Verdict));
    }

    [Fact]
    public void A_missing_run_costs_only_the_tests_that_read_it()
    {
        using var folder = new ClaimsFolder(Paper);
        foreach (long seed in folder.Design.Seeds.Take(3))
            Directory.Delete(Path.Combine(folder.Path, $"floor-sgd-lr0.1-b100-s{seed}"), recursive: true);
        var tests = ClaimsEvaluation.Evaluate(folder.Path).Claims.SelectMany(c => c.Tests).ToDictionary(t => t.Id);
        Assert.Equal(Verdict.Underpowered, tests["4b"].Verdict);
        Assert.Contains("floor-sgd seed 1112: no run", tests["4b"].Reason);
        Assert.Equal(Verdict.Supported, tests["1"].Verdict);
    }

    /// <summary>Finding 21.4: a foreign run copied in, or a planned run replaced by one with other options, is named and left out.</summary>
    [Fact]
    public void Runs_whose_options_differ_from_the_plan_are_left_out_and_named()
    {
        using var folder = new ClaimsFolder(Paper);
        var manifestPath = new RunFolder(Path.Combine(folder.Path, "sgd-lr0.1-b100-s1111")).Manifest;
        var manifest = RunManifest.Read(manifestPath);
        // A run of another model in the planned run's place, and a copy of a planned run under a name the plan does not have.
        CopyFolder(Path.Combine(folder.Path, "sgd-lr0.1-b100-s1112"), Path.Combine(folder.Path, "foreign-run"));
        manifest.Options["model"] = "small-cnn";
        manifest.Options["threads"] = 7; // incidental: not a reason to leave a run out
        manifest.Write(manifestPath);

        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.Equal(2, outcome.LeftOut.Count);
        Assert.Contains(outcome.LeftOut, l => l.StartsWith("run foreign-run left out: not a run of the plan", StringComparison.Ordinal));
        Assert.Contains(outcome.LeftOut, l => l == "run sgd-lr0.1-b100-s1111 left out: options differ from the plan (model \"small-cnn\", planned \"mlp\")");
        var interior = outcome.Claims.Single(c => c.Claim == 1).Tests.Single();
        Assert.Equal(ClaimTest.DefaultSeeds - 1, interior.Seeds);
        Assert.DoesNotContain("sgd-lr0.1-b100-s1111", interior.Runs);
        Assert.DoesNotContain("foreign-run", outcome.Claims.SelectMany(c => c.Tests).SelectMany(t => t.Runs));
    }

    /// <summary>Finding 21.14: a claims folder can grow its seeds; any other change to the design is refused and named.</summary>
    [Fact]
    public void A_control_that_comes_out_supported_marks_the_claims_it_undermines()
    {
        using var passing = new ClaimsFolder(Paper);
        var ok = ClaimsEvaluation.Evaluate(passing.Path);
        Assert.Equal(["tiny learning rate, test 1", "tiny learning rate, test 5", "random direction, test 1"], ok.Controls.Select(k => k.Name));
        Assert.All(ok.Controls, k => Assert.Equal(ControlOutcome.Passed, k.Outcome));
        Assert.All(ok.Claims, c => Assert.Null(c.UnderminedBy));
        Assert.Equal(Verdict.Supported, ok.Claims.Single(c => c.Claim == 1).Verdict);

        // Tests that would say "supported" whatever the learning rate: the tiny-learning-rate arm catches them.
        using var failing = new ClaimsFolder(Paper with { ControlInterior = _ => 1, ControlCosine = _ => -0.3, RandomInterior = Bernoulli(0.9) });
        var bad = ClaimsEvaluation.Evaluate(failing.Path);
        Assert.All(bad.Controls, k => Assert.Equal(ControlOutcome.Failed, k.Outcome));
        Assert.Contains("control 'tiny learning rate, test 1' failed", bad.Claims.Single(c => c.Claim == 1).UnderminedBy);
        // Interior floors along random directions of the step's length too: test 1 finds valleys everywhere.
        Assert.Contains("control 'random direction, test 1' failed", bad.Claims.Single(c => c.Claim == 1).UnderminedBy);
        Assert.Contains("control 'tiny learning rate, test 5' failed", bad.Claims.Single(c => c.Claim == 5).UnderminedBy);
        Assert.Null(bad.Claims.Single(c => c.Claim == 2).UnderminedBy);
        Assert.Contains("\"controls\"", bad.ToJson());

        // Without its runs a control is not measured and undermines nothing.
        foreach (var run in Directory.EnumerateDirectories(failing.Path, "sgd-lr0.001-*")) Directory.Delete(run, recursive: true);
        var missing = ClaimsEvaluation.Evaluate(failing.Path);
        Assert.All(missing.Controls.Where(k => k.Name.StartsWith("tiny", StringComparison.Ordinal)), k => Assert.Equal(ControlOutcome.NotMeasured, k.Outcome));
        Assert.Null(missing.Claims.Single(c => c.Claim == 5).UnderminedBy);
        // A folder written before the random-direction control (no random_ columns): not measured either.
        using var older = new ClaimsFolder(Paper with { RandomInterior = _ => double.NaN });
        var before = ClaimsEvaluation.Evaluate(older.Path);
        Assert.Equal(ControlOutcome.NotMeasured, before.Controls.Single(k => k.Name == "random direction, test 1").Outcome);
        Assert.All(before.Claims, c => Assert.Null(c.UnderminedBy));
    }

    /// <summary>
    /// The corrugated-valley positive control (issue 22.3): on the corrugated valley test 4a must come out supported and
    /// floor-sgd must stall; on the flat one neither. Each way round it fails when the measurements say the opposite, and a
    /// failure marks claim 4. Its runs never enter the claims' own tests.
    /// </summary>
    [Fact]
    public void The_valley_control_must_find_the_barriers_that_are_there_and_none_that_are_not()
    {
        string[] names = ["corrugated valley, test 4a", "corrugated valley, floor-sgd stalls", "flat valley, test 4a", "flat valley, floor-sgd stalls"];
        using var passing = new ClaimsFolder(Paper with { Valley = new ValleyWorld() });
        var ok = ClaimsEvaluation.Evaluate(passing.Path);
        var valley = ok.Controls.Where(k => k.Name.Contains("valley", StringComparison.Ordinal)).ToList();
        Assert.Equal(names, valley.Select(k => k.Name));
        Assert.All(valley, k => Assert.Equal(ControlOutcome.Passed, k.Outcome));
        Assert.Equal([ControlExpectation.Supported, ControlExpectation.Supported, ControlExpectation.NotSupported, ControlExpectation.NotSupported],
            valley.Select(k => k.Expects));
        // The flat valley's 4a has 12 seeds × 5 chained windows, short of the 368 that "below 1 %" needs: underpowered, not supported.
        Assert.Equal([Verdict.Supported, Verdict.Supported, Verdict.Underpowered, Verdict.Contradicted], valley.Select(k => k.Test.Verdict));
        Assert.All(valley, k => Assert.Equal(ClaimTest.DefaultSeeds, k.Test.Seeds));
        Assert.Null(ok.Claims.Single(c => c.Claim == 4).UnderminedBy);
        // The valley's runs (same optimizers, other model) are read by the control only.
        Assert.DoesNotContain(ok.Claims.SelectMany(c => c.Tests).SelectMany(t => t.Runs), r => r.StartsWith("control-valley", StringComparison.Ordinal));
        using var without = new ClaimsFolder(Paper);
        Assert.Equal(ClaimsEvaluation.Evaluate(without.Path).Claims.SelectMany(c => c.Tests).Select(t => (t.Id, t.Estimate)),
            ok.Claims.SelectMany(c => c.Tests).Select(t => (t.Id, t.Estimate)));
        Assert.Contains("| corrugated valley, test 4a | positive |", ClaimsReport.RenderMarkdown(ok));

        // A floor-barrier test blind to barriers, and a floor-sgd that walks over them: the corrugated half fails.
        using var blind = new ClaimsFolder(Paper with { Valley = new ValleyWorld { FloorBarrier = _ => _ => 0, FloorSgdFactor = _ => 1 } });
        var missed = ClaimsEvaluation.Evaluate(blind.Path);
        Assert.Equal([ControlOutcome.Failed, ControlOutcome.Failed, ControlOutcome.Passed, ControlOutcome.Passed],
            missed.Controls.Where(k => k.Name.Contains("valley", StringComparison.Ordinal)).Select(k => k.Outcome));
        Assert.Contains("control 'corrugated valley, test 4a' failed: test 4a (the valley floor has barriers) must come out supported",
            missed.Claims.Single(c => c.Claim == 4).UnderminedBy);
        // Barriers on a straight floor, and a floor-sgd that stalls on it: the flat half fails.
        using var seeing = new ClaimsFolder(Paper with { Valley = new ValleyWorld { FloorBarrier = _ => Bernoulli(0.5), FloorSgdFactor = _ => 0.05 } });
        var phantom = ClaimsEvaluation.Evaluate(seeing.Path);
        Assert.Equal([ControlOutcome.Passed, ControlOutcome.Passed, ControlOutcome.Failed, ControlOutcome.Failed],
            phantom.Controls.Where(k => k.Name.Contains("valley", StringComparison.Ordinal)).Select(k => k.Outcome));
        Assert.Contains("control 'flat valley, floor-sgd stalls' failed", phantom.Claims.Single(c => c.Claim == 4).UnderminedBy);
        Assert.All(phantom.Claims.Where(c => c.Claim != 4), c => Assert.Null(c.UnderminedBy));

        // Without its runs (a folder from before the control, or runs lost) it is not measured and undermines nothing.
        foreach (var run in Directory.EnumerateDirectories(seeing.Path, "control-valley-*")) Directory.Delete(run, recursive: true);
        var lost = ClaimsEvaluation.Evaluate(seeing.Path);
        Assert.All(lost.Controls.Where(k => k.Name.Contains("valley", StringComparison.Ordinal)), k => Assert.Equal(ControlOutcome.NotMeasured, k.Outcome));
        Assert.Null(lost.Claims.Single(c => c.Claim == 4).UnderminedBy);
        Assert.DoesNotContain(ClaimsEvaluation.Evaluate(without.Path).Controls, k => k.Name.Contains("valley", StringComparison.Ordinal));
    }

    [Fact]
    public void A_design_may_grow_its_seeds_and_nothing_else()
    {
        using var folder = new ClaimsFolder(Paper, seeds: ClaimTest.MinimumSeeds);
        var more = folder.Design with { Seeds = [.. Enumerable.Range(0, 15).Select(i => 1111L + i)] };
        more.WriteOrCheck(folder.Path);
        Assert.Equal(more.Seeds, ClaimsDesign.Read(Path.Combine(folder.Path, ClaimsDesign.FileName)).Seeds);
        folder.Design.WriteOrCheck(folder.Path); // asking for fewer seeds keeps the folder's 15
        Assert.Equal(15, ClaimsDesign.Read(Path.Combine(folder.Path, ClaimsDesign.FileName)).Seeds.Count);
        var error = Assert.Throws<IOException>(() => (more with { BatchSize = 50 }).WriteOrCheck(folder.Path));
        Assert.Contains("describes a different claims design (batch_size 100 there, 50 asked)", error.Message);
        Assert.Equal(15, ClaimsDesign.Read(Path.Combine(folder.Path, ClaimsDesign.FileName)).Seeds.Count);
        // A folder written before the design knew its recorded steps (0 = unknown) grows too, and learns the count.
        (more with { RecordedSteps = 40 }).WriteOrCheck(folder.Path);
        Assert.Equal(40, ClaimsDesign.Read(Path.Combine(folder.Path, ClaimsDesign.FileName)).RecordedSteps);
        Assert.Throws<IOException>(() => (more with { RecordedSteps = 41 }).WriteOrCheck(folder.Path));
    }

    /// <summary>
    /// 6b decides on the alignment probe of the base run; the biased S_t/λ_max is reported as a labelled secondary and
    /// never decides, even when it points the other way (as its self-curvature bias makes it at small batches).
    /// </summary>
    [Fact]
    public void The_curvature_ratio_is_a_labelled_secondary_that_does_not_decide_6b()
    {
        using var folder = new ClaimsFolder(Paper with { CurvatureRatio = (batch, _, r) => (batch > 100 ? 0.1 : 0.5) * (1 + (0.1 * Normal(r))) });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var claim = outcome.Claims.Single(c => c.Claim == 6);
        var alignment = claim.Tests.Single(t => t.Id == "6b");
        Assert.Equal(Verdict.Supported, alignment.Verdict);
        Assert.All(alignment.SeedValues, v => Assert.InRange(v.Value, Math.Log(5) - 0.3, Math.Log(5) + 0.3)); // 0.5 / 0.1 in every seed
        Assert.Equal(ClaimTest.DefaultSeeds, alignment.Points.Count); // one run per seed: the base run
        Assert.Equal(Verdict.Supported, claim.Verdict);
        Assert.Equal(["3a-angle", "3a-function", "3b-secondary", "4a-lag1", "4a-lag10", "4a-lag-epoch", "4a-lag-8-epochs", "4a-pass-over", "4b-secondary",
            "4b-matched", "4b-stall", "4c-gap", "4c-sharpness", "4c-trace", "4c-steps", "4c-epochs", "6b-secondary"],
            outcome.Secondary.Select(t => t.Id));
        var secondary = outcome.Secondary.Single(t => t.Id == "6b-secondary");
        Assert.Equal(Verdict.Contradicted, secondary.Verdict);
        Assert.Contains("self-curvature", secondary.Title);
        Assert.DoesNotContain(claim.Tests, t => t.Id == secondary.Id);
    }

    /// <summary>
    /// The training guard: an SGD run whose training loss did not fall by 25 % is left out of the tests that read it and
    /// named in their reason; floor-sgd runs and the controls' tiny-learning-rate runs are never left out.
    /// </summary>
    [Fact]
    public void Runs_that_did_not_train_are_left_out_and_named()
    {
        // The pair run (η 0.4, batch 400) of the first seed stays at its starting loss; so do floor-sgd and the control arm everywhere.
        using var folder = new ClaimsFolder(Paper with { DidNotTrain = (lr, batch, optimizer, s) => (lr == 0.4 && s == 0) || optimizer == "floor-sgd" || lr == 0.001 });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var pair = outcome.Claims.SelectMany(c => c.Tests).Single(t => t.Id == "3b");
        Assert.Equal(ClaimTest.DefaultSeeds - 1, pair.SeedValues.Count);
        Assert.Contains("left out as not trained (1): sgd-lr0.4-b400-s1111 did not train", pair.Reason);
        Assert.Equal(Verdict.Supported, pair.Verdict);
        var floor = outcome.Claims.SelectMany(c => c.Tests).Single(t => t.Id == "4b");
        Assert.Equal(ClaimTest.DefaultSeeds, floor.SeedValues.Count);
        Assert.DoesNotContain("not trained", floor.Reason);
        Assert.All(outcome.Controls, c => Assert.Equal(ControlOutcome.Passed, c.Outcome));

        // Three seeds out leave 3b with fewer seeds than a verdict needs: underpowered, and still named.
        using var worse = new ClaimsFolder(Paper with { DidNotTrain = (lr, _, _, s) => lr == 0.4 && s < 3 });
        var thin = ClaimsEvaluation.Evaluate(worse.Path).Claims.SelectMany(c => c.Tests).Single(t => t.Id == "3b");
        Assert.Equal(Verdict.Underpowered, thin.Verdict);
        Assert.Contains("left out as not trained (3)", thin.Reason);
    }

    /// <summary>Claim 2 says, per learning rate, how many floors were interior (a height at the α = 1 edge is only the step's descent).</summary>
    [Fact]
    public void The_height_test_reports_the_share_of_interior_floors_per_learning_rate()
    {
        using var folder = new ClaimsFolder(Paper with { Interior = _ => 1, ControlInterior = _ => 0 });
        var height = ClaimsEvaluation.Evaluate(folder.Path).Claims.SelectMany(c => c.Tests).Single(t => t.Id == "2");
        Assert.Contains("interior floors (probe view, after the first epoch): η = 0.05 100 %, η = 0.1 100 %, η = 0.2 100 %", height.Reason);
        using var edge = new ClaimsFolder(Paper with { Interior = _ => 0 });
        Assert.Contains("η = 0.05 0 %, η = 0.1 0 %, η = 0.2 0 %", ClaimsEvaluation.Evaluate(edge.Path).Claims.SelectMany(c => c.Tests).Single(t => t.Id == "2").Reason);
    }

    /// <summary>docs/claims.md lists every test with the bounds the code uses, word for word.</summary>
    [Fact]
    public void The_claims_page_documents_every_test_with_its_bounds()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "claims.md"));
        Assert.All(PaperClaims.Tests, t =>
        {
            string row = readme.Split('\n').FirstOrDefault(l => l.StartsWith($"| {t.Id} |", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"docs/claims.md has no row '| {t.Id} |'");
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

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
