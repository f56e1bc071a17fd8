using System.Globalization;
using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>
/// The six claims of "A Walk with SGD" (../shared/paper-digest.md) and the pre-stated tests of each, one primary
/// statistic per test reduced to one number per seed. The tests of a claim are Holm-adjusted together
/// (<see cref="ClaimsEvaluation.Combine"/>); docs/claims.md documents every bound and why.
/// </summary>
public static class PaperClaims
{
    public static IReadOnlyList<(int Number, string Statement)> Statements { get; } =
    [
        (1, "For most of training, the loss along each step is roughly convex with its minimum strictly inside: SGD bounces between valley walls above the floor."),
        (2, "The learning rate mainly sets the height above the valley floor (larger learning rate, higher)."),
        (3, "The batch size sets the exploration (smaller batch, farther from the initialisation); equal LR/batch ratios do not give equal dynamics."),
        (4, "The valley floor has barriers; travelling above it lets SGD move far from the initialisation and reach regions that generalise better."),
        (5, "Consecutive mini-batch gradients tend to point against each other (negative cosine)."),
        (6, "Mini-batch SGD rarely crosses barriers; large-batch gradients align more with the top Hessian eigenvectors than small-batch ones."),
    ];

    /// <summary>Every test, in order; claims 3, 4 and 6 have several parts.</summary>
    public static IReadOnlyList<ClaimTest> Tests { get; } =
    [
        new InteriorFloors(), new HeightByLearningRate(), new LearningRateOverRisingBatchEffect(), new LearningRateOverFallingBatchEffect(),
        new DistanceByBatchSize(), new DistanceByBatchSizeAtEqualSteps(), new EqualRatioDynamics(), new EqualRatioDynamicsHalf(),
        new FloorBarriers(), new FloorSgdDistance(), new FloorSgdGeneralisation(), new HeightDoseResponse(), new OpposingGradients(),
        new BarrierCrossings(), new LargeBatchAlignment(),
    ];

    /// <summary>
    /// Tests reported next to a claim's verdict but never deciding it (not in Holm's family): labelled secondaries kept
    /// for comparison, each stating its known bias.
    /// </summary>
    public static IReadOnlyList<ClaimTest> Secondary { get; } =
    [
        new DistanceByBatchSizeIn("3a-angle", Columns.AngleFromInit, "the mean per-tensor angle from θ₀ (radians)"),
        new DistanceByBatchSizeIn("3a-function", Columns.DisagreementWithInit, "the share of validation images classified unlike θ₀"),
        new EqualRatioDistance(),
        new StraightFloorBarriers("4a-lag1", "1 step", "floor-chain run", PaperClaims.Chain, _ => 1),
        new StraightFloorBarriers("4a-lag10", $"{ClaimsDesign.ChainLinks} steps", "floor-chain run", PaperClaims.Chain, _ => ClaimsDesign.ChainLinks),
        // An epoch shorter than the chain's window (--quick with more epochs) is the chain's lag (ChainStart + 1 is the epoch's length).
        new StraightFloorBarriers("4a-lag-epoch", "one epoch", "the base run, or the floor-chain run when an epoch fits in its window",
            d => d.OnChain(d.ChainStart + 1) ? PaperClaims.Chain(d) : PaperClaims.Base(d), epoch => epoch),
        // Measured where floor points lie that far apart: the horizon run at η when its phases pair up, else the base run.
        new StraightFloorBarriers($"4a-lag-{ClaimsDesign.LongLagEpochs}-epochs", $"{ClaimsDesign.LongLagEpochs} epochs",
            $"the horizon run at η when two of its phases lie {ClaimsDesign.LongLagEpochs} epochs apart, else the base run",
            d => PaperClaims.Base(d) with { Horizon = d.LongLagOnHorizon() }, epoch => ClaimsDesign.LongLagEpochs * epoch),
        new BarrierPassOver(),
        new FloorSgdPathEfficiency(),
        new MatchedRateDistance(),
        // Does floor-sgd stall on the network as on the corrugated valley (the positive control's own measure)? Its SGD arm
        // is the floor-chain run, the base trajectory again.
        new FloorSgdStall(),
        new FloorSgdGapAtTarget(), new FloorSgdCurvatureAtTarget("4c-sharpness", "λ_max", c => c.LambdaMax),
        new FloorSgdCurvatureAtTarget("4c-trace", "the trace", c => c.Trace), new FloorSgdStepsToTarget(), new FloorSgdGeneralisationAtEqualEpochs(),
        new LargeBatchCurvatureRatio(),
    ];

    /// <summary>
    /// The pre-stated smallest barrier, as a share of the run's median height above the floor (after the first epoch): a
    /// bump below a twentieth of how high SGD walks is not a barrier the walk could notice, whatever float noise allows.
    /// </summary>
    public const double BarrierShareOfHeight = 0.05;

    /// <summary>
    /// A step or floor segment crosses a barrier when its bump exceeds <see cref="BarrierShareOfHeight"/> of the run's
    /// median height, and the float tolerance of <see cref="BarrierStatistics"/> (1e-5·max(1, f(0))).
    /// </summary>
    public static bool Crosses(double bump, double lossAtStart, double medianHeight) =>
        bump > BarrierStatistics.RelativeTolerance * Math.Max(1, Math.Abs(double.IsNaN(lossAtStart) ? 1 : lossAtStart))
        && !(bump <= BarrierShareOfHeight * medianHeight);

    /// <summary>A run's median height above the floor on the probe view after the first epoch (NaN when not profiled).</summary>
    internal static double MedianHeight(ClaimRun run) =>
        run.AfterFirstEpoch(ViewColumns.Probe(Columns.Height)) is { Length: > 0 } h ? Statistics.Median(h) : double.NaN;

    internal static Role Base(ClaimsDesign d, string optimizer = "sgd") =>
        new(optimizer == "sgd" ? "SGD" : optimizer, 0, d.LearningRate, d.BatchSize, optimizer);

    /// <summary>The floor-chain run of the base setting (claim 4a).</summary>
    internal static Role Chain(ClaimsDesign d) => new("SGD, floor chain", 0, d.LearningRate, d.BatchSize, FloorChain: true);

    /// <summary>
    /// A stretch of the chained floor path: <see cref="ClaimsDesign.ChainLinks"/> consecutive one-step segments, its
    /// ends' losses, its highest point and SGD's loss at the iterates whose floors are its ends.
    /// </summary>
    internal sealed record ChainWindow(double Start, double End, double Top, double IterateAtStart, double IterateAtEnd)
    {
        public double Bump => Top - Math.Max(Start, End);
    }

