using System.Globalization;
using SgdWalk.Data;
using SgdWalk.Models;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk train`: check every input, then hand the run to the library with a progress bar, then a summary.</summary>
public sealed class TrainCommand(IAnsiConsole console) : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellation)
    {
        // Everything is checked before anything is written, so a typo never costs an existing run.
        var (options, errors) = OptionParsing.ToOptions(settings);
        if (!ReportCommand.TryOptions(settings, out var reportOptions, out string? reportError)) errors.Add(reportError!);
        if (!ModelZoo.Known.Any(m => m.Name == options.Model))
            errors.Add($"unknown model '{options.Model}'; known models: {string.Join(", ", ModelZoo.Known.Select(m => m.Name))}");
        errors.AddRange(CheckDataset(options));
        if (errors.Count > 0)
        {
            foreach (var error in errors) console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {error}");
            return ExitCodes.InvalidInput;
        }

        RunFolder folder;
        try
        {
            folder = RunFolder.Prepare(settings.Out ?? Path.Combine("runs", OptionParsing.DefaultRunName(options)), settings.Overwrite);
        }
        catch (IOException e)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.InvalidInput;
        }

        console.MarkupLineInterpolated($"[bold]sgdwalk[/] {options.Model} on {options.Dataset}, lr {options.LearningRate}, batch {options.BatchSize}, seed {options.Seed} → {folder.Path}");
        TrainingResult result;
        try
        {
            result = RunWithProgress(options, folder, cancellation);
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.Failed;
        }

        SummaryTable.Write(console, folder);
        bool reported = settings.NoReport || ReportCommand.Write(console, folder.Path, reportOptions);
        switch (result.Status)
        {
            case RunStatus.Completed:
                console.MarkupLineInterpolated($"[green]completed[/] {result.Steps} steps, {result.RecordedSteps} recorded → {folder.Path}");
                return reported ? ExitCodes.Success : ExitCodes.Failed;
            case RunStatus.Diverged:
                console.MarkupLineInterpolated($"[red]sgdwalk: diverged:[/] {result.Message} (files kept in {folder.Path})");
                return ExitCodes.Diverged;
            default:
                console.MarkupLineInterpolated($"[yellow]sgdwalk: {result.Status.ToString().ToLowerInvariant()}:[/] {result.Message}");
                return ExitCodes.Interrupted;
        }
    }

    private TrainingResult RunWithProgress(TrainOptions options, RunFolder folder, CancellationToken cancellation)
    {
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("training", maxValue: 1);
                result = Trainer.Run(options, folder, p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.TotalEpochs} loss {p.TrainLoss:F3}");
                }, cancellation);
                task.StopTask();
            });
        return result!;
    }

    internal static IEnumerable<string> CheckDataset(TrainOptions options)
    {
        if (options.Dataset == "synthetic") yield break;
        string? problem = null;
        try { DatasetCatalog.ResolveDirectory(options.Dataset, options.DataDir); }
        catch (Exception e) when (e is ArgumentException or IOException or DataFormatException) { problem = e.Message; }
        if (problem is not null) yield return problem;
    }
}
