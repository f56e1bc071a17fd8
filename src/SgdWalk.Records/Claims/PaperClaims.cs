namespace SgdWalk.Records.Claims;

/// <summary>
/// The six claims of "A Walk with SGD" (../shared/paper-digest.md) and the pre-stated tests of each. A claim holds
/// ("supported") when every one of its tests is supported; it is "contradicted" when any test is contradicted (the
/// claim asserts all its parts); otherwise "inconclusive". README "Claims" documents every bound and why.
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
        new InteriorFloors(), new HeightByLearningRate(), new DistanceByBatchSize(), new EqualRatioDynamics(),
        new FloorBarriers(), new FloorSgdDistance(), new FloorSgdGeneralisation(), new OpposingGradients(),
        new BarrierCrossings(), new LargeBatchAlignment(),
    ];

    /// <summary>A step or floor segment crosses a barrier when its bump exceeds the tolerance of <see cref="BarrierStatistics"/>.</summary>
    public static bool Crosses(double bump, double lossAtStart) =>
        bump > BarrierStatistics.RelativeTolerance * Math.Max(1, Math.Abs(double.IsNaN(lossAtStart) ? 1 : lossAtStart));

    internal static Role Base(ClaimsDesign d, string optimizer = "sgd") =>
        new(optimizer == "sgd" ? "SGD" : optimizer, 0, d.LearningRate, d.BatchSize, optimizer);

    internal static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    internal static double Pooled(IReadOnlyList<SeedSample> samples, Func<double[], double> reduce) =>
        reduce(samples.SelectMany(s => s.Series).SelectMany(s => s.Values).ToArray());

    /// <summary>Mean over seeds of a value that compares the two series of each seed (a paired contrast).</summary>
    internal static double Paired(IReadOnlyList<SeedSample> samples, Func<double, double, double> contrast) =>
        Mean(samples.Select(s => contrast(Statistics.Median(s.Series[0].Values), Statistics.Median(s.Series[1].Values))));
}

internal static class ViewColumns
{
    public static string Probe(string suffix) => Columns.OfView(Columns.ProbeView, suffix);
}

/// <summary>Claim 1: the share of recorded steps whose probe-view profile is roughly convex with an interior floor.</summary>
public sealed class InteriorFloors : ClaimTest
{
    public override string ValueLabel => "share of steps with an interior, roughly convex floor";
    public override string Id => "1";
    public override string Title => "steps with an interior floor";
    public override string Statistic =>
        "share of recorded steps after the first epoch (base setting, probe view) whose profile has an interior floor and nonconvexity ≤ 0.05";
    public override string Unit => "recorded step, within seeds";
    public override string ShortName => "the share";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0.5;
    public override double ContradictBound => 0.5;
    public override string Why => "\"for most of training\": more than half of the steps; fewer than half contradicts it";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run) =>
        run.AfterFirstEpoch(ViewColumns.Probe(Columns.Interior), ViewColumns.Probe(Columns.Nonconvexity))
            .Select(p => p.Value == 1 && p.Other <= Columns.RoughlyConvexThreshold ? 1.0 : 0.0).ToArray();

    public override double Summarise(double[] values) => PaperClaims.Mean(values);
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Pooled(samples, PaperClaims.Mean);
}

/// <summary>Claim 2: Spearman's correlation of the learning rate with each run's median height.</summary>
public sealed class HeightByLearningRate : ClaimTest
{
    public override string ValueLabel => "median height above the floor (nats)";
    public override string Id => "2";
    public override string Title => "height rises with the learning rate";
    public override string Statistic =>
        "Spearman correlation between the learning rate and each run's median height f(0) − floor (probe view, recorded steps after the first epoch), " +
        "at the base batch size, over all seeds' runs";
    public override string Unit => "seed, then recorded step within each run";
    public override string ShortName => "the correlation";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0.3;
    public override double ContradictBound => 0;
    public override string Why => "\"mainly sets\": at least a moderate positive association (ρ > 0.3); no positive association contradicts it";
    public override int MinimumValues => 3;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
        d.LearningRates.Select(lr => new Role($"η = {Format(lr)}", lr, lr, d.BatchSize)).ToList();

    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(ViewColumns.Probe(Columns.Height));

    public override double Reduce(IReadOnlyList<SeedSample> samples)
    {
        var points = samples.SelectMany(s => s.Series).ToList();
        return Rank.Spearman(points.Select(p => p.X).ToArray(), points.Select(p => Statistics.Median(p.Values)).ToArray());
    }
}

