using System.ComponentModel;
using SgdWalk.Checkpoints;
using SgdWalk.Records;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk export RUN --step t`: θ_t (and φ_t when known) as .npy files plus index.json.</summary>
public sealed class ExportCommand(IAnsiConsole console) : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellation)
    {
        var folder = new RunFolder(settings.Folder);
        if (!Directory.Exists(folder.Path))
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {folder.Path}: no such run folder");
            return ExitCodes.InvalidInput;
        }
        if (settings.Step < 0)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] --step T is required: a checkpointed step, 0 or more (got {settings.Step})");
            return ExitCodes.InvalidInput;
        }
        string output = Path.GetFullPath(settings.Out ?? Path.Combine(folder.Path, "export", $"step-{settings.Step}"));
        try
        {
            var index = SnapshotExport.Export(folder, settings.Step, output);
            int count = index["tensors"]!.AsArray().Count;
            console.MarkupLineInterpolated($"exported {count} tensors of step {settings.Step} → {output} ({index["floor_point_note"]})");
            return ExitCodes.Success;
        }
        catch (ArgumentException e)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.Failed;
        }
    }
}

/// <summary>`sgdwalk export FOLDER --step T [--out DIR]`.</summary>
public sealed class ExportSettings : CommandSettings
{
    [CommandArgument(0, "<FOLDER>"), Description("The run folder.")]
    public string Folder { get; init; } = "";

    [CommandOption("--step <T>"), Description("A checkpointed step (`ls <run>/checkpoints`); θ_t is the parameters after t steps.")]
    public int Step { get; init; } = -1;

    [CommandOption("--out <DIR>"), Description("Where to write (default <run>/export/step-<T>).")]
    public string? Out { get; init; }
}
