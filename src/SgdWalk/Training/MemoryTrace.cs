using System.Globalization;
using SgdWalk.Platform;
using SgdWalk.Probes;
using SgdWalk.Records;

namespace SgdWalk.Training;

/// <summary>
/// memory.csv: the process's resident memory (VmRSS) and its peak so far (VmHWM), in MiB, after every recorded step,
/// every <see cref="Every"/>th step and every epoch's evaluation, so what grows during a run can be seen after it
/// (issue: the default walk's peak varied from 0.9 to 2.9 GB between days). The numbers depend on the machine and
/// the moment, so they live in a file of their own, never in steps.csv (whose bytes a seed fixes). A resumed run
/// keeps the rows before the step it resumes from and appends. Nothing is written where /proc is absent.
/// </summary>
internal sealed class MemoryTrace : IDisposable
{
    public const int Every = 50;
    private const string Header = "step,recorded_steps,phase,rss_mb,peak_mb";

    private readonly StreamWriter? writer;

    public MemoryTrace(string folder, int? resumeFromStep)
    {
        if (ProcessMemory.ResidentMegabytes() is null) return;
        string path = new RunFolder(folder).Memory;
        var kept = resumeFromStep is { } from && File.Exists(path)
            ? File.ReadLines(path).Skip(1).Where(l => int.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out int s) && s < from).ToList()
            : [];
        writer = new StreamWriter(path, append: false) { NewLine = "\n" };
        writer.WriteLine(Header);
        foreach (var line in kept) writer.WriteLine(line);
    }

    /// <summary>After step <paramref name="step"/>'s row: a row when the step was recorded or is a multiple of <see cref="Every"/>.</summary>
    public void AfterStep(int step, WalkRecorder recorder)
    {
        if (recorder.LastStepRecorded || step % Every == 0) Write(step, recorder.RecordedSteps, recorder.LastStepRecorded ? "recorded" : "step");
    }

    /// <summary>After an epoch's evaluation (the other large allocation of a run).</summary>
    public void AfterEvaluation(int step, WalkRecorder recorder) => Write(step, recorder.RecordedSteps, "evaluation");

    private void Write(int step, int recordedSteps, string phase)
    {
        if (writer is null) return;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{step},{recordedSteps},{phase},{ProcessMemory.ResidentMegabytes():F1},{ProcessMemory.PeakMegabytes():F1}"));
        writer.Flush();
    }

    public void Dispose() => writer?.Dispose();
}