    /// <summary>The run's chained floor windows after the first epoch, in order, without overlap (a gap in the steps starts a new window).</summary>
    internal static IEnumerable<ChainWindow> ChainWindows(ClaimRun run)
    {
        var window = new List<FloorLink>();
        foreach (var link in run.FloorLinks(1))
        {
            if (window.Count > 0 && link.Step != window[^1].Step + 1) window.Clear();
            window.Add(link);
            if (window.Count < ClaimsDesign.ChainLinks) continue;
            yield return new ChainWindow(window[0].Start, window[^1].End, window.Max(l => l.Top), window[0].IterateAtStart, window[^1].IterateAtEnd);
            window.Clear();
        }
    }

    /// <summary>ln(first arm's run summary / second arm's) within a seed.</summary>
    internal static double LogRatio(ClaimTest test, SeedSample s) =>
        Math.Log(test.Summarise(s.Series[0].Values) / test.Summarise(s.Series[1].Values));

    /// <summary>The least-squares slope of ln(run summary) on ln(x) over a seed's runs (one per level).</summary>
    internal static double LogLogSlope(ClaimTest test, SeedSample s) =>
        ClaimTest.Slope(s.Series.Select(x => Math.Log(x.X)).ToList(), s.Series.Select(x => Math.Log(test.Summarise(x.Values))).ToList());
}

internal static class ViewColumns
{
    public static string Probe(string suffix) => Columns.OfView(Columns.ProbeView, suffix);
}


/// <summary>
/// Claim 1: per seed, the share of recorded steps whose probe-view profile is roughly convex with an interior floor.
/// <paramref name="view"/> is the profile's column prefix: the step's (probe), or the random-direction control's (random).
/// </summary>
public sealed class InteriorFloors(string view = Columns.ProbeView) : ClaimTest
{
    public override string ValueLabel => "share of steps with an interior, roughly convex floor";
    public override string SeedValueLabel => "the seed's share of steps with an interior floor";
    public override string Id => "1";
    public override string Title => "steps with an interior floor";
    public override TestKind Kind => TestKind.Share;
    public override string Statistic =>
        "per seed, the share of recorded steps after the first epoch (base setting, probe view) whose profile has an interior floor and nonconvexity ≤ 0.05";
    public override string ShortName => "the mean share";
    public override double SupportBound => 0.5;
    public override double ContradictBound => 0.5;
    public override string Why => "\"for most of training\": more than half of the steps; fewer than half contradicts it";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run) =>
        run.AfterFirstEpoch(Columns.OfView(view, Columns.Interior), Columns.OfView(view, Columns.Nonconvexity))
            .Select(p => p.Value == 1 && p.Other <= Columns.RoughlyConvexThreshold ? 1.0 : 0.0).ToArray();

    public override double Summarise(double[] values) => Mean(values);
    public override double PerSeed(SeedSample s) => Mean(s.Series[0].Values);
}

/// <summary>Claim 2: per seed, the slope of ln(median height) on ln(learning rate).</summary>
public sealed class HeightByLearningRate : ClaimTest
{
    public override string ValueLabel => "median height above the floor (nats)";
    public override string SeedValueLabel => "the seed's slope of ln height on ln η";
    public override string Id => "2";
    public override string Title => "height rises with the learning rate";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        "per seed, the least-squares slope of ln(median height f(0) − floor) on ln η over the learning rates (base batch size, probe view, " +
        "recorded steps after the first epoch)";
    public override string ShortName => "the mean slope";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why =>
        "\"the learning rate sets the height\": height rises with η (a direction, so 0 both ways); \"mainly\" is 2b and 2c, which vary the batch size too";
    public override int MinimumValues => 3;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
        d.LearningRates.Select(lr => new Role($"η = {Format(lr)}", lr, lr, d.BatchSize)).ToList();

    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(ViewColumns.Probe(Columns.Height));
    public override double PerSeed(SeedSample s) => PaperClaims.LogLogSlope(this, s);

    /// <summary>The pooled share of interior floors per η: a height at the α = 1 edge is the step's descent, not a height above a floor.</summary>
    public override string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used) => used.Count == 0 ? null :
        "interior floors (probe view, after the first epoch): " + string.Join(", ", used.GroupBy(u => u.Role.Label).Select(g =>
        {
            var interior = g.SelectMany(u => u.Run.AfterFirstEpoch(ViewColumns.Probe(Columns.Interior))).ToList();
            return interior.Count == 0 ? $"{g.Key} n/a" : string.Create(CultureInfo.InvariantCulture, $"{g.Key} {interior.Average(v => v == 1 ? 1.0 : 0.0):P0}");
        }));
}

/// <summary>
/// Claim 2, "mainly": the height's elasticity in η must exceed its elasticity in B in size, b_η &gt; |b_B|. The direction
/// of a batch-size effect on the height is not stated, so the claim is the intersection of two signed one-sided
/// statements, b_η − b_B &gt; 0 (<see cref="LearningRateOverRisingBatchEffect"/>) and b_η + b_B &gt; 0
/// (<see cref="LearningRateOverFallingBatchEffect"/>): each per-seed value is a linear combination of two within-seed
/// least-squares slopes, so it carries no |·| bias, and "mainly" needs both (intersection–union), while either one
/// contradicted says the batch size moves the height at least as much as η does. Roles: the learning rates at the base
/// batch size, then the batch sizes at the base learning rate (the base run is in both).
/// </summary>
public abstract class LearningRateOverBatchEffect : ClaimTest
{
    /// <summary>+1: b_η − b_B (a batch effect that raises the height); −1: b_η + b_B (one that lowers it).</summary>
    protected abstract int BatchSign { get; }

