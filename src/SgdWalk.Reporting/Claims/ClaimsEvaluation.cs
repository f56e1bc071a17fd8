using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Records.Claims;

namespace SgdWalk.Reporting.Claims;

/// <summary>
/// Evaluates every claim on a claims folder's files alone (claims-design.json, sweep.json and the run folders in it):
/// the verdicts `sgdwalk claims` prints and `sgdwalk report` redraws are this one computation.
/// </summary>
public static class ClaimsEvaluation
{
    public const string Method =
        "per-seed values; 95 % t-interval over seeds (mean ± t_{0.975,n−1}·s/√n), shares widened to the Clopper–Pearson interval of the pooled units; " +
        "equivalence by TOST (90 % interval inside ±δ); verdicts Holm-adjusted within each claim at 0.05";

    /// <summary>
    /// Options that say where or how fast a run ran, not what it measured: a run that differs from its planned cell only
    /// in these is still the plan's run.
    /// </summary>
    private static readonly string[] Incidental = ["data_dir", "threads", "device", "tensor_board", "checkpoint_every", "keep_checkpoints"];

    public static bool IsClaimsFolder(string folder) => File.Exists(Path.Combine(folder, ClaimsDesign.FileName));

    public static ClaimsOutcome Evaluate(string folder)
    {
        var design = ClaimsDesign.Read(Path.Combine(folder, ClaimsDesign.FileName));
        var planned = Planned(folder);
        var runs = new List<ClaimRun>();
        var damaged = new List<string>();
        var leftOut = new List<string>();
        foreach (var d in Directory.EnumerateDirectories(folder).Where(d => File.Exists(new RunFolder(d).Manifest)).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(d);
            // One damaged run costs the tests that need it (they say which), not every claim.
            try
            {
                if (planned is not null && Difference(name, RunManifest.Read(new RunFolder(d).Manifest).Options, planned) is { } why)
                {
                    leftOut.Add($"run {name} left out: {why}");
                    continue;
                }
                runs.Add(ClaimRun.Load(d));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
            {
                damaged.Add($"run {name} left out: {e.Message}");
            }
        }
        return Evaluate(design, runs, damaged) with { LeftOut = leftOut };
    }

    public static ClaimsOutcome Evaluate(ClaimsDesign design, IReadOnlyList<ClaimRun> runs, IReadOnlyList<string>? damaged = null)
    {
        // The valley control's runs share learning rates and optimizers with the network's: only the controls read them.
        var network = runs.Where(r => !ValleyControl.Runs(r.Model)).ToList();
        var tests = PaperClaims.Tests.Select(t => t.Evaluate(design, network)).ToList();
        var claims = PaperClaims.Statements.Select(s => Combine(s.Number, s.Statement, tests.Where(t => t.Claim == s.Number).ToList())).ToList();
        var controls = Controls.Evaluate(design, runs);
        var secondary = PaperClaims.Secondary.Select(t => t.Evaluate(design, network)).ToList();
        var horizon = Horizon.Evaluate(design, network);
        return new ClaimsOutcome(design, Horizon.Mark(Controls.Mark(claims, controls), horizon, design), damaged ?? [])
        {
            Inference = Method, Controls = controls, Secondary = secondary, Horizon = horizon,
        };
    }

    /// <summary>
    /// Holm's step-down over the claim's tests, then the claim's verdict. A test keeps the verdict its seeds point to
    /// only when its Holm-adjusted p-value is below 0.05 (else it becomes inconclusive and says so). The claim asserts all
    /// its parts: contradicted when any adjusted part is contradicted; supported when every part is supported; otherwise
    /// underpowered when a part is, else inconclusive.
    /// </summary>
    public static ClaimResult Combine(int claim, string statement, IReadOnlyList<TestResult> tests)
    {
        var adjusted = Holm.Adjust(tests.Select(t => t.PValue).ToList());
        tests = tests.Select((t, i) =>
        {
            var result = t with { AdjustedPValue = adjusted[i] };
            if (t.UnadjustedVerdict is Verdict.Supported or Verdict.Contradicted && !(adjusted[i] < ClaimTest.Alpha))
                return result with
                {
                    Verdict = Verdict.Inconclusive,
                    Reason = $"{t.Reason}, but its Holm-adjusted p = {ClaimTest.Format(adjusted[i])} over the claim's {tests.Count} tests is not below 0.05",
                };
            return result;
        }).ToList();
        string Parts(Verdict v) => string.Join("; ", tests.Where(t => t.Verdict == v).Select(t => tests.Count > 1 ? $"{t.Id}: {t.Reason}" : t.Reason));
        if (tests.Any(t => t.Verdict == Verdict.Contradicted)) return new(claim, statement, Verdict.Contradicted, Parts(Verdict.Contradicted), tests);
        if (tests.All(t => t.Verdict == Verdict.Supported)) return new(claim, statement, Verdict.Supported, Parts(Verdict.Supported), tests);
        if (tests.Any(t => t.Verdict == Verdict.Underpowered)) return new(claim, statement, Verdict.Underpowered, Parts(Verdict.Underpowered), tests);
        return new(claim, statement, Verdict.Inconclusive, Parts(Verdict.Inconclusive), tests);
    }

    /// <summary>The plan's cells by folder name, each with its full options (sweep.json's shared ones and its own); null without sweep.json.</summary>
    private static Dictionary<string, JsonObject>? Planned(string folder)
    {
        string path = Path.Combine(folder, SweepManifest.FileName);
        if (!File.Exists(path)) return null;
        var manifest = SweepManifest.Read(path);
        return manifest.Cells.ToDictionary(c => c.Name, c =>
        {
            var options = (JsonObject)manifest.Shared.DeepClone();
            foreach (var (key, value) in c.Options) options[key] = value?.DeepClone();
            return options;
        });
    }

    /// <summary>Why a run folder is not the plan's run of that name (its options as run.json spells them), or null when it is.</summary>
    public static string? Difference(string name, JsonObject options, IReadOnlyDictionary<string, JsonObject> planned)
    {
        if (!planned.TryGetValue(name, out var plan)) return "not a run of the plan (sweep.json has no cell of that name)";
        var differ = plan.Where(p => !Incidental.Contains(p.Key) && !JsonNode.DeepEquals(p.Value, options[p.Key]))
            .Select(p => $"{p.Key} {options[p.Key]?.ToJsonString() ?? "absent"}, planned {p.Value?.ToJsonString() ?? "null"}").ToList();
        return differ.Count == 0 ? null : $"options differ from the plan ({string.Join("; ", differ.Take(4))}{(differ.Count > 4 ? "; …" : "")})";
    }
}
