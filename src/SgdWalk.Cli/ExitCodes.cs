namespace SgdWalk.Cli;

/// <summary>Process exit codes, so scripts and schedulers can tell outcomes apart.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;
    public const int Diverged = 3;
    public const int Interrupted = 130;
}