    public override string ValueLabel => "median height above the floor (nats)";
    public override string SeedValueLabel => BatchSign > 0 ? "the seed's b_η − b_B (slopes of ln height)" : "the seed's b_η + b_B (slopes of ln height)";
    public override string Title => BatchSign > 0
        ? "η moves the height more than B (if B raises it)"
        : "η moves the height more than B (if B lowers it)";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        $"per seed, b_η {(BatchSign > 0 ? "−" : "+")} b_B, where b_η is the least-squares slope of ln(median height f(0) − floor) on ln η over the " +
        "learning rates at the base batch size and b_B the slope on ln B over the batch sizes at the base learning rate (probe view, recorded " +
        "steps after the first epoch)";
    public override string ShortName => BatchSign > 0 ? "the mean b_η − b_B" : "the mean b_η + b_B";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why =>
        "\"the learning rate mainly sets the height\": the height's elasticity in η exceeds its elasticity in B in size (b_η > |b_B|, " +
        "that is b_η − b_B > 0 and b_η + b_B > 0, each a direction)";
    public override int MinimumValues => 3;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
    [
        .. d.LearningRates.Select(lr => new Role($"η = {Format(lr)}", lr, lr, d.BatchSize)),
        .. d.BatchSizes.Select(b => new Role($"batch {b}", b, d.LearningRate, b)),
    ];

    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(ViewColumns.Probe(Columns.Height));

    public override double PerSeed(SeedSample s)
    {
        int rates = s.Series.Count(x => x.Label.StartsWith("η", StringComparison.Ordinal));
        double learningRate = PaperClaims.LogLogSlope(this, s with { Series = [.. s.Series.Take(rates)] });
        double batch = PaperClaims.LogLogSlope(this, s with { Series = [.. s.Series.Skip(rates)] });
        return learningRate - (BatchSign * batch);
    }
}

/// <summary>Claim 2b: per seed, b_η − b_B (see <see cref="LearningRateOverBatchEffect"/>).</summary>
public sealed class LearningRateOverRisingBatchEffect : LearningRateOverBatchEffect
{
    public override string Id => "2b";
    protected override int BatchSign => 1;
}

/// <summary>Claim 2c: per seed, b_η + b_B (see <see cref="LearningRateOverBatchEffect"/>).</summary>
public sealed class LearningRateOverFallingBatchEffect : LearningRateOverBatchEffect
{
    public override string Id => "2c";
    protected override int BatchSign => -1;
}

/// <summary>Claim 3a: per seed, the slope of ln(distance from init) on ln(batch size).</summary>
public sealed class DistanceByBatchSize : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string SeedValueLabel => "the seed's slope of ln distance on ln B";
    public override string Id => "3a";
    public override string Title => "smaller batches travel farther";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        "per seed, the least-squares slope of ln ‖θ − θ₀‖ at the end of the run (equal epochs) on ln B over the batch sizes, at the base learning rate";
    public override string ShortName => "the mean slope";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"smaller batch → farther\": the distance falls with B (a direction, so 0 both ways)";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => d.BatchSizes.Select(b => new Role($"batch {b}", b, d.LearningRate, b)).ToList();
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];
    public override double PerSeed(SeedSample s) => PaperClaims.LogLogSlope(this, s);
}

/// <summary>
/// Secondary to 3a, never deciding it: the same slope on ln B of another distance from θ₀ at the end of the run (epochs.csv,
/// last epoch): the mean angle between each parameter tensor and its initial value (radial weight growth, which
/// BatchNorm makes free and which fills much of the L2 distance, does not move it), or the share of validation images
/// whose predicted class differs from θ₀'s (a distance in function space).
/// </summary>
public sealed class DistanceByBatchSizeIn(string id, string column, string what) : ClaimTest
{
    public override string ValueLabel => $"{what} at the end";
    public override string SeedValueLabel => $"the seed's slope of ln({what}) on ln B";
    public override string Id => id;
    public override string Title => $"secondary, does not decide 3a: {what}";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        $"per seed, the least-squares slope of ln({what}, epochs.csv {column}, last epoch) on ln B over the batch sizes, at the base learning rate";
    public override string ShortName => "the mean slope";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "as 3a";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => d.BatchSizes.Select(b => new Role($"batch {b}", b, d.LearningRate, b)).ToList();
    public override double[] Values(ClaimRun run) => run.LastEpoch(column) is var v && double.IsFinite(v) ? [v] : [];
    public override double PerSeed(SeedSample s) => PaperClaims.LogLogSlope(this, s);
}

/// <summary>
/// Claim 3a at equal steps: per seed, the slope of ln ‖θ_S − θ₀‖ on ln B with S the number of steps of the seed's
/// shortest run (the largest batch). At equal epochs a batch of B/4 takes 16 times the updates of 4B, and distance
/// grows with the number of updates whatever the noise does; at equal steps only the batch's noise and size differ.
/// </summary>
public sealed class DistanceByBatchSizeAtEqualSteps : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at each run's end (L2); the test reads every run at its seed's shortest run's last step";
    public override string SeedValueLabel => "the seed's slope of ln distance at equal steps on ln B";
    public override string Id => "3c";
    public override string Title => "smaller batches travel farther at equal steps";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        "per seed, the least-squares slope of ln ‖θ_S − θ₀‖ on ln B over the batch sizes at the base learning rate, S the number of " +
        "steps of the seed's shortest run (the largest batch): every run read after the same number of updates";
    public override string ShortName => "the mean slope";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why =>
        "\"smaller batch → farther\" beyond the number of updates: at equal steps the distance still falls with B (a direction, so 0 both ways)";
    public override int MinimumValues => 2;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => d.BatchSizes.Select(b => new Role($"batch {b}", b, d.LearningRate, b)).ToList();

    /// <summary>‖θ_t − θ₀‖ of every step, in step order (steps.csv has a row per step).</summary>
    public override double[] Values(ClaimRun run) => run.Column(Columns.DistanceFromInit);

    public override double Summarise(double[] values) => values.Length == 0 ? double.NaN : values[^1];

    public override double PerSeed(SeedSample s)
    {
        int steps = s.Series.Min(x => x.Values.Length);
        return Slope([.. s.Series.Select(x => Math.Log(x.X))], [.. s.Series.Select(x => Math.Log(x.Values[steps - 1]))]);
    }
}

/// <summary>
/// Claims 3b (κ = 4) and 3d (κ = 2): the pair κη × κB has the base's LR/batch ratio, the quantity the SDE view says
/// fixes the dynamics; the paper says the height follows the learning rate instead. Per seed, the signed
/// ln(median height of the pair / of the base), tested for equivalence (TOST) against ±ln 1.1: "different" supports
/// the claim, "the same" contradicts it.
/// </summary>
public abstract class EqualRatioHeight : ClaimTest
{
    /// <summary>κ: the pair runs κη × κB.</summary>
    protected abstract int Factor { get; }

