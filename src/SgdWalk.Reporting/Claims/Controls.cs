using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>
/// Negative controls run by `claims` (docs/claims.md, "Controls"): tests that must NOT come out supported on an arm
/// where the claimed effect cannot be there. The arm is the base setting at a learning rate 100 times smaller (plain
/// SGD creeping downhill): its steps end before the valley's far wall, so their floors lie at the α = 1 edge, not
/// inside (claim 1), and consecutive gradients point the same way, not against each other (claim 5). When a test comes
/// out supported there too, it cannot tell the paper's regime from the one without it, and the claims it decides are
/// marked undermined in every verdict table. A second control reads the base run itself: its profiles along a random
/// direction of each recorded step's length (`--random-direction`) must not show the interior floors test 1 counts
/// along the step, or test 1 would find valleys in every direction. A positive control runs claim 4's measurements where
/// the answer is known (<see cref="ValleyControl"/>): on a valley whose floor has a barrier every period, test 4a must come
/// out supported and floor-sgd must stall (<see cref="FloorSgdStall"/>); on the same valley with a straight floor, neither.
/// A test that cannot find barriers that are there, or finds them where there are none, cannot decide claim 4.
/// </summary>
public static class Controls
{
    /// <summary>The claims' tests a tiny learning rate must not support, and the claims each one would undermine.</summary>
    private static readonly (string TestId, int Claim)[] TinyLearningRate = [("1", 1), ("5", 5)];

    public static IReadOnlyList<ControlResult> Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs)
    {
        ArgumentNullException.ThrowIfNull(design);
        if (design.ControlLearningRate <= 0) return []; // a design written before the controls existed
        var tiny = design with { LearningRate = design.ControlLearningRate };
        string arm = $"η = {ClaimTest.Format(design.ControlLearningRate)} (base η / {ClaimTest.Format(design.LearningRate / design.ControlLearningRate)}), batch {design.BatchSize}";
        var results = new List<ControlResult>();
        foreach (var (id, claim) in TinyLearningRate)
        {
            var test = PaperClaims.Tests.Single(t => t.Id == id);
            results.Add(Result($"tiny learning rate, test {id}", arm, $"test {id} ({test.Title}) must not come out supported",
                test.Evaluate(tiny, runs, trainingGuard: false), claim));
        }
        // The base runs' own random directions: a folder written before this control has no random_ columns (not measured).
        var random = new InteriorFloors(Records.Columns.RandomView);
        results.Add(Result("random direction, test 1", $"the base runs' profiles along a random direction of the step's length (η = {ClaimTest.Format(design.LearningRate)}, batch {design.BatchSize})",
            $"test 1 ({random.Title}) must not come out supported along random directions", random.Evaluate(design, runs), 1));
        if (design.Valley is { } valley) results.AddRange(Valley(design, valley, runs));
        return results;
    }

    /// <summary>
    /// The corrugated-valley positive control: test 4a and floor-sgd's stall on the valley runs, each run found by its
    /// model (the valley's own learning rate and batch size stand in for the base setting's).
    /// </summary>
    private static IEnumerable<ControlResult> Valley(ClaimsDesign design, ValleyControl valley, IReadOnlyList<ClaimRun> runs)
    {
        // Every step of the valley runs is recorded: their chain has a one-step segment per recorded step.
        var arm = design with
        {
            LearningRate = valley.LearningRate,
            BatchSize = valley.BatchSize,
            RecordedSteps = valley.RecordedSteps,
            ChainSteps = (int)valley.RecordedSteps,
            FloorLags = [1],
            HorizonEpochs = 0,
        };
        var barriers = new FloorBarriers();
        var stall = new FloorSgdStall();
        string setting = $"SGD and floor-sgd at η = {ClaimTest.Format(valley.LearningRate)}, batch {valley.BatchSize} on {valley.Landscape}";
        foreach (var (model, b, expects) in new[] { (ValleyControl.Corrugated, $"b = {ClaimTest.Format(valley.Corrugation)}", ControlExpectation.Supported), (ValleyControl.Flat, "b = 0", ControlExpectation.NotSupported) })
        {
            var own = runs.Where(r => r.Model == model).ToList();
            string name = model == ValleyControl.Corrugated ? "corrugated valley" : "flat valley";
            string must = expects == ControlExpectation.Supported ? "must come out supported" : "must not come out supported";
            // The valley's loss carries the offset K = 1000 and has no bottom: the training guard's 25 % fall does not apply.
            yield return Result($"{name}, test 4a", $"{setting}, {b} (`{model}`)", $"test 4a ({barriers.Title}) {must}",
                barriers.Evaluate(arm, own, trainingGuard: false), 4, expects);
            yield return Result($"{name}, floor-sgd stalls", $"{setting}, {b} (`{model}`)", $"{stall.Title} {must}",
                stall.Evaluate(arm, own, trainingGuard: false), 4, expects);
        }
    }

    private static ControlResult Result(string name, string arm, string expectation, TestResult outcome, int claim,
        ControlExpectation expects = ControlExpectation.NotSupported)
    {
        bool supported = outcome.UnadjustedVerdict == Verdict.Supported;
        var state = outcome.SeedValues.Count < ClaimTest.MinimumSeeds ? ControlOutcome.NotMeasured
            : supported == (expects == ControlExpectation.Supported) ? ControlOutcome.Passed
            : ControlOutcome.Failed;
        return new ControlResult(name, arm, expectation, state, outcome, [claim]) { Expects = expects };
    }

    /// <summary>Marks every claim that a failed control undermines (its verdict stays, with the reason next to it).</summary>
    public static IReadOnlyList<ClaimResult> Mark(IReadOnlyList<ClaimResult> claims, IReadOnlyList<ControlResult> controls) =>
        claims.Select(c => controls.Where(k => k.Outcome == ControlOutcome.Failed && k.Undermines.Contains(c.Claim)).ToList() is { Count: > 0 } failed
            ? c with { UnderminedBy = string.Join("; ", failed.Select(k => $"control '{k.Name}' failed: {k.Expectation}, but on {k.Arm} it is ({k.Test.Reason})")) }
            : c).ToList();
}

