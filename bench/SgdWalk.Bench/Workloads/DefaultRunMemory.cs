using System.Globalization;
using SgdWalk.Bench.Primitives;
using SgdWalk.Training;

namespace SgdWalk.Bench.Workloads;

/// <summary>The peak memory of a default walk (`sgdwalk train`, report included) in a process of its own.</summary>
public sealed record DefaultRunPeak(string Model, int Steps, double PeakMb, double WallMs, string? Problem);

/// <summary>
/// The memory target is about the default run, whose peak the bench's own process cannot show (it holds its own
/// copy of the data, and glibc keeps freed heap under the launcher's tunables). So the default walk runs as a child
/// process for a few steps (the first steps are recorded, then the end-of-epoch evaluation and the report run: every
/// allocation the full run makes), and its VmHWM is read from /proc/PID/status while it runs.
/// </summary>
public static class DefaultRunMemory
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    /// <param name="sgdwalk">The command line that starts sgdwalk, e.g. <c>dotnet …/SgdWalk.Cli.dll</c>: the bench does not
    /// know where its client's program lives.</param>
    public static DefaultRunPeak Measure(string model, int threads, BenchPlan plan, IReadOnlyList<string> sgdwalk, CancellationToken cancel)
    {
        int steps = plan.Quick ? 2 : 5;
        string folder = Path.Combine(Path.GetTempPath(), $"sgdwalk-bench-default-{Guid.NewGuid():N}");
        var arguments = new List<string>(sgdwalk.Skip(1))
        {
            "train", "--model", model, "--dataset", plan.Dataset,
            "--steps", steps.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--seed", plan.Seed.ToString(CultureInfo.InvariantCulture), "--out", folder,
        };
        if (plan.DataDir is not null) arguments.AddRange(["--data-dir", plan.DataDir]);
        double peak = 0;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var result = ChildProcess.Run(sgdwalk[0], arguments, Environment.CurrentDirectory, Timeout, cancel,
                pid => peak = Math.Max(peak, ProcessMemory.PeakMegabytes(pid) ?? 0));
            double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            string? problem = result.ExitCode != 0 ? $"sgdwalk train exited with {result.ExitCode}{result.LastErrorLine}"
                : peak == 0 ? "could not read the child's /proc/PID/status" : null;
            return new DefaultRunPeak(model, steps, peak > 0 ? peak : double.NaN, ms, problem);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
