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
/// along the step, or test 1 would find valleys in every direction.
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
        return results;
    }

    private static ControlResult Result(string name, string arm, string expectation, TestResult outcome, int claim)
    {
        var state = outcome.SeedValues.Count < ClaimTest.MinimumSeeds ? ControlOutcome.NotMeasured
            : outcome.UnadjustedVerdict == Verdict.Supported ? ControlOutcome.Failed
            : ControlOutcome.Passed;
        return new ControlResult(name, arm, expectation, state, outcome, [claim]);
    }

    /// <summary>Marks every claim that a failed control undermines (its verdict stays, with the reason next to it).</summary>
    public static IReadOnlyList<ClaimResult> Mark(IReadOnlyList<ClaimResult> claims, IReadOnlyList<ControlResult> controls) =>
        claims.Select(c => controls.Where(k => k.Outcome == ControlOutcome.Failed && k.Undermines.Contains(c.Claim)).ToList() is { Count: > 0 } failed
            ? c with { UnderminedBy = string.Join("; ", failed.Select(k => $"control '{k.Name}' failed: {k.Expectation}, but on {k.Arm} it is ({k.Test.Reason})")) }
            : c).ToList();
}