/// <summary>
/// floor-sgd stalls, the positive control's second measure (<see cref="Controls"/>): test 4b's own statistic, per seed
/// ln(distance from θ₀ of SGD / of floor-sgd) at equal steps, but against ln 4: floor-sgd travels less than a quarter
/// of SGD's distance. On the corrugated valley it is caught behind the first barrier while SGD walks over them.
/// </summary>
public sealed class FloorSgdStall : ClaimTest
{
    private readonly FloorSgdDistance distance = new();

    public override string ValueLabel => distance.ValueLabel;
    public override string SeedValueLabel => distance.SeedValueLabel;
    public override string Id => "4b-stall";
    public override string Title => "floor-sgd stalls (travels less than a quarter of SGD's distance)";
    public override TestKind Kind => TestKind.Contrast;
    public override string Statistic => distance.Statistic + ", against ln 4";
    public override string ShortName => distance.ShortName;
    public override double SupportBound => Math.Log(4);
    public override double ContradictBound => Math.Log(4);
    public override string Why => "a stall is floor-sgd ending less than a quarter as far from θ₀ as SGD (ln 4 = 1.386)";
    // The valley's SGD run also records the chained floor path (floor lag 1), so it plays SGD here.
    public override IReadOnlyList<Role> Roles(ClaimsDesign d) => [.. distance.Roles(d).Select(r => r.Optimizer == "sgd" ? r with { FloorChain = true } : r)];
    public override double[] Values(ClaimRun run) => distance.Values(run);
    public override double PerSeed(SeedSample s) => distance.PerSeed(s);
}
