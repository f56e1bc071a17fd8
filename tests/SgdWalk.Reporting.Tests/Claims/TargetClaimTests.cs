using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;
using static SgdWalk.Reporting.Tests.Claims.World;

namespace SgdWalk.Reporting.Tests.Claims;

/// <summary>Claim 4c at a common training-loss target, on hand-made claims folders (<see cref="ClaimsFolder"/>'s target runs).</summary>
public class TargetClaimTests
{
    private static TestResult Test(ClaimsOutcome outcome, string id) =>
        outcome.Claims.SelectMany(c => c.Tests).Concat(outcome.Secondary).Single(t => t.Id == id);

    /// <summary>
    /// The primary reads the target runs, not the equal-epochs ones: a world where floor-sgd is worse at the target but
    /// better after equal epochs supports 4c and contradicts 4c-epochs, with the per-seed statistic SGD − floor-sgd (+0.05).
    /// </summary>
    [Theory]
    [InlineData(-0.05, Verdict.Supported)]
    [InlineData(0.05, Verdict.Contradicted)]
    public void The_statistic_is_sgds_test_accuracy_minus_floor_sgds_at_the_target(double floorDelta, Verdict expected)
    {
        using var folder = new ClaimsFolder(new World { TargetAccuracyDelta = (_, _) => floorDelta, FloorSgdAccuracyDelta = (_, _) => -floorDelta });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var primary = Test(outcome, "4c");
        Assert.Equal(expected, primary.UnadjustedVerdict);
        Assert.Equal(-floorDelta, primary.Estimate, 2);
        Assert.Equal(ClaimTest.DefaultSeeds, primary.Seeds);
        Assert.All(primary.Points, p => Assert.StartsWith("target-", p.Run, StringComparison.Ordinal));
        Assert.Contains("L* = 0.5; steps to the target (median): SGD 60, floor-sgd 150", primary.Reason);
        var epochs = Test(outcome, "4c-epochs");
        Assert.Equal(floorDelta, epochs.Estimate, 2);
        Assert.All(epochs.Points, p => Assert.DoesNotContain("target", p.Run, StringComparison.Ordinal));
    }

    /// <summary>The secondaries' signs and sizes: gap difference −0.05, ln(10/20) for λ_max, ln(500/400) for the trace, ln(60/150) for the steps.</summary>
    [Fact]
    public void The_secondaries_compare_the_gap_the_curvature_and_the_steps_at_the_target()
    {
        using var folder = new ClaimsFolder(new World());
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        Assert.Equal(-0.05, Test(outcome, "4c-gap").Estimate, 2);
        Assert.Equal(Math.Log(0.5), Test(outcome, "4c-sharpness").Estimate, 1);
        Assert.Equal(Math.Log(1.25), Test(outcome, "4c-trace").Estimate, 1);
        Assert.Equal(Math.Log(60.0 / 150), Test(outcome, "4c-steps").Estimate, 6);
        Assert.Equal(Verdict.Supported, Test(outcome, "4c-sharpness").Verdict); // below 0: SGD flatter
        Assert.DoesNotContain(outcome.Claims.SelectMany(c => c.Tests), t => t.Id.StartsWith("4c-", StringComparison.Ordinal)); // never deciding
    }

    /// <summary>The pre-stated guard: a seed where either arm hit its cap before the target is left out, named in the reason.</summary>
    [Fact]
    public void A_seed_where_either_arm_missed_the_target_is_left_out_and_named()
    {
        using var folder = new ClaimsFolder(new World { MissesTarget = (optimizer, s) => (s == 0 && optimizer == "floor-sgd") || (s == 1 && optimizer == "sgd") });
        var outcome = ClaimsEvaluation.Evaluate(folder.Path);
        var primary = Test(outcome, "4c");
        Assert.Equal(ClaimTest.DefaultSeeds - 2, primary.Seeds);
        Assert.DoesNotContain(primary.SeedValues, v => v.Seed is 1111 or 1112);
        Assert.Contains("seeds left out as short of the training-loss target (2): target-floor-sgd-lr0.1-b100-s1111 did not reach the training-loss " +
            "target 0.5 (loss 0.6 at step 400, its cap); target-sgd-lr0.1-b100-s1112 did not reach", primary.Reason);
        Assert.Equal(Verdict.Supported, primary.UnadjustedVerdict); // ten seeds remain
        Assert.Equal(ClaimTest.DefaultSeeds - 2, Test(outcome, "4c-gap").Seeds); // the secondaries at the target share the guard
        Assert.Equal(ClaimTest.DefaultSeeds, Test(outcome, "4c-epochs").Seeds);
    }

    /// <summary>
    /// A folder written before the target runs (claims-design.json without target_loss and target_epochs) is still
    /// reported: 4c says it has no target runs, and the equal-epochs comparison is still there as 4c-epochs.
    /// </summary>
    [Fact]
    public void A_design_without_target_runs_is_reported_and_4c_says_it_has_none()
    {
        using var folder = new ClaimsFolder(new World(), target: false);
        string path = Path.Combine(folder.Path, ClaimsDesign.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(json.Remove("target_loss") && json.Remove("target_epochs"));
        File.WriteAllText(path, json.ToJsonString());

        var outcome = ClaimsReport.WriteFiles(folder.Path);
        var primary = Test(outcome, "4c");
        Assert.Equal(Verdict.Underpowered, primary.Verdict);
        Assert.Equal(0, primary.Seeds);
        Assert.StartsWith("no target runs: this claims design has no training-loss target", primary.Reason);
        Assert.Equal(Verdict.Underpowered, Test(outcome, "4c-gap").Verdict);
        Assert.Equal(ClaimTest.DefaultSeeds, Test(outcome, "4c-epochs").Seeds);
        Assert.Contains("no target runs", PaperClaims.Tests.Single(t => t.Id == "4c").PlannedPower(ClaimsDesign.Read(path)).Single());
        Assert.True(File.Exists(Path.Combine(folder.Path, "claims.md")));
    }
}
