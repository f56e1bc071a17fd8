namespace SgdWalk.Training;

/// <summary>Where a run stands, for progress bars.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, int TotalEpochs, double TrainLoss);

/// <summary>How a run ended.</summary>
public sealed record TrainingResult(SgdWalk.Records.RunStatus Status, string? Message, int Steps, int RecordedSteps);
