namespace SgdWalk.Checkpoints;

/// <summary>A run cannot be resumed (nothing to resume, or a checkpoint from another model or option set); one line.</summary>
public sealed class ResumeException(string message) : Exception(message);
