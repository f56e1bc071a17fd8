using System.ComponentModel;
using SgdWalk.Checkpoints;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk resume FOLDER`: continue an interrupted, killed or failed run from its newest checkpoint.</summary>
public sealed class ResumeCommand(IAnsiConsole console) : Command<ResumeSettings>
{
    public override int Execute(CommandContext context, ResumeSettings settings, CancellationToken cancellation)
    {
        if (!ReportCommand.TryOptions(settings, out var reportOptions, out string? error))
        {
            CliError.Write(console, error);
            return ExitCodes.InvalidInput;
        }
        var folder = new RunFolder(settings.Folder);
        if (!Directory.Exists(folder.Path))
        {
            CliError.Write(console, $"{folder.Path}: no such run folder");
            return ExitCodes.InvalidInput;
        }
        if (!File.Exists(folder.Manifest))
        {
            CliError.Write(console, $"{folder.Path}: no run.json; not a run folder");
            return ExitCodes.InvalidInput;
        }
        // The run's own process may still be alive (a resume started too early, or twice): never write beside it.
        RunLock claim;
        try { claim = RunLock.Acquire(folder.Path); }
        catch (IOException e)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        using (claim)
        {
            if (!SayWhereItResumes(folder, settings.Restart)) return ExitCodes.InvalidInput;
            console.MarkupLineInterpolated($"[bold]sgdwalk[/] resuming {folder.Path}");
            return RunConsole.Execute(console, folder, reportOptions, settings.NoReport, progress => Trainer.Resume(folder, progress, cancellation,
                settings.Model, settings.Dataset));
        }
    }

    /// <summary>
    /// Says which checkpoint the run continues from when it is not simply the newest (damaged ones are skipped), and
    /// refuses to start over from step 0 when rows were recorded but no checkpoint is left, unless --restart asks.
    /// </summary>
    private bool SayWhereItResumes(RunFolder folder, bool restart)
    {
        // A finished run or an unreadable run.json: the library refuses with its own message.
        try { if (RunManifest.Read(folder.Manifest).Status is RunStatus.Completed or RunStatus.Diverged) return true; }
        catch (InvalidDataException) { return true; }
        var (checkpoint, path, damaged) = new CheckpointStore(folder.Checkpoints).ReadNewestIntact();
        using (checkpoint)
        {
            foreach (var line in damaged) console.MarkupLineInterpolated($"[yellow]sgdwalk: skipping[/] {line}");
            if (checkpoint is not null)
            {
                if (damaged.Count > 0) console.MarkupLineInterpolated($"[yellow]resuming from the newest intact checkpoint,[/] {path} (step {checkpoint.Header.Step})");
                return true;
            }
        }
        if (damaged.Count > 0) return true; // the library refuses with the reasons
        int rows = RecordedRows(folder);
        if (rows > 0 && !restart)
        {
            string again = $"sgdwalk resume {folder.Path} --restart";
            CliError.Write(console,
                $"{folder.Checkpoints}: no checkpoint left, but steps.csv holds {rows} step(s); `{again}` starts the run over from step 0 (those rows are replaced)");
            return false;
        }
        console.MarkupLineInterpolated($"[yellow]no checkpoint:[/] {(rows > 0
            ? $"starting the run over from step 0 (--restart; the {rows} recorded step(s) are replaced)"
            : "the run stopped before its first step; starting it over from step 0")}");
        return true;
    }

    private static int RecordedRows(RunFolder folder)
    {
        try { return File.Exists(folder.Steps) ? CsvTable.Read(folder.Steps).Rows.Count : 0; }
        catch (InvalidDataException) { return 1; } // unreadable rows are still rows someone may want
    }
}

/// <summary>`sgdwalk resume FOLDER [--no-report]`; every training option comes from the folder's run.json.</summary>
public sealed class ResumeSettings : ReportSettings
{
    [CommandArgument(0, "<FOLDER>"), Description("The run folder to continue (holds run.json and checkpoints/).")]
    public string Folder { get; init; } = "";

    [CommandOption("--no-report"), Description("Do not draw the figures and report.html at the end.")]
    public bool NoReport { get; init; }

    [CommandOption("--model <torchscript:PATH>"), Description("The run's TorchScript file, moved: accepted when its SHA-256 is the one run.json records.")]
    public string? Model { get; init; }

    [CommandOption("--dataset <npz:PATH>"), Description("The run's .npz file, moved: accepted when its SHA-256 is the one run.json records.")]
    public string? Dataset { get; init; }

    [CommandOption("--restart"), Description("When no checkpoint is left (checkpoints/ deleted), start the run over from step 0 instead of refusing.")]
    public bool Restart { get; init; }
}
