using System.ComponentModel;
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
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {error}");
            return ExitCodes.InvalidInput;
        }
        var folder = new RunFolder(settings.Folder);
        if (!Directory.Exists(folder.Path))
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {folder.Path}: no such run folder");
            return ExitCodes.InvalidInput;
        }
        console.MarkupLineInterpolated($"[bold]sgdwalk[/] resuming {folder.Path}");
        return RunConsole.Execute(console, folder, reportOptions, settings.NoReport, progress => Trainer.Resume(folder, progress, cancellation));
    }
}

/// <summary>`sgdwalk resume FOLDER [--no-report]`; every training option comes from the folder's run.json.</summary>
public sealed class ResumeSettings : ReportSettings
{
    [CommandArgument(0, "<FOLDER>"), Description("The run folder to continue (holds run.json and checkpoints/).")]
    public string Folder { get; init; } = "";

    [CommandOption("--no-report"), Description("Do not draw the figures and report.html at the end.")]
    public bool NoReport { get; init; }
}
