using System.Text.Json.Nodes;

namespace SgdWalk.Checkpoints;

/// <summary>
/// Where a run stood when a checkpoint was written, and what it must match to be resumed. Steps are counted as
/// done: a checkpoint at step t holds θ_t, the parameters before step t's update.
/// </summary>
public sealed record CheckpointHeader
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    /// <summary>Steps completed; the next step to run is this one (0-based).</summary>
    public required int Step { get; init; }

    /// <summary>The 1-based epoch the next step belongs to.</summary>
    public required int Epoch { get; init; }

    /// <summary>Batches of that epoch already trained (its order is redrawn from the sampler state saved at its start).</summary>
    public required int Position { get; init; }

    /// <summary>SHA-256 of the options that determine the walk (computed by the trainer, which owns the options).</summary>
    public required string OptionsHash { get; init; }

    /// <summary>Those options themselves, so a mismatch can be named.</summary>
    public required JsonObject Options { get; init; }

    /// <summary>Byte lengths of steps.csv, profiles.csv and epochs.csv at this point: resume cuts them back to these.</summary>
    public required Dictionary<string, long> CsvLengths { get; init; }

    /// <summary>SHA-256 of those first bytes of each file (null in checkpoints written before it was kept): resume refuses
    /// a file edited since, instead of cutting it mid-row.</summary>
    public Dictionary<string, string>? CsvHashes { get; init; }

    /// <summary>A fingerprint of the data the run trains and evaluates on (<see cref="DataHash"/>; null in
    /// older checkpoints): resume refuses changed data.</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>SHA-256 of the TorchScript file the run's model came from (null for zoo models and older
    /// checkpoints): resume refuses a changed file.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Counters the files do not hold: recorded steps, and seconds of wall clock, probes and evaluation so far.</summary>
    public Dictionary<string, double> Counters { get; init; } = new();

    /// <summary>Which "model/" tensors are trainable parameters (in the model's order); the rest are buffers.</summary>
    public IReadOnlyList<string> ParameterNames { get; init; } = [];

    /// <summary>Which "model/" tensors are buffers (BatchNorm statistics). A state-dict entry in neither list is an
    /// alias of a parameter under a second name (the mlp's `first` layer) and is not exported twice.</summary>
    public IReadOnlyList<string> BufferNames { get; init; } = [];

    public DateTimeOffset WrittenUtc { get; init; } = DateTimeOffset.UtcNow;
}
