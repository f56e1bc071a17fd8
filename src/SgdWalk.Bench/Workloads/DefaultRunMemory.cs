using System.Globalization;
using SgdWalk.Bench.Primitives;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Bench.Workloads;

/// <summary>
/// The memory of a whole walk in its own process: its peak (VmHWM), and how much its resident memory grew after the
/// first <see cref="DefaultRunMemory.SettleRecordedSteps"/> recorded steps (from the run's memory.csv: a walk whose
/// memory is predictable is flat from there on). <paramref name="Steps"/> and <paramref name="RecordedSteps"/> say what ran.
/// </summary>
public sealed record DefaultRunPeak(string Model, int Steps, double PeakMb, double WallMs, string? Problem, int RecordedSteps = 0,
    double GrowthAfterSettleMb = double.NaN);

/// <summary>
/// The memory targets are about whole walks, whose peak the bench's own process cannot show (it holds its own copy
/// of the data, and glibc keeps freed heap under the launcher's tunables). So the walk runs as a child process:
/// the mlp's whole default walk (550 steps, 100 recorded, evaluations and report), small-cnn's 60-step walk with 10
/// recorded steps; its VmHWM is read from /proc/PID/status while it runs, and its memory.csv afterwards.
/// </summary>
public static class DefaultRunMemory
{
    /// <summary>Growth is measured from the resident memory after this many recorded steps (recorded step 3, counting
    /// from 0: the memory test's and the bound) to the end of the run.</summary>
    public const int SettleRecordedSteps = 4;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(40);

    /// <summary>The walk measured for a model: its steps (null = the default, the whole walk) and record schedule.</summary>
    public static (int? Steps, string? Record) WalkOf(string model, bool quick) =>
        quick ? (2, null) : model == "mlp" ? (null, null) : (60, "every:6");

    /// <param name="sgdwalk">The command line that starts sgdwalk, e.g. <c>dotnet …/SgdWalk.Cli.dll</c>: the bench does not
    /// know where its client's program lives.</param>
    public static DefaultRunPeak Measure(string model, int threads, BenchPlan plan, IReadOnlyList<string> sgdwalk, CancellationToken cancel)
    {
        var (steps, record) = WalkOf(model, plan.Quick);
        string folder = Path.Combine(Path.GetTempPath(), $"sgdwalk-bench-default-{Guid.NewGuid():N}");
        var arguments = new List<string>(sgdwalk.Skip(1))
        {
            "train", "--model", model, "--dataset", plan.Dataset, "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--seed", plan.Seed.ToString(CultureInfo.InvariantCulture), "--out", folder,
        };
        if (steps is { } n) arguments.AddRange(["--steps", n.ToString(CultureInfo.InvariantCulture)]);
        if (record is not null) arguments.AddRange(["--record", record]);
        if (plan.DataDir is not null) arguments.AddRange(["--data-dir", plan.DataDir]);
        double peak = 0;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var result = ChildProcess.Run(sgdwalk[0], arguments, Environment.CurrentDirectory, Timeout, cancel,
                pid => peak = Math.Max(peak, ProcessMemory.PeakMegabytes(pid) ?? 0));
            double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            // The walk's own account (run.json's counts.peak_memory_mb, VmHWM read by the walk as it ends) is exact; the
            // polled reading is the fallback for a walk that ended without one, and may miss a short-lived peak.
            if (ReportedPeak(folder) is { } reported) peak = reported;
            string? problem = result.ExitCode != 0 ? $"sgdwalk train exited with {result.ExitCode}{result.LastErrorLine}"
                : peak == 0 ? "could not read the child's /proc/PID/status" : null;
            var (ran, recorded, growth) = Trace(folder);
            // A walk that failed before its first row counts as the steps it was asked for.
            return new DefaultRunPeak(model, ran > 0 ? ran : steps ?? 0, peak > 0 ? peak : double.NaN, ms, problem, recorded, growth);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>run.json's counts.peak_memory_mb, when the walk wrote it.</summary>
    public static double? ReportedPeak(string runFolder)
    {
        string manifest = new RunFolder(runFolder).Manifest;
        if (!File.Exists(manifest)) return null;
        try
        {
            return RunManifest.Read(manifest).Counts.TryGetValue("peak_memory_mb", out long mb) && mb > 0 ? mb : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>From memory.csv: steps run, recorded steps, and the largest VmRSS after the settle point minus VmRSS there.</summary>
    public static (int Steps, int RecordedSteps, double GrowthMb) Trace(string runFolder)
    {
        string file = new RunFolder(runFolder).Memory;
        if (!File.Exists(file)) return (0, 0, double.NaN);
        var rows = CsvTable.Read(file).Rows
            .Select(r => (Step: int.Parse(r[0], CultureInfo.InvariantCulture), Recorded: int.Parse(r[1], CultureInfo.InvariantCulture),
                Rss: double.Parse(r[3], CultureInfo.InvariantCulture)))
            .ToList();
        if (rows.Count == 0) return (0, 0, double.NaN);
        int settle = rows.FindIndex(r => r.Recorded >= SettleRecordedSteps);
        double growth = settle < 0 ? double.NaN : rows.Skip(settle).Max(r => r.Rss) - rows[settle].Rss;
        return (rows[^1].Step, rows[^1].Recorded, growth);
    }
}