/// <summary>Claim 3a: Spearman's correlation of the batch size with the distance from init at equal epochs.</summary>
public sealed class DistanceByBatchSize : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string Id => "3a";
    public override string Title => "smaller batches travel farther";
    public override string Statistic =>
        "Spearman correlation between the batch size and the distance from initialisation ‖θ − θ₀‖ at the end of the run (equal epochs), at the base learning rate";
    public override string Unit => "seed (one distance per run)";
    public override string ShortName => "the correlation";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => -0.3;
    public override double ContradictBound => 0;
    public override string Why => "\"mainly sets the noise ... smaller batch → farther\": at least a moderate negative association; none or positive contradicts it";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => d.BatchSizes.Select(b => new Role($"batch {b}", b, d.LearningRate, b)).ToList();
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];

    public override double Reduce(IReadOnlyList<SeedSample> samples)
    {
        var points = samples.SelectMany(s => s.Series).ToList();
        return Rank.Spearman(points.Select(p => p.X).ToArray(), points.Select(p => p.Values[0]).ToArray());
    }
}

/// <summary>Claim 3b: runs with the same LR/batch ratio still travel different distances.</summary>
public sealed class EqualRatioDynamics : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string Id => "3b";
    public override string Title => "equal LR/batch ratio, different dynamics";
    public override string Statistic =>
        "|mean over seeds of ln(distance of the pair run / distance of the base run)|, the pair having the base's LR/batch ratio (both ×4), " +
        "distances at equal epochs";
    public override string Unit => "seed (paired runs)";
    public override string ShortName => "|log ratio|";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => Math.Log(1.25);
    public override double ContradictBound => Math.Log(1.1);
    public override string Why =>
        "\"does not keep the dynamics fixed\": the distances differ by more than 25 % (|ln| > 0.223); within 10 % (|ln| < 0.095) they are the same for practical purposes";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) =>
        [PaperClaims.Base(d), new Role($"η = {Format(d.PairLearningRate)}, batch {d.PairBatchSize}", 1, d.PairLearningRate, d.PairBatchSize)];
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];
    public override double Reduce(IReadOnlyList<SeedSample> samples) => Math.Abs(PaperClaims.Paired(samples, (b, pair) => Math.Log(pair / b)));
}

/// <summary>Claim 4a: barriers on the floor path between consecutive recorded floor points.</summary>
public sealed class FloorBarriers : ClaimTest
{
    public override string ValueLabel => "share of floor segments with a barrier";
    public override string Id => "4a";
    public override string Title => "the valley floor has barriers";
    public override string Statistic =>
        "share of segments between the floor points of consecutive recorded steps (--floor-lags = the record interval, base setting, after the first epoch) " +
        "whose loss has a bump above both ends";
    public override string Unit => "floor segment, within seeds";
    public override string ShortName => "the share";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0.05;
    public override double ContradictBound => 0.01;
    public override string Why => "\"the floor has barriers\": met on more than 1 in 20 floor segments; fewer than 1 in 100 means practically none";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run) =>
        run.FloorBarrierColumn() is not { } column ? [] :
        run.AfterFirstEpoch(column, ViewColumns.Probe(Columns.LossStart)).Select(p => PaperClaims.Crosses(p.Value, p.Other) ? 1.0 : 0.0)
            .ToArray();

    public override double Summarise(double[] values) => PaperClaims.Mean(values);
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Pooled(samples, PaperClaims.Mean);
}

/// <summary>Claim 4b: SGD travels farther than floor-sgd (which moves only to each step's floor).</summary>
public sealed class FloorSgdDistance : ClaimTest
{
    public override string ValueLabel => "distance from initialisation at the end (L2)";
    public override string Id => "4b";
    public override string Title => "above the floor, SGD travels farther";
    public override string Statistic => "mean over seeds of ln(distance from init of SGD / of floor-sgd) at equal steps, base setting";
    public override string Unit => "seed (paired runs)";
    public override string ShortName => "the log ratio";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"lets SGD move far from the initialisation\": a direction without a size, so the bound is 0 both ways";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d), PaperClaims.Base(d, "floor-sgd")];
    public override double[] Values(ClaimRun run) => [run.Last(Columns.DistanceFromInit)];
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Paired(samples, (sgd, floor) => Math.Log(sgd / floor));
}

