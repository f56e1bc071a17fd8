using System.Globalization;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Reporting;
using SgdWalk.Training;
using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>What `train` and `resume` share: the progress bar around the library's run, the summary, the report and
/// the exit code that tells how the run ended.</summary>
internal static class RunConsole
{
    public static int Execute(IAnsiConsole console, RunFolder folder, ReportOptions reportOptions, bool noReport,
        Func<Action<TrainingProgress>, TrainingResult> run)
    {
        ProcessSwitches.Configure();
        TrainingResult result;
        try
        {
            result = WithProgress(console, run);
        }
        catch (ResumeException e)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e)
        {
            // Anything that stops a run once its options were accepted (a device that is not there, a model too large
            // for memory, a corrupt data file, a full disk) is a failure while running: exit 1, never a stack trace.
            CliError.Write(console, OneLine(e));
            if (Restore(folder))
            {
                console.MarkupLineInterpolated($"[grey]the new run failed before its first step; the run it was to replace in {folder.Path} is back as it was[/]");
                return ExitCodes.Failed;
            }
            MarkFailed(folder, OneLine(e));
            console.MarkupLineInterpolated($"[grey]the run is marked failed; `sgdwalk resume {folder.Path}` continues from its last checkpoint once the cause is fixed[/]");
            return ExitCodes.Failed;
        }

        SummaryTable.Write(console, folder);
        // An interrupted run exits promptly (a scheduler's SIGTERM grace period is short); its resume draws the report.
        bool reported = noReport || result.Status == RunStatus.Interrupted || ReportCommand.Write(console, folder.Path, reportOptions);
        switch (result.Status)
        {
            case RunStatus.Completed:
                console.MarkupLineInterpolated($"[green]completed[/] {result.Steps} steps, {result.RecordedSteps} recorded → {folder.Path}");
                return reported ? ExitCodes.Success : ExitCodes.Failed;
            case RunStatus.Diverged:
                console.MarkupLineInterpolated($"[red]sgdwalk: diverged:[/] {result.Message} (files and the last good checkpoint kept in {folder.Path})");
                return ExitCodes.Diverged;
            default:
                console.MarkupLineInterpolated($"[yellow]sgdwalk: {result.Status.ToString().ToLowerInvariant()}:[/] {result.Message}");
                return ExitCodes.Interrupted;
        }
    }

    /// <summary>The exception's message on one line (native errors carry libtorch's multi-line backtrace).</summary>
    private static string OneLine(Exception e)
    {
        string first = TorchScriptRuntime.Reason(e); // a TorchScript error: the Python exception and its line
        return e is DataFormatException or IOException or ArgumentException or UnauthorizedAccessException ? first : $"{first} ({e.GetType().Name})";
    }

    private static bool Restore(RunFolder folder)
    {
        try { return folder.RestoreReplacedRun(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>A run stopped by an error the library did not classify still says so in its run.json.</summary>
    private static void MarkFailed(RunFolder folder, string message)
    {
        try
        {
            if (!File.Exists(folder.Manifest)) return;
            var manifest = RunManifest.Read(folder.Manifest);
            if (manifest.Status != RunStatus.Running) return;
            manifest.Status = RunStatus.Failed;
            manifest.Message = message;
            manifest.FinishedUtc ??= DateTimeOffset.UtcNow;
            manifest.Write(folder.Manifest);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The message on the console is what is left to say; the run folder cannot take it.
        }
    }

    private static TrainingResult WithProgress(IAnsiConsole console, Func<Action<TrainingProgress>, TrainingResult> run)
    {
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("training", maxValue: 1);
                result = run(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.TotalEpochs} loss {p.TrainLoss:F3}");
                });
                task.StopTask();
            });
        return result!;
    }
}
