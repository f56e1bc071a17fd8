namespace SgdWalk.Probes;

/// <summary>
/// What a library user may say about a walk recorded from their own loop, for the run.json the recorder writes
/// (<see cref="WalkRecorder"/>); everything is optional. Unset, the model is named by its class, and the learning rate and
/// batch size are those of the first recorded step.
/// </summary>
public sealed record RunDescription(string? Model = null, string? Dataset = null, double? LearningRate = null, int? BatchSize = null,
    long? Seed = null);
