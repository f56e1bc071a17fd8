namespace SgdWalk.Records.Claims;

/// <summary>How a control came out: the claimed effect absent (passed), present (failed), or not measured.</summary>
public enum ControlOutcome
{
    Passed,
    Failed,
    NotMeasured,
}

/// <summary>One control: a claim's test evaluated on an arm where the claimed effect must not appear.</summary>
/// <param name="Test">The test's outcome on the control arm (its per-seed values, interval and verdict).</param>
/// <param name="Undermines">The claims whose verdict cannot be trusted when this control fails.</param>
public sealed record ControlResult(string Name, string Arm, string Expectation, ControlOutcome Outcome, TestResult Test, IReadOnlyList<int> Undermines);