    public override string ValueLabel => "median height above the floor (nats)";
    public override string SeedValueLabel => $"the seed's ln(height of {Factor}η × {Factor}B / of η × B)";
    public override string Title => $"equal LR/batch ratio (×{Factor}), different height";
    public override TestKind Kind => TestKind.Equivalence;
    public override string Statistic =>
        $"per seed, ln(median height f(0) − floor of the pair run {Factor}η × {Factor}B / of the base run η × B), signed (probe view, recorded steps " +
        "after the first epoch)";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => Math.Log(1.1);
    public override double ContradictBound => Math.Log(1.1);
    public override string Why =>
        "\"equal LR/batch ratios do not keep the dynamics fixed\" (the height follows η): the heights differ by more than 10 % (ln 1.1 = 0.095); " +
        "inside ±10 % (TOST) they are the same for practical purposes";
    public override int MinimumValues => 3;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
        [new Role($"η = {Format(Factor * d.LearningRate)}, batch {Factor * d.BatchSize}", 1, Factor * d.LearningRate, Factor * d.BatchSize), PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(ViewColumns.Probe(Columns.Height));
    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}

/// <summary>Claim 3b: the pair 4η × 4B (<see cref="EqualRatioHeight"/>).</summary>
public sealed class EqualRatioDynamics : EqualRatioHeight
{
    public override string Id => "3b";
    protected override int Factor => 4;
}

/// <summary>Claim 3d: the pair 2η × 2B (<see cref="EqualRatioHeight"/>).</summary>
public sealed class EqualRatioDynamicsHalf : EqualRatioHeight
{
    public override string Id => "3d";
    protected override int Factor => 2;
}

/// <summary>
/// Claim 4a, the primary of its family (docs/claims.md, "Claim 4a"): per seed, the share of chained floor windows with a
/// barrier. The floor-chain run records every step of a window, so its floor points φ_t, φ_{t+1}, … join up into the
/// path a walker on the floor would follow. A window is <see cref="ClaimsDesign.ChainLinks"/> consecutive one-step
/// segments (the span of the 10-step lag; windows do not overlap) and has a barrier when its highest point lies above
/// both of its ends by more than the pre-stated size (<see cref="PaperClaims.Crosses"/>).
/// </summary>
public sealed class FloorBarriers : ClaimTest
{
    public override string ValueLabel => "share of chained floor windows with a barrier";
    public override string SeedValueLabel => "the seed's share of chained floor windows with a barrier";
    public override string Id => "4a";
    public override string Title => "the valley floor has barriers";
    public override TestKind Kind => TestKind.Share;
    public override string UnitName => "chained floor windows";
    public override string Statistic =>
        "per seed, the share of windows of 10 consecutive one-step floor segments φ_t → φ_{t+1} (the chained floor path of the floor-chain run: the base " +
        "setting recording every step of a window after the first epoch; windows do not overlap) whose highest point lies above both of the window's " +
        "ends by more than 0.05 × the run's median height (and 1e-5·max(1, f(0)))";
    public override string ShortName => "the mean share";
    public override double SupportBound => 0.05;
    public override double ContradictBound => 0.01;
    public override string Why => "\"the floor has barriers\": met on more than 1 in 20 stretches of the floor; fewer than 1 in 100 means practically none";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Chain(d)];
    public override long? PlannedUnitsPerRun(ClaimsDesign design) => design.FloorLags.Count > 0 ? design.ChainSteps / ClaimsDesign.ChainLinks : null;

    public override double[] Values(ClaimRun run)
    {
        double height = PaperClaims.MedianHeight(run);
        return [.. PaperClaims.ChainWindows(run).Select(w => PaperClaims.Crosses(w.Bump, w.Start, height) ? 1.0 : 0.0)];
    }

    public override double Summarise(double[] values) => Mean(values);
    public override double PerSeed(SeedSample s) => Mean(s.Series[0].Values);

    /// <summary>How large the barriers found are, in units of each run's median height (the pre-stated minimum is 0.05).</summary>
    public override string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used)
    {
        var sizes = used.SelectMany(u => PaperClaims.ChainWindows(u.Run).Select(w => w.Bump / PaperClaims.MedianHeight(u.Run)))
            .Where(x => double.IsFinite(x) && x > BarrierShareOfHeight).ToList();
        return sizes.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"the barriers found are {Statistics.Median([.. sizes]):0.###} × the run's median height (median; largest {sizes.Max():0.###})");
    }

    private const double BarrierShareOfHeight = PaperClaims.BarrierShareOfHeight;
}

/// <summary>
/// Secondary to 4a, never deciding it: straight floor segments φ_{t−k} → φ_t at one of the family's lags, those ending
/// at steps t₂ + jk, t₂ the second epoch's first step (so no two share a stretch of the floor, and a horizon's phases,
/// which record their epochs' first steps, pair up). Straight lines between points of one trajectory are known to be
/// nearly always monotone, which is why the chained path is the primary.
/// </summary>
/// <param name="runName">The run it reads, in words (claims.json's statistic).</param>
/// <param name="role">The run of the base setting that measures the lag.</param>
/// <param name="lag">The lag in steps, from the run's steps per epoch; a run whose floor_lags lack it contributes nothing.</param>
public sealed class StraightFloorBarriers(string id, string lagName, string runName, Func<ClaimsDesign, Role> role, Func<int, int> lag) : ClaimTest
{
    public override string ValueLabel => $"share of straight floor segments {lagName} long with a barrier";
    public override string SeedValueLabel => $"the seed's share of straight floor segments {lagName} long with a barrier";
    public override string Id => id;
    public override string Title => $"secondary, does not decide 4a: straight floor segments {lagName} long";
    public override TestKind Kind => TestKind.Share;
    public override string UnitName => "floor segments";
    public override string Statistic =>
        $"per seed, the share of straight segments φ_{{t−k}} → φ_t, k = {lagName}, ending at steps t₂ + jk after the first epoch (t₂ the second " +
        $"epoch's first step; {runName}), whose highest point lies above both ends by more than 0.05 × the run's median height";
    public override string ShortName => "the mean share";
    public override double SupportBound => 0.05;
    public override double ContradictBound => 0.01;
    public override string Why => "the bounds of 4a, so that a straight lag and the chained path can be read side by side";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [role(d)];
    public override long? PlannedUnitsPerRun(ClaimsDesign design) => null;

