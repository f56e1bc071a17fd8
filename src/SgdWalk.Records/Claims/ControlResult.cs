namespace SgdWalk.Records.Claims;

/// <summary>How a control came out: as expected (passed), not (failed), or not measured.</summary>
public enum ControlOutcome
{
    Passed,
    Failed,
    NotMeasured,
}

/// <summary>What a control expects of its test: a negative control that it does not come out supported (the effect cannot be
/// there), a positive one that it does (the effect is built in).</summary>
public enum ControlExpectation
{
    NotSupported,
    Supported,
}

/// <summary>One control: a claim's test evaluated on an arm where the claimed effect must not appear (negative) or must (positive).</summary>
/// <param name="Test">The test's outcome on the control arm (its per-seed values, interval and verdict).</param>
/// <param name="Undermines">The claims whose verdict cannot be trusted when this control fails.</param>
public sealed record ControlResult(string Name, string Arm, string Expectation, ControlOutcome Outcome, TestResult Test, IReadOnlyList<int> Undermines)
{
    /// <summary>Negative (the default, as every control before the valley's) or positive.</summary>
    public ControlExpectation Expects { get; init; } = ControlExpectation.NotSupported;
}

