using System.Text.Json;

namespace SgdWalk.Records.Claims;

/// <summary>One claim's verdict, from its tests.</summary>
public sealed record ClaimResult(int Claim, string Statement, Verdict Verdict, string Reason, IReadOnlyList<TestResult> Tests);

/// <summary>claims.json: the design, every claim's verdict, and the runs it read.</summary>
public sealed record ClaimsOutcome(ClaimsDesign Design, IReadOnlyList<ClaimResult> Claims, IReadOnlyList<string> Damaged)
{
    public const string FileName = "claims.json";

    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json) + "\n";
}

/// <summary>
/// Evaluates every claim on a claims folder's files alone (claims-design.json and the run folders in it): the
/// verdicts `sgdwalk claims` prints and `sgdwalk report` redraws are this one computation.
/// </summary>
public static class ClaimsEvaluation
{
    public static bool IsClaimsFolder(string folder) => File.Exists(Path.Combine(folder, ClaimsDesign.FileName));

    public static ClaimsOutcome Evaluate(string folder)
    {
        var design = ClaimsDesign.Read(Path.Combine(folder, ClaimsDesign.FileName));
        var runs = new List<ClaimRun>();
        var damaged = new List<string>();
        foreach (var d in Directory.EnumerateDirectories(folder).Where(d => File.Exists(new RunFolder(d).Manifest)).Order(StringComparer.Ordinal))
        {
            // One damaged run costs the tests that need it (they say which), not every claim.
            try { runs.Add(ClaimRun.Load(d)); }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
            {
                damaged.Add($"run {Path.GetFileName(d)} left out: {e.Message}");
            }
        }
        return Evaluate(design, runs, damaged);
    }

    public static ClaimsOutcome Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs, IReadOnlyList<string>? damaged = null)
    {
        var tests = PaperClaims.Tests.Select(t => t.Evaluate(design, runs)).ToList();
        var claims = PaperClaims.Statements.Select(s => Combine(s.Number, s.Statement, tests.Where(t => t.Claim == s.Number).ToList())).ToList();
        return new ClaimsOutcome(design, claims, damaged ?? []);
    }

    /// <summary>Supported when every part is; contradicted when any part is (the claim asserts them all); else inconclusive.</summary>
    public static ClaimResult Combine(int claim, string statement, IReadOnlyList<TestResult> tests)
    {
        string Parts(Verdict v) => string.Join("; ", tests.Where(t => t.Verdict == v).Select(t => tests.Count > 1 ? $"{t.Id}: {t.Reason}" : t.Reason));
        if (tests.Any(t => t.Verdict == Verdict.Contradicted)) return new(claim, statement, Verdict.Contradicted, Parts(Verdict.Contradicted), tests);
        if (tests.All(t => t.Verdict == Verdict.Supported)) return new(claim, statement, Verdict.Supported, Parts(Verdict.Supported), tests);
        return new(claim, statement, Verdict.Inconclusive, Parts(Verdict.Inconclusive), tests);
    }
}