    public override double[] Values(ClaimRun run)
    {
        if (run.SecondEpochStart is not { } second) return [];
        int k = lag(second);
        if (!run.FloorLags.Contains(k)) return [];
        double height = PaperClaims.MedianHeight(run);
        return [.. run.FloorLinks(k).Where(l => (l.Step - second) % k == 0).Select(l => PaperClaims.Crosses(l.Bump, l.Start, height) ? 1.0 : 0.0)];
    }

    public override double Summarise(double[] values) => Mean(values);
    public override double PerSeed(SeedSample s) => Mean(s.Series[0].Values);
}

/// <summary>
/// Secondary to 4a, the paper's mechanism ("SGD passes over barriers a walker on the floor would meet"): of the chained
/// floor windows with a barrier, the share whose highest point lies below SGD's own loss at both of the window's ends
/// (the probe view's loss at the iterates θ_a and θ_b whose floors the window joins). Undefined for a seed without a barrier.
/// </summary>
public sealed class BarrierPassOver : ClaimTest
{
    public override string ValueLabel => "share of floor barriers below SGD's own loss";
    public override string SeedValueLabel => "the seed's share of chained-floor barriers whose top lies below the iterates' loss";
    public override string Id => "4a-pass-over";
    public override string Title => "secondary, does not decide 4a: SGD passes above the floor's barriers";
    public override TestKind Kind => TestKind.Share;
    public override string UnitName => "floor barriers";
    public override string Statistic =>
        "per seed, of the chained floor windows with a barrier (as 4a), the share whose highest point lies below the probe view's loss at both iterates " +
        "θ_a and θ_b whose floors are the window's ends";
    public override string ShortName => "the mean share";
    public override double SupportBound => 0.5;
    public override double ContradictBound => 0.5;
    public override string Why => "\"passes over the barriers\": most of them lie below SGD's path; fewer than half contradicts it";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Chain(d)];
    public override long? PlannedUnitsPerRun(ClaimsDesign design) => null;

    public override double[] Values(ClaimRun run)
    {
        double height = PaperClaims.MedianHeight(run);
        return [.. PaperClaims.ChainWindows(run).Where(w => PaperClaims.Crosses(w.Bump, w.Start, height))
            .Select(w => w.Top < Math.Min(w.IterateAtStart, w.IterateAtEnd) ? 1.0 : 0.0)];
    }

    public override double Summarise(double[] values) => Mean(values);
    public override double PerSeed(SeedSample s) => Mean(s.Series[0].Values);
}

/// <summary>Claim 4b: per seed, ln(distance of SGD / of floor-sgd).</summary>
public sealed class FloorSgdDistance : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string SeedValueLabel => "the seed's ln(distance of SGD / of floor-sgd)";
    public override string Id => "4b";
    public override string Title => "above the floor, SGD travels farther";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic => "per seed, ln(distance from init of SGD / of floor-sgd) at equal steps, base setting";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"lets SGD move far from the initialisation\": a direction without a size, so the bound is 0 both ways";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d), PaperClaims.Base(d, "floor-sgd")];
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];
    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);

    /// <summary>
    /// floor-sgd's chosen α (floor_step_alpha, every step): its effective learning rate is η·α, so a floor-sgd that travels
    /// farther with a mean α above 1 took longer steps, not a different route (4b-matched compares SGD at η·ᾱ).
    /// </summary>
    public override string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used)
    {
        var alphas = used.Where(u => u.Role.Optimizer == "floor-sgd").SelectMany(u => u.Run.Column(Columns.FloorStepAlpha)).ToList();
        return alphas.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"floor-sgd's step α (floor_step_alpha, all its steps): mean {alphas.Average():0.###}, median {Statistics.Median([.. alphas]):0.###}; its effective learning rate is η·α");
    }
}

/// <summary>
/// Secondary to 4b, never deciding it: how straight each walk is, ‖θ_T − θ₀‖ / Σ_t ‖u_t‖ (displacement per unit path
/// length). floor-sgd's line search changes the step length (α ≠ 1), so distance alone mixes "a different route" with
/// "longer steps"; the path efficiency does not depend on the step length.
/// </summary>
public sealed class FloorSgdPathEfficiency : ClaimTest
{
    public override string ValueLabel => "displacement per unit path length, ‖θ_T − θ₀‖ / Σ‖u_t‖";
    public override string SeedValueLabel => "the seed's ln(path efficiency of SGD / of floor-sgd)";
    public override string Id => "4b-secondary";
    public override string Title => "secondary, does not decide 4b: displacement per unit path length (independent of the step length)";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic =>
        "per seed, ln(‖θ_T − θ₀‖ / Σ_t ‖u_t‖ of SGD / the same of floor-sgd), base setting, the sums over every step";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "reported next to 4b: a walk above the floor that moves far for its path length, not only for its step length";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d), PaperClaims.Base(d, "floor-sgd")];

    public override double[] Values(ClaimRun run)
    {
        double path = run.Column(Columns.StepNorm).Sum(), distance = run.Last(Columns.DistanceFromInit);
        return path > 0 && double.IsFinite(distance) ? [distance / path] : [];
    }

    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}

/// <summary>
/// Secondary to 4b, never deciding it: SGD at floor-sgd's effective learning rate η·ᾱ (the design's matched rate, from the
/// plan's pilot) against floor-sgd, per seed ln(distance of SGD at η·ᾱ / of floor-sgd): 4b's own statistic on another SGD
/// arm, as <see cref="FloorSgdStall"/> reads it against another bound. With the step length matched on
/// average, what is left of 4b's difference is the route: above the floor (SGD) or on it (floor-sgd).
/// </summary>
public sealed class MatchedRateDistance : ClaimTest
{
    private readonly FloorSgdDistance distance = new();

    public override string ValueLabel => distance.ValueLabel;
    public override string SeedValueLabel => "the seed's ln(distance of SGD at η·ᾱ / of floor-sgd)";
    public override string Id => "4b-matched";
    public override string Title => "secondary, does not decide 4b: SGD at floor-sgd's effective learning rate η·ᾱ travels farther than floor-sgd";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic =>
        "per seed, ln(distance from init of SGD at the design's matched rate η·ᾱ / of floor-sgd at η) at equal steps, base batch size; " +
        "ᾱ is floor-sgd's mean step α in the plan's pilot (the first seed's floor-sgd run, unprofiled)";
    public override string ShortName => distance.ShortName;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "reported next to 4b: the same direction with floor-sgd's step length taken out of the comparison";

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
    [
        new(d.MatchedLearningRate > 0 ? $"SGD at η·ᾱ = {Format(d.MatchedLearningRate)} (pilot ᾱ {Format(d.MatchedAlpha)})" : "SGD at η·ᾱ (not in this design: paper scale, or planned before the matched arm)",
            0, d.MatchedLearningRate, d.BatchSize),
        PaperClaims.Base(d, "floor-sgd"),
    ];

