using System.Globalization;
using System.Text;
using SgdWalk.Records.Claims;

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

    public static string Interval(TestResult t) => $"[{ClaimTest.Format(t.Low)}, {ClaimTest.Format(t.High)}]";

    internal static string RenderMarkdown(ClaimsOutcome outcome)
    {
        var md = new StringBuilder();
        var d = outcome.Design;
        md.Append("# The paper's claims, tested\n\n")
          .Append(CultureInfo.InvariantCulture, $"Scale {d.Scale}: base learning rate {ClaimTest.Format(d.LearningRate)}, batch size {d.BatchSize}, ")
          .Append(CultureInfo.InvariantCulture, $"{d.Seeds.Count} seeds ({string.Join(", ", d.Seeds)}). ")
          .Append(CultureInfo.InvariantCulture, $"Intervals: {Bootstrap.Level:P0} percentile bootstrap, {Bootstrap.Resamples} resamples, seed {Bootstrap.Seed}.\n\n")
          .Append("| claim | verdict | test | estimate | 95 % CI | why |\n|---|---|---|---|---|---|\n");
        foreach (var c in outcome.Claims)
            foreach (var (t, i) in c.Tests.Select((t, i) => (t, i)))
                md.Append(CultureInfo.InvariantCulture,
                    $"| {(i == 0 ? c.Claim.ToString(CultureInfo.InvariantCulture) : "")} | {(i == 0 ? "**" + VerdictText(c.Verdict) + "**" : "")} | ")
                  .Append(CultureInfo.InvariantCulture,
                    $"{t.Id} {t.Title}: {VerdictText(t.Verdict)} | {ClaimTest.Format(t.Estimate)} | {Interval(t)} | {Escape(t.Reason)} |\n");
        md.Append("\n## The tests\n\n");
        foreach (var c in outcome.Claims)
        {
            md.Append(CultureInfo.InvariantCulture, $"### Claim {c.Claim}: {VerdictText(c.Verdict)}\n\n{c.Statement}\n\n");
            foreach (var t in c.Tests)
                md.Append(CultureInfo.InvariantCulture, $"- **{t.Id}** {t.Statistic}. Resampled: {t.Unit}. Supported when the {t.SupportedWhen[5..]}; ")
                  .Append(CultureInfo.InvariantCulture, $"contradicted when the {t.ContradictedWhen[5..]} ({t.Why}). Estimate {ClaimTest.Format(t.Estimate)}, ")
                  .Append(CultureInfo.InvariantCulture, $"CI {Interval(t)} from {t.Seeds} seeds: **{VerdictText(t.Verdict)}**, {t.Reason}. ")
                  .Append(CultureInfo.InvariantCulture, $"Runs: {string.Join(", ", t.Runs)}.\n");
            md.Append(CultureInfo.InvariantCulture, $"\n![claim {c.Claim}](figures/claim-{c.Claim}.png)\n\n");
        }
        foreach (var line in outcome.Damaged) md.Append("- ").Append(line).Append('\n');
        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
