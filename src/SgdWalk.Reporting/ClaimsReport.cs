using System.Globalization;
using System.Text;
using SgdWalk.Records.Claims;
using SgdWalk.Reporting.Claims;

namespace SgdWalk.Reporting;

/// <summary>
/// claims.json and claims.md of a claims folder, recomputed from its files alone (claims-design.json and the run
/// folders): `sgdwalk claims` writes them at its end and `sgdwalk report` rewrites them, the same numbers both times.
/// </summary>
public static class ClaimsReport
{
    public const string Markdown = "claims.md";

    /// <summary>Evaluates the claims and writes claims.json and claims.md into the folder.</summary>
    public static ClaimsOutcome WriteFiles(string folder)
    {
        var outcome = ClaimsEvaluation.Evaluate(folder);
        File.WriteAllText(Path.Combine(folder, ClaimsOutcome.FileName), outcome.ToJson());
        File.WriteAllText(Path.Combine(folder, Markdown), RenderMarkdown(outcome));
        return outcome;
    }

    public static string VerdictText(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    /// <summary>A control's outcome in words.</summary>
    public static string ControlText(ControlOutcome outcome) => outcome switch
    {
        ControlOutcome.Passed => "passed",
        ControlOutcome.Failed => "FAILED",
        _ => "not measured",
    };

    /// <summary>"negative" (must not come out supported) or "positive" (must).</summary>
    public static string ControlKind(ControlResult control) => control.Expects == ControlExpectation.Supported ? "positive" : "negative";

    /// <summary>A claim's verdict with the mark of a failed control.</summary>
    public static string ClaimVerdictText(ClaimResult claim) =>
        VerdictText(claim.Verdict) + (claim.UnderminedBy is null ? "" : " (undermined by a failed control)");

    public static string Interval(TestResult t) => $"[{ClaimTest.Format(t.Low)}, {ClaimTest.Format(t.High)}]";

    /// <summary>The per-seed values of a test's primary statistic, in seed order (what the interval is computed from).</summary>
    public static string SeedValues(TestResult t) =>
        t.SeedValues.Count == 0 ? "none" : string.Join(" ", t.SeedValues.Select(v => v.Value.ToString("0.###", CultureInfo.InvariantCulture)));

    /// <summary>The p-value and the Holm-adjusted one ("p 0.001, Holm 0.003").</summary>
    public static string PValues(TestResult t) => $"p {Significant(t.PValue)}, Holm {Significant(t.AdjustedPValue)}";

    private static string Significant(double p) => double.IsNaN(p) ? "n/a" : p.ToString(p < 0.001 ? "0.0e0" : "0.###", CultureInfo.InvariantCulture);

    internal static string RenderMarkdown(ClaimsOutcome outcome)
    {
        var md = new StringBuilder();
        var d = outcome.Design;
        md.Append("# The paper's claims, tested\n\n")
          .Append(CultureInfo.InvariantCulture, $"Scale {d.Scale}: base learning rate {ClaimTest.Format(d.LearningRate)}, batch size {d.BatchSize}, ")
          .Append(CultureInfo.InvariantCulture, $"{d.Seeds.Count} seeds ({string.Join(", ", d.Seeds)}). ")
          .Append(CultureInfo.InvariantCulture, $"Inference: {outcome.Inference}. A verdict needs at least {ClaimTest.MinimumSeeds} seeds; ")
          .Append("each test's estimate is the mean of its per-seed values, listed in seed order.\n\n")
          .Append("| claim | verdict | test | estimate | 95 % CI | p | per-seed values | why |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var c in outcome.Claims)
            foreach (var (t, i) in c.Tests.Select((t, i) => (t, i)))
                md.Append(CultureInfo.InvariantCulture,
                    $"| {(i == 0 ? c.Claim.ToString(CultureInfo.InvariantCulture) : "")} | {(i == 0 ? "**" + ClaimVerdictText(c) + "**" : "")} | ")
                  .Append(CultureInfo.InvariantCulture,
                    $"{t.Id} {t.Title}: {VerdictText(t.Verdict)} | {ClaimTest.Format(t.Estimate)} | {Interval(t)} | {PValues(t)} | {SeedValues(t)} | {Escape(t.Reason)} |\n");
        if (outcome.Controls.Count > 0)
        {
            md.Append("\n## Controls\n\nTests that must not come out supported where the claimed effect cannot be (negative controls), and tests that must ")
              .Append("where it is built in (positive controls; docs/claims.md, \"Controls\"); a failed control marks the claims it undermines.\n\n")
              .Append("| control | kind | arm | expectation | outcome | estimate | 95 % CI | per-seed values | undermines |\n|---|---|---|---|---|---|---|---|---|\n");
            foreach (var k in outcome.Controls)
                md.Append(CultureInfo.InvariantCulture,
                    $"| {k.Name} | {ControlKind(k)} | {k.Arm} | {k.Expectation} | **{ControlText(k.Outcome)}** ({VerdictText(k.Test.Verdict)}) | {ClaimTest.Format(k.Test.Estimate)} | {Interval(k.Test)} | {SeedValues(k.Test)} | ")
                  .Append(CultureInfo.InvariantCulture, $"claim {string.Join(", ", k.Undermines)} |\n");
        }
        if (outcome.Horizon.Count > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## Horizon: for most of training\n\nClaims 1, 2, 5 and 6a again, each in three epochs of runs trained {d.HorizonEpochs} epochs ")
              .Append("(docs/claims.md, \"Horizon\"): each claim's phases are Holm-adjusted together, and the claim holds for most of training when at ")
              .Append("least two of its three phases are supported.\n\n| claim | phase test | estimate | 95 % CI | p | per-seed values | why |\n|---|---|---|---|---|---|---|\n");
            foreach (var h in outcome.Horizon)
                foreach (var t in h.Tests)
                    md.Append(CultureInfo.InvariantCulture,
                        $"| {h.Claim} | {t.Id}: {VerdictText(t.Verdict)} | {ClaimTest.Format(t.Estimate)} | {Interval(t)} | {PValues(t)} | {SeedValues(t)} | {Escape(t.Reason)} |\n");
            md.Append('\n');
            foreach (var c in outcome.Claims.Where(c => c.Horizon is not null))
                md.Append(CultureInfo.InvariantCulture, $"- **Claim {c.Claim}** ({VerdictText(c.Verdict)} in the two-epoch runs), {Escape(c.Horizon!)}\n");
        }
        foreach (var c in outcome.Claims.Where(c => c.UnderminedBy is not null))
            md.Append(CultureInfo.InvariantCulture, $"\n**Claim {c.Claim}'s verdict is undermined:** {Escape(c.UnderminedBy!)}\n");
        md.Append("\n## The tests\n\n");
        foreach (var c in outcome.Claims)
        {
            md.Append(CultureInfo.InvariantCulture, $"### Claim {c.Claim}: {VerdictText(c.Verdict)}\n\n{c.Statement}\n\n");
            foreach (var t in c.Tests)
                md.Append(CultureInfo.InvariantCulture, $"- **{t.Id}** {t.Statistic} ({t.Kind.ToString().ToLowerInvariant()} test on seeds). ")
                  .Append(CultureInfo.InvariantCulture, $"Supported when the {t.SupportedWhen}; contradicted when the {t.ContradictedWhen} ({t.Why}). ")
                  .Append(CultureInfo.InvariantCulture, $"Estimate {ClaimTest.Format(t.Estimate)}, CI {Interval(t)} from {t.Seeds} seeds")
                  .Append(t.Units > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({t.Events} events in {t.Units} units pooled)") : "")
                  .Append(CultureInfo.InvariantCulture, $", {PValues(t)}: **{VerdictText(t.Verdict)}**, {t.Reason}. ")
                  .Append(CultureInfo.InvariantCulture, $"Per seed ({t.SeedValueLabel}): {SeedValues(t)}. Runs: {string.Join(", ", t.Runs)}.\n");
            md.Append(CultureInfo.InvariantCulture, $"\n![claim {c.Claim}](figures/claim-{c.Claim}.png)\n\n");
        }
        if (outcome.Secondary.Count > 0)
            md.Append("## Secondary statistics (reported, never deciding a verdict)\n\n");
        foreach (var t in outcome.Secondary)
            md.Append(CultureInfo.InvariantCulture, $"- **{t.Id}** {t.Title}. {t.Statistic}. ")
              .Append(CultureInfo.InvariantCulture, $"Estimate {ClaimTest.Format(t.Estimate)}, CI {Interval(t)} from {t.Seeds} seeds; what it would say alone: {VerdictText(t.Verdict)} ({t.Reason}). ")
              .Append(CultureInfo.InvariantCulture, $"Per seed ({t.SeedValueLabel}): {SeedValues(t)}.\n");
        if (outcome.Secondary.Count > 0) md.Append('\n');
        if (outcome.LeftOut.Count + outcome.Damaged.Count > 0) md.Append("## Run folders left out\n\n");
        foreach (var line in outcome.LeftOut.Concat(outcome.Damaged)) md.Append("- ").Append(line).Append('\n');
        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
