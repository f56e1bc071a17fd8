namespace SgdWalk.Records.Claims;

/// <summary>
/// The corrugated-valley positive control of claim 4 (docs/claims.md, "Controls"): per seed, SGD and floor-sgd on the
/// network-free `valley` model (a valley whose floor has a barrier every period) and on `valley-flat` (the same valley
/// with a straight floor), all at this learning rate and batch size. Test 4a must find the barriers of the one and none
/// on the other; floor-sgd must stall on the one and not on the other. The design carries what the reporting needs to
/// find and describe these runs, since it reads files only.
/// </summary>
public sealed record ValleyControl
{
    /// <summary>The model of the corrugated valley's runs (run.json's options.model).</summary>
    public const string Corrugated = "valley";

    /// <summary>The model of the flat valley's runs.</summary>
    public const string Flat = "valley-flat";

    public double LearningRate { get; init; }

    public int BatchSize { get; init; }

    /// <summary>Recorded steps per run after the first epoch: the floor segments 4a counts per seed.</summary>
    public long RecordedSteps { get; init; }

    /// <summary>b of the corrugated valley's floor (the flat one has b = 0).</summary>
    public double Corrugation { get; init; }

    /// <summary>The landscape in words, with its constants (for the reports).</summary>
    public string Landscape { get; init; } = "";

    /// <summary>Is this a run of the control (a valley model), not of the claims' network?</summary>
    public static bool Runs(string model) => model is Corrugated or Flat;
}
