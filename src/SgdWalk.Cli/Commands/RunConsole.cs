using System.Globalization;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
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
        TrainingResult result;
        try
        {
            result = WithProgress(console, run);
        }
        catch (ResumeException e)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
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

    private static TrainingResult WithProgress(IAnsiConsole console, Func<Action<TrainingProgress>, TrainingResult> run)
    {
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
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