/// <summary>Claim 4c: SGD generalises better than floor-sgd.</summary>
public sealed class FloorSgdGeneralisation : ClaimTest
{
    public override string ValueLabel => "final test accuracy (fraction)";
    public override string Id => "4c";
    public override string Title => "above the floor, SGD generalises better";
    public override string Statistic => "mean over seeds of (final test accuracy of SGD − of floor-sgd), base setting";
    public override string Unit => "seed (paired runs)";
    public override string ShortName => "the accuracy difference";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"regions which generalise better\": a direction without a size, so the bound is 0 both ways";
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d), PaperClaims.Base(d, "floor-sgd")];
    public override double[] Values(ClaimRun run) => run.LastEpoch(Columns.TestAccuracy) is var a && double.IsNaN(a) ? [] : [a];
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Paired(samples, (sgd, floor) => sgd - floor);
}

/// <summary>Claim 5: the median cosine of consecutive mini-batch gradients.</summary>
public sealed class OpposingGradients : ClaimTest
{
    public override string ValueLabel => "median cosine of consecutive gradients";
    public override string Id => "5";
    public override string Title => "consecutive gradients oppose";
    public override string Statistic => "median of cos(g_{t−1}, g_t) over the steps after the first epoch, base setting, steps of all seeds pooled";
    public override string Unit => "seed, then step within the run";
    public override string ShortName => "the median cosine";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"tend to point against each other (negative cosine)\": the typical cosine is below 0; above 0 contradicts it";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];
    public override double[] Values(ClaimRun run) => run.AfterFirstEpoch(Columns.CosineGradient);
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Pooled(samples, Statistics.Median);
}

/// <summary>Claim 6a: the share of SGD's own steps that cross a barrier.</summary>
public sealed class BarrierCrossings : ClaimTest
{
    public override string ValueLabel => "share of steps crossing a barrier";
    public override string Id => "6a";
    public override string Title => "SGD rarely crosses a barrier";
    public override string Statistic =>
        "share of recorded steps after the first epoch (base setting, probe view) whose profile has a bump above both ends (bump > 1e-5·max(1, f(0)))";
    public override string Unit => "recorded step, within seeds";
    public override string ShortName => "the share";
    public override Direction Direction => Direction.Below;
    public override double SupportBound => 0.1;
    public override double ContradictBound => 0.25;
    public override string Why => "\"rarely\": fewer than 1 step in 10; at least 1 in 4 is not rare";
    public override int MinimumValues => 5;
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [PaperClaims.Base(d)];

    public override double[] Values(ClaimRun run) =>
        run.AfterFirstEpoch(ViewColumns.Probe(Columns.Bump), ViewColumns.Probe(Columns.LossStart))
            .Select(p => PaperClaims.Crosses(p.Value, p.Other) ? 1.0 : 0.0).ToArray();

    public override double Summarise(double[] values) => PaperClaims.Mean(values);
    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Pooled(samples, PaperClaims.Mean);
}

/// <summary>
/// Claim 6b: how much of the gradient lies along the sharpest directions, as the ratio of its curvature
/// S_t = gᵀH_B g/‖g‖² (step sharpness) to λ_max (the top eigenvalue of the probe Hessian) at the same step; the ratio is 1
/// for a gradient along the top eigenvector and small for one spread over flat directions.
/// </summary>
public sealed class LargeBatchAlignment : ClaimTest
{
    public override string ValueLabel => "median S_t / λ_max (1 = along the top eigenvector)";
    public override string Id => "6b";
    public override string Title => "large-batch gradients align with the top Hessian directions";
    public override string Statistic =>
        "mean over seeds of ln(median S_t/λ_max of the largest batch / of the smallest batch), S_t the step sharpness gᵀH_Bg/‖g‖², " +
        "λ_max the top probe-Hessian eigenvalue at the same steps (after the first epoch), base learning rate";
    public override string Unit => "seed (paired runs), then measured step within each run";
    public override string ShortName => "the log ratio";
    public override Direction Direction => Direction.Above;
    public override double SupportBound => 0;
    public override double ContradictBound => 0;
    public override string Why => "\"large-batch gradients align with the top eigenvectors\" (more than small-batch ones): a direction, so the bound is 0 both ways";
    public override int MinimumValues => 2;

    public override IReadOnlyList<Role> Roles(ClaimsDesign d)
    {
        int small = d.BatchSizes.Min(), large = d.BatchSizes.Max();
        return [new Role($"batch {large}", large, d.LearningRate, large), new Role($"batch {small}", small, d.LearningRate, small)];
    }

    public override double[] Values(ClaimRun run) =>
        run.AfterFirstEpoch(Columns.StepSharpness, Columns.LambdaMax).Where(p => p.Other > 0).Select(p => p.Value / p.Other).ToArray();

    public override double Reduce(IReadOnlyList<SeedSample> samples) => PaperClaims.Paired(samples, (large, small) => Math.Log(large / small));
}
