using System.Text.Json;
using System.Text.Json.Nodes;

namespace SgdWalk.Records.Claims;

/// <summary>One claim's verdict, from its tests.</summary>
public sealed record ClaimResult(int Claim, string Statement, Verdict Verdict, string Reason, IReadOnlyList<TestResult> Tests)
{
    /// <summary>Why this verdict cannot be trusted: a control that failed (the reporting project's Controls); null when none did.</summary>
    public string? UnderminedBy { get; init; }

    /// <summary>Claims 1, 2, 5, 6: in how many phases of the horizon runs the claim held (the reporting project's Horizon); null without a horizon.</summary>
    public string? Horizon { get; init; }
}

/// <summary>claims.json: the design, every claim's verdict, the runs it read, and the run folders it left out and why.</summary>
public sealed record ClaimsOutcome(ClaimsDesign Design, IReadOnlyList<ClaimResult> Claims, IReadOnlyList<string> Damaged)
{
    public const string FileName = "claims.json";

    /// <summary>How every interval and verdict was computed (docs/claims.md).</summary>
    public string Inference { get; init; } = "";

    /// <summary>Secondary statistics (PaperClaims.Secondary in the reporting project): reported, never deciding a verdict (no Holm family).</summary>
    public IReadOnlyList<TestResult> Secondary { get; init; } = [];

    /// <summary>Run folders that are not the plan's runs (another run copied in, options changed), named with the reason.</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    /// <summary>Claims 1, 2, 5 and 6a per phase of the horizon runs, each claim's phases Holm-adjusted together (empty without a horizon).</summary>
    public IReadOnlyList<ClaimResult> Horizon { get; init; } = [];

    /// <summary>The negative controls and how they came out (Controls in the reporting project).</summary>
    public IReadOnlyList<ControlResult> Controls { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json) + "\n";
}

