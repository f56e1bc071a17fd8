namespace SgdWalk.Data;

/// <summary>
/// A data file is malformed. The message is one line, "{Path}: {Problem}", so the CLI can print it as-is.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
        Problem = problem;
    }

    public DataFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    public string Path { get; }

    public string Problem { get; }
}
