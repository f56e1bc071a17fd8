using SgdWalk.Probes;

namespace SgdWalk.Training;

/// <summary>
/// A run's `--alignment` options as run.json records them (<see cref="TrainOptions.Alignment"/>; null = off); mapped onto
/// the recorder's <see cref="AlignmentOptions"/> by <see cref="TrainOptions.ToRecorderOptions()"/>, which holds the defaults
/// and the checks.
/// </summary>
public sealed record AlignmentSettings
{
    /// <summary>Steps measured: every:N, steps:A-B, epochs:1,2 joined by '+'.</summary>
    public string Schedule { get; init; } = AlignmentOptions.Defaults.Schedule;

    public int TopK { get; init; } = AlignmentOptions.Defaults.TopK;

    public IReadOnlyList<int> BatchSizes { get; init; } = [25, 100, 400];

    public int Batches { get; init; } = AlignmentOptions.Defaults.Batches;

    public int EigenIterations { get; init; } = AlignmentOptions.Defaults.EigenIterations;

    public double EigenTolerance { get; init; } = AlignmentOptions.Defaults.EigenTolerance;
}