    public override double[] Values(ClaimRun run) => distance.Values(run);
    public override double PerSeed(SeedSample s) => distance.PerSeed(s);

    /// <summary>
    /// Whether the match held: the rate is fixed from one pilot, so each seed's own floor-sgd mean α is shown next to the
    /// pilot's (in the role's label).
    /// </summary>
    public override string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used)
    {
        var alphas = used.Where(u => u.Role.Optimizer == "floor-sgd")
            .Select(u => u.Run.Column(Columns.FloorStepAlpha).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()).Where(double.IsFinite).ToList();
        return alphas.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"each seed's floor-sgd mean α {alphas.Min():0.####}–{alphas.Max():0.####} (mean {alphas.Average():0.####}); the matched rate is η × the pilot's ᾱ, to two significant digits");
    }
}

/// <summary>
/// Claim 4c and its secondaries at a common training-loss target: SGD and floor-sgd at the base setting, each stopped at
/// the first check where the mean training loss outside the probe view is at most the design's L*
/// (<see cref="ClaimsDesign.TargetLoss"/>). After equal epochs floor-sgd, whose line-searched step is a fraction of SGD's,
/// has simply fitted less; at an equal fit what differs is the region each walk reached. The pre-stated guard: a seed
/// where either arm hit its cap before L* is left out and named (<see cref="ClaimRun.MissedTarget"/>).
/// </summary>
public abstract class AtTrainingLossTarget : ClaimTest
{
    public override TestKind Kind => TestKind.Contrast;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
    [
        new Role("SGD at the target", 0, d.LearningRate, d.BatchSize, Target: true),
        new Role("floor-sgd at the target", 0, d.LearningRate, d.BatchSize, "floor-sgd", Target: true),
    ];

    // TargetEpochs, not TargetLoss: a design before its pilot has target runs to come, with L* still unknown.
    public override string? Unplanned(ClaimsDesign design) => design.TargetEpochs == 0
        ? "no target runs: this claims design has no training-loss target (claims-design.json without target_loss: written before the target runs, " +
          "or paper scale, which plans none); the equal-epochs comparison is 4c-epochs"
        : null;

    /// <summary>The target in words, for the statistics.</summary>
    protected const string AtTarget = "both stopped at the first check (every tenth of an epoch) where the mean training loss outside the probe view is at most " +
        "the design's target L* (claims-design.json target_loss), base setting; a seed where either arm hit its cap first is left out and named";
}

/// <summary>Claim 4c: per seed, test accuracy of SGD − of floor-sgd, both at the common training-loss target.</summary>
public sealed class FloorSgdGeneralisation : AtTrainingLossTarget
{
    public override string ValueLabel => "test accuracy at the training-loss target (fraction)";
    public override string SeedValueLabel => "the seed's test accuracy of SGD − of floor-sgd at the training-loss target";
    public override string Id => "4c";
    public override string Title => "above the floor, SGD generalises better (at a common training loss)";
    public override string Statistic => $"per seed, test accuracy (epochs.csv, the evaluation at the stop) of SGD − of floor-sgd, {AtTarget}";
    public override string ShortName => "the mean accuracy difference";
    public override string Why => "\"regions which generalise better\": at an equal fit, a direction without a size, so the bound is 0 both ways";
    public override double[] Values(ClaimRun run) => run.LastEpoch(Columns.TestAccuracy) is var a && double.IsNaN(a) ? [] : [a];
    public override double PerSeed(SeedSample s) => Summarise(s.Series[0].Values) - Summarise(s.Series[1].Values);

    /// <summary>The target the runs stopped at (L* differs by model and data: it is the pilot's) and the steps each arm needed to reach it (medians over the seeds used).</summary>
    public override string? Note(IReadOnlyList<(Role Role, ClaimRun Run)> used)
    {
        string Steps(string optimizer) =>
            used.Where(u => u.Role.Optimizer == optimizer && u.Run.StopLoss?.Step is not null).Select(u => (double)u.Run.StopLoss!.Step!.Value).ToArray() is { Length: > 0 } steps
                ? Format(Statistics.Median(steps)) : "n/a";
        string target = used.Select(u => u.Run.StopLoss?.Target).OfType<double>().Distinct().ToList() is [var l] ? $"L* = {Format(l)}; " : "";
        return used.Count == 0 ? null : $"{target}steps to the target (median): SGD {Steps("sgd")}, floor-sgd {Steps("floor-sgd")}";
    }
}

/// <summary>Secondary to 4c, never deciding it: the generalisation gap at the target, test loss − training loss outside the probe view.</summary>
public sealed class FloorSgdGapAtTarget : AtTrainingLossTarget
{
    public override string ValueLabel => "generalisation gap at the target: test loss − training loss outside the probe view (nats)";
    public override string SeedValueLabel => "the seed's generalisation gap of SGD − of floor-sgd";
    public override string Id => "4c-gap";
    public override string Title => "secondary, does not decide 4c: the generalisation gap at the training-loss target";
    public override Direction Direction => Direction.Below;
    public override string Statistic =>
        $"per seed, (test loss − training loss outside the probe view at the stop, run.json stop_loss.loss) of SGD − the same of floor-sgd, {AtTarget}";
    public override string ShortName => "the mean gap difference";
    public override string Why => "reported next to 4c: SGD generalising better means a smaller gap (below 0); both training losses are within a tenth of an epoch of L*";

    public override double[] Values(ClaimRun run) =>
        run.StopLoss?.Loss is { } train && run.LastEpoch(Columns.TestLoss) is var test && double.IsFinite(test) ? [test - train] : [];

    public override double PerSeed(SeedSample s) => Summarise(s.Series[0].Values) - Summarise(s.Series[1].Values);
}

