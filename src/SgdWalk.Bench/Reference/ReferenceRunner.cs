using SgdWalk.Bench.Primitives;

namespace SgdWalk.Bench.Reference;

/// <summary>
/// Runs the plain PyTorch version of the workloads (bench/reference/pytorch_bench.py under Debian's /usr/bin/python3)
/// on an exchange folder and reads its result. ensure-reference.sh (which apt-installs python3-torch and an OpenMP
/// OpenBLAS) runs once, before the first reference run. Any failure becomes <see cref="Problem"/>: one line saying why
/// the reference is missing, while the bench carries on with its own numbers.
/// </summary>
public sealed class ReferenceRunner(string directory)
{
    public const string Script = "pytorch_bench.py", EnsureScript = "ensure-reference.sh", Python = "/usr/bin/python3";
    private static readonly TimeSpan EnsureTimeout = TimeSpan.FromMinutes(30), RunTimeout = TimeSpan.FromHours(2);
    private bool ensured;

    public string Directory { get; } = directory;

    /// <summary>Why the reference cannot run (set by <see cref="Ensure"/>); null while it can.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// The reference folder: <paramref name="overrideDirectory"/> when given, else the first bench/reference/ holding
    /// pytorch_bench.py above the current directory or above this program's own folder.
    /// </summary>
    public static ReferenceRunner? Locate(string? overrideDirectory, out string? problem)
    {
        problem = null;
        if (overrideDirectory is not null)
        {
            if (File.Exists(Path.Combine(overrideDirectory, Script))) return new ReferenceRunner(Path.GetFullPath(overrideDirectory));
            problem = $"--reference-dir {overrideDirectory} has no {Script}";
            return null;
        }
        string[] starts = [Environment.CurrentDirectory, AppContext.BaseDirectory];
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "bench", "reference");
                if (File.Exists(Path.Combine(candidate, Script))) return new ReferenceRunner(candidate);
            }
        problem = $"no bench/reference/{Script} above {starts[0]} or {starts[1]} (--reference-dir names it)";
        return null;
    }

    /// <summary>Installs what the reference needs, once; false (and <see cref="Problem"/>) when that failed.</summary>
    public bool Ensure(CancellationToken cancel)
    {
        if (ensured) return Problem is null;
        ensured = true;
        string ensure = Path.Combine(Directory, EnsureScript);
        if (File.Exists(ensure))
        {
            var result = ChildProcess.Run("bash", [ensure], Directory, EnsureTimeout, cancel);
            if (result.ExitCode != 0) Problem = $"{EnsureScript} failed (exit {result.ExitCode}){result.LastErrorLine}";
        }
        if (Problem is null && !File.Exists(Python)) Problem = $"{Python} does not exist (Debian's python3 runs the reference)";
        return Problem is null;
    }

    /// <summary>Runs the reference on one exchange folder.</summary>
    /// <exception cref="FormatException">It failed or printed no result; the message is one line.</exception>
    public ReferenceResult Run(string exchangeFolder, CancellationToken cancel)
    {
        var result = ChildProcess.Run(Python, [Path.Combine(Directory, Script), Path.GetFullPath(exchangeFolder)], Directory, RunTimeout, cancel);
        if (result.ExitCode != 0) throw new FormatException($"{Script} failed (exit {result.ExitCode}){result.LastErrorLine}");
        return ReferenceResult.Parse(result.Stdout);
    }
}
