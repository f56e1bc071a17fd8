namespace SgdWalk.Records;

/// <summary>Where a run stands; written to run.json in lower case.</summary>
public enum RunStatus
{
    Running,
    Completed,
    Failed,
    Diverged,
    Interrupted,
}