/// <summary>Secondary to 4c, never deciding it: ln(λ_max or trace of SGD / of floor-sgd) at the final weights of the target runs.</summary>
public sealed class FloorSgdCurvatureAtTarget(string id, string what, Func<EndCurvature, double> quantity) : AtTrainingLossTarget
{
    public override string ValueLabel => $"{what} of the probe-view Hessian at the target";
    public override string SeedValueLabel => $"the seed's ln({what} of SGD / of floor-sgd)";
    public override string Id => id;
    public override string Title => $"secondary, does not decide 4c: {what} at the training-loss target";
    public override Direction Direction => Direction.Below;
    public override string Statistic => $"per seed, ln({what} of the probe-view Hessian at the final weights, run.json end_curvature, of SGD / of floor-sgd), {AtTarget}";
    public override string ShortName => "the mean log ratio";
    public override string Why => "reported next to 4c: the flat-minimum reading of \"generalises better\" predicts a flatter SGD (below 0); curvature is not the claim";

    public override double[] Values(ClaimRun run) => run.EndCurvature is { } c && quantity(c) is var v && double.IsFinite(v) && v > 0 ? [v] : [];
    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}

/// <summary>Secondary to 4c, never deciding it: ln(steps SGD needed to reach the target / steps floor-sgd needed).</summary>
public sealed class FloorSgdStepsToTarget : AtTrainingLossTarget
{
    public override string ValueLabel => "steps to the training-loss target";
    public override string SeedValueLabel => "the seed's ln(steps of SGD / of floor-sgd) to the target";
    public override string Id => "4c-steps";
    public override string Title => "secondary, does not decide 4c: the steps each arm needed to reach the training-loss target";
    public override Direction Direction => Direction.Below;
    public override string Statistic => $"per seed, ln(the stop step of SGD / of floor-sgd, run.json stop_loss.step), {AtTarget}";
    public override string ShortName => "the mean log ratio";
    public override string Why => "reported next to 4c: how much sooner SGD fits (below 0) is what the equal-epochs comparison (4c-epochs) mixed in";
    public override double[] Values(ClaimRun run) => run.StopLoss?.Step is { } step && step > 0 ? [step] : [];
    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}

/// <summary>
/// Secondary to 4c, never deciding it: the statistic 4c had before the target runs, final test accuracy of SGD − of
/// floor-sgd after equal epochs (the base and floor-sgd runs). Known bias: floor-sgd's effective learning rate is η·α with
/// α well below 1, so at equal epochs it has fitted less, and the difference measures training speed as much as generalisation.
/// </summary>
public sealed class FloorSgdGeneralisationAtEqualEpochs : ClaimTest
{
    public override string ValueLabel => "final test accuracy (fraction)";
    public override string SeedValueLabel => "the seed's test accuracy of SGD − of floor-sgd";
    public override string Id => "4c-epochs";
    public override string Title => "secondary, does not decide 4c: test accuracy after equal epochs (biased: floor-sgd has fitted less)";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic => "per seed, final test accuracy of SGD − of floor-sgd after equal epochs, base setting";
    public override string ShortName => "the mean accuracy difference";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "reported for comparison with earlier versions only; floor-sgd's shorter steps favour SGD at equal epochs";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d), PaperClaims.Base(d, "floor-sgd")];
    public override double[] Values(ClaimRun run) => run.LastEpoch(Columns.TestAccuracy) is var a && double.IsNaN(a) ? [] : [a];
    public override double PerSeed(SeedSample s) => Summarise(s.Series[0].Values) - Summarise(s.Series[1].Values);
}

/// <summary>
/// Claim 4d, a dose-response: how far the walk gets as it travels higher above the floor. The base setting walked at
/// fractions h of the way from the floor (h = 0: floor-sgd) to SGD's own landing point (h = 1: SGD), height-sgd in
/// between; per seed the least-squares slope of ln ‖θ_T − θ₀‖ on h. One contrast (4b) can be moved by anything that
/// separates two optimisers (floor-sgd's step length, its line search's view); a distance that rises steadily with h says
/// the height itself is what carries the walk.
/// </summary>
public sealed class HeightDoseResponse : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string SeedValueLabel => "the seed's slope of ln distance on h";
    public override string Id => "4d";
    public override string Title => "the higher above the floor, the farther";
    public override TestKind Kind => TestKind.Slope;
    public override string Statistic =>
        "per seed, the least-squares slope of ln ‖θ − θ₀‖ at the end of the run on h, the fraction of the way from the step's floor to SGD's landing " +
        "point (h = 0 floor-sgd, 0 < h < 1 height-sgd, h = 1 SGD), base setting";
    public override string ShortName => "the mean slope";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"travelling above the floor lets SGD move far\": the distance rises with the height above the floor (a direction, so 0 both ways)";

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
    [
        new Role("h = 0 (floor-sgd)", 0, d.LearningRate, d.BatchSize, "floor-sgd"),
        .. d.HeightFractions.Select(h => new Role($"h = {Format(h)} (height-sgd)", h, d.LearningRate, d.BatchSize, "height-sgd", h)),
        new Role("h = 1 (SGD)", 1, d.LearningRate, d.BatchSize),
    ];

    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];

    public override double PerSeed(SeedSample s) =>
        Slope([.. s.Series.Select(x => x.X)], [.. s.Series.Select(x => Math.Log(Summarise(x.Values)))]);
}

/// <summary>Claim 5: per seed, the median cosine of consecutive mini-batch gradients.</summary>
public sealed class OpposingGradients : ClaimTest
{
    public override string ValueLabel => "median cosine of consecutive gradients";
    public override string SeedValueLabel => "the seed's median cos(g_{t−1}, g_t)";
    public override string Id => "5";
    public override string Title => "consecutive gradients oppose";
    public override TestKind Kind => TestKind.Location;
    public override string Statistic => "per seed, the median of cos(g_{t−1}, g_t) over the steps after the first epoch, base setting";
    public override string ShortName => "the mean median cosine";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"tend to point against each other (negative cosine)\": the typical cosine is below 0; above 0 contradicts it";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];
    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(Columns.CosineGradient);
    public override double PerSeed(SeedSample s) => Summarise(s.Series[0].Values);
}

/// <summary>Claim 6a: per seed, the share of SGD's own steps that cross a barrier.</summary>
public sealed class BarrierCrossings : ClaimTest
{
    public override string ValueLabel => "share of steps crossing a barrier";
    public override string SeedValueLabel => "the seed's share of steps crossing a barrier";
    public override string Id => "6a";
    public override string Title => "SGD rarely crosses a barrier";
    public override TestKind Kind => TestKind.Share;
    public override string Statistic =>
        "per seed, the share of recorded steps after the first epoch (base setting, probe view) whose profile has a bump above both ends of more than 0.05 × the run's median height (and 1e-5·max(1, f(0)))";
    public override string ShortName => "the mean share";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0.1;
    public override double ContradictBound => 0.25;
    public override string Why => "\"rarely\": fewer than 1 step in 10; at least 1 in 4 is not rare";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run)
    {
        double height = PaperClaims.MedianHeight(run);
        return [.. run.AfterFirstEpoch(ViewColumns.Probe(Columns.Bump), ViewColumns.Probe(Columns.LossStart))
            .Select(p => PaperClaims.Crosses(p.Value, p.Other, height) ? 1.0 : 0.0)];
    }

    public override double Summarise(double[] values) => Mean(values);
    public override double PerSeed(SeedSample s) => Mean(s.Series[0].Values);
}

