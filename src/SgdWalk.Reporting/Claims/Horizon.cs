using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>
/// One of claims 1, 2, 5 and 6a read in one phase of the horizon runs (one epoch: early, middle or late of a run trained
/// <see cref="ClaimsDesign.HorizonEpochs"/>): the same statistic, bounds and inference as <paramref name="inner"/>, on
/// the rows of that epoch of the long runs instead of the second epoch of the two-epoch ones.
/// </summary>
public sealed class PhaseTest(ClaimTest inner, string phase, int epoch) : ClaimTest
{
    public override string Id => $"{inner.Id}-{phase}";
    public override string Title => $"{inner.Title}, {phase} (epoch {epoch} of the horizon)";
    public override TestKind Kind => inner.Kind;
    public override string Statistic => $"{inner.Statistic}; read in epoch {epoch} of the horizon runs instead";
    public override string ValueLabel => inner.ValueLabel;
    public override string SeedValueLabel => inner.SeedValueLabel;
    public override string ShortName => inner.ShortName;
    public override string UnitName => inner.UnitName;
    public override Direction Direction => inner.Direction;
    public override double SupportBound => inner.SupportBound;
    public override double ContradictBound => inner.ContradictBound;
    public override string Why => inner.Why;
    public override int MinimumValues => inner.MinimumValues;
    public override long? PlannedUnitsPerRun(ClaimsDesign design) => inner.PlannedUnitsPerRun(design);
    public override IReadOnlyList<Role> Roles(ClaimsDesign design) => [.. inner.Roles(design).Select(r => r with { Horizon = true })];
    public override double[] Values(ClaimRun run) => inner.Values(run.InEpochs(epoch, epoch));
    public override double Summarise(double[] values) => inner.Summarise(values);
    public override double PerSeed(SeedSample seed) => inner.PerSeed(seed);
}

/// <summary>
/// "For most of training" (docs/claims.md, "Horizon"): claims 1, 2, 5 and 6a tested in three phases of long runs. Each
/// claim's phases form a Holm family of their own; the claim holds for most of training when at least two of its three
/// phases come out supported. The two-epoch verdict stays; the horizon is stated next to it.
/// </summary>
public static class Horizon
{
    /// <summary>The tests read per phase: the parts of claims 1, 2, 5 and 6 that speak of "most of training".</summary>
    private static readonly string[] PhasedTests = ["1", "2", "5", "6a"];

    public static readonly string[] PhaseNames = ["early", "middle", "late"];

    /// <summary>The phase tests of a design (none without a horizon).</summary>
    public static IReadOnlyList<ClaimTest> Tests(ClaimsDesign design) =>
        design.HorizonEpochs <= 0 || design.PhaseEpochs.Count != PhaseNames.Length ? []
            : [.. PhasedTests.SelectMany(id => PhaseNames.Select((name, i) =>
                (ClaimTest)new PhaseTest(PaperClaims.Tests.Single(t => t.Id == id), name, design.PhaseEpochs[i])))];

    /// <summary>Each phased claim's phase tests, Holm-adjusted within the claim.</summary>
    public static IReadOnlyList<ClaimResult> Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs)
    {
        var tests = Tests(design).Select(t => t.Evaluate(design, runs)).ToList();
        return [.. tests.GroupBy(t => t.Claim).Select(g =>
            ClaimsEvaluation.Combine(g.Key, PaperClaims.Statements.Single(s => s.Number == g.Key).Statement, g.ToList()))];
    }

    /// <summary>States next to each phased claim in how many phases it held, and whether that is most of training.</summary>
    public static IReadOnlyList<ClaimResult> Mark(IReadOnlyList<ClaimResult> claims, IReadOnlyList<ClaimResult> horizon, ClaimsDesign design) =>
        [.. claims.Select(c => horizon.FirstOrDefault(h => h.Claim == c.Claim) is { } h ? c with { Horizon = Statement(h, design) } : c)];

    private static string Statement(ClaimResult horizon, ClaimsDesign design)
    {
        int supported = horizon.Tests.Count(t => t.Verdict == Verdict.Supported);
        string phases = string.Join(", ", horizon.Tests.Select(t => $"{t.Id} {ClaimsReport.VerdictText(t.Verdict)}"));
        string most = supported * 2 > horizon.Tests.Count ? "holds for most of training"
            : horizon.Tests.Any(t => t.Verdict == Verdict.Underpowered) ? "not shown for most of training (underpowered phases)"
            : "NOT shown for most of training";
        return $"horizon ({design.HorizonEpochs} epochs, phases epochs {string.Join(", ", design.PhaseEpochs)}): supported in {supported} of {horizon.Tests.Count} phases ({phases}): {most}";
    }
}