/// <summary>
/// Claim 6b: how much of a mini-batch gradient's energy lies in the top-k eigenspace of the Hessian (the alignment probe,
/// `--alignment`), per seed the log ratio of the mean fraction at the largest batch size to the mean at the smallest, over
/// the base run's common checkpoints after the first epoch. One run per seed: every batch size is measured at the same θ,
/// with V_k from the probe view and the gradient batches from the rest of the training split.
/// </summary>
public sealed class LargeBatchAlignment : ClaimTest
{
    public override string ValueLabel => "ln(mean ‖V_kᵀg_B‖²/‖g_B‖² at the largest B / at the smallest B) over the run's checkpoints";
    public override string SeedValueLabel => "the seed's ln(mean alignment fraction at the largest batch / at the smallest)";
    public override string Id => "6b";
    public override string Title => "large-batch gradients align with the top Hessian directions";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic =>
        "per seed, ln(mean of ‖V_kᵀg_B‖²/‖g_B‖² at the largest alignment batch size / mean at the smallest), the means over the base run's " +
        "checkpoints after the first epoch where both are measured; V_k the top-k (k = 10) eigenvectors of the probe-view Hessian by Lanczos, " +
        "g_B the gradients of m mini-batches drawn from the training split outside the probe view, all at the same θ";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"large-batch gradients align with the top eigenvectors\" (more than small-batch ones): a direction, so the bound is 0 both ways";

    /// <summary>Common checkpoints after the first epoch a run needs (the values hold two per checkpoint).</summary>
    public const int MinimumCheckpoints = 3;

    public override int MinimumValues => 2 * MinimumCheckpoints;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    /// <summary>
    /// The fractions at the largest batch size on the common checkpoints, followed by those at the smallest on the same
    /// checkpoints (so the first half and the second half pair up); empty when the run measured fewer than two batch sizes.
    /// </summary>
    public override double[] Values(ClaimRun run)
    {
        var columns = run.AlignmentColumns();
        if (columns.Count < 2) return [];
        var pairs = run.AfterFirstEpoch(columns[^1].Column, columns[0].Column).Where(p => double.IsFinite(p.Other)).ToList();
        return [.. pairs.Select(p => p.Value), .. pairs.Select(p => p.Other)];
    }

    /// <summary>ln(mean of the first half / mean of the second half): a run's log ratio, largest batch over smallest.</summary>
    public override double Summarise(double[] values)
    {
        int n = values.Length / 2;
        return n == 0 ? double.NaN : Math.Log(values.Take(n).Average() / values.Skip(n).Take(n).Average());
    }

    public override double PerSeed(SeedSample s) => Summarise(s.Series[0].Values);
}

/// <summary>
/// Secondary to 3b, never deciding its verdict: the statistic of 0.2.0, ln(distance from θ₀ of 4η × 4B / of η × B) at
/// equal epochs. Distance is what the SDE view also predicts equal at equal η/B, and the pair takes a quarter of the
/// base's updates, so it says little about the paper's point (the height follows η); kept for comparison.
/// </summary>
public sealed class EqualRatioDistance : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string SeedValueLabel => "the seed's ln(distance of the pair / of the base)";
    public override string Id => "3b-secondary";
    public override string Title => "secondary, does not decide 3b: distance at equal epochs (the pair takes a quarter of the updates)";
    public override TestKind Kind => TestKind.Equivalence;
    public override string Statistic =>
        "per seed, ln(distance from init of the pair run 4η × 4B / of the base run), signed, distances at equal epochs";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => Math.Log(1.1);
    public override double ContradictBound => Math.Log(1.1);
    public override string Why => "reported for comparison with earlier versions only";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
        [new Role($"η = {Format(4 * d.LearningRate)}, batch {4 * d.BatchSize}", 1, 4 * d.LearningRate, 4 * d.BatchSize), PaperClaims.Base(d)];
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];
    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}

/// <summary>
/// Secondary to 6b, never deciding its verdict: the old proxy S_t/λ_max, S_t = gᵀH_Bg/‖g‖² the curvature of the step's
/// own batch Hessian along its own gradient. Its known bias: H_B contains the batch's own samples, so S_t carries a
/// self-curvature term of order 1/B that inflates small batches (values above 1 occur, impossible for an alignment).
/// </summary>
public sealed class LargeBatchCurvatureRatio : ClaimTest
{
    public override string ValueLabel => "median S_t / λ_max (biased upwards at small B)";
    public override string SeedValueLabel => "the seed's ln(median S_t/λ_max at the largest batch / at the smallest)";
    public override string Id => "6b-secondary";
    public override string Title => "secondary, does not decide 6b: S_t/λ_max (biased: self-curvature of order 1/B favours small batches)";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic =>
        "per seed, ln(median S_t/λ_max of the largest batch run / of the smallest batch run), S_t the step sharpness gᵀH_Bg/‖g‖², " +
        "λ_max the top probe-Hessian eigenvalue at the same steps (after the first epoch), base learning rate. Known bias: H_B includes " +
        "the batch's own samples, a self-curvature term of order 1/B that makes small batches look more aligned whatever the truth";
    public override string ShortName => "the mean log ratio";
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "reported for comparison with earlier versions only; its bias works against the claim";
    public override int MinimumValues => 2;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d)
    {
        int small = d.BatchSizes.Min(), large = d.BatchSizes.Max();
        return [new Role($"batch {large}", large, d.LearningRate, large), new Role($"batch {small}", small, d.LearningRate, small)];
    }

    public override double[] Values(ClaimRun run) =>
        run.AfterFirstEpoch(Columns.StepSharpness, Columns.LambdaMax).Where(p => p.Other > 0).Select(p => p.Value / p.Other).ToArray();

    public override double PerSeed(SeedSample s) => PaperClaims.LogRatio(this, s);
}
