using System.ComponentModel;
using SgdWalk.Checkpoints;
using SgdWalk.Formats;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk export RUN --step t [--format npy|safetensors|pt]`: θ_t with its buffers (and φ_t when known) plus index.json.</summary>
public sealed class ExportCommand(IAnsiConsole console) : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellation)
    {
        var folder = new RunFolder(settings.Folder);
        string? problem =
            !Directory.Exists(folder.Path) ? $"{folder.Path}: no such run folder"
            : !File.Exists(folder.Manifest) ? $"{folder.Path}: no run.json; not a run folder"
            : settings.Step is null ? $"--step is required: the checkpointed step to export (`ls {Path.Combine(folder.Path, "checkpoints")}`)"
            : settings.Step < 0 ? $"--step must be a checkpointed step, 0 or more (got {settings.Step})"
            : null;
        WeightFormat format = WeightFormat.Npy;
        try { format = OptionParsing.Choice("--format", settings.Format, ("npy", WeightFormat.Npy), ("safetensors", WeightFormat.Safetensors), ("pt", WeightFormat.Pt)); }
        catch (FormatException e) { problem ??= e.Message; }
        string output = Path.GetFullPath(settings.Out ?? Path.Combine(folder.Path, "export", $"step-{settings.Step}"));
        if (problem is null && File.Exists(output)) problem = $"--out {output}: is a file; give a folder to write the export into";
        if (problem is not null)
        {
            CliError.Write(console, problem);
            return ExitCodes.InvalidInput;
        }
        int step = settings.Step!.Value;
        try
        {
            var index = SnapshotExport.Export(folder, step, output, format);
            int count = index["tensors"]!.AsArray().Count;
            console.MarkupLineInterpolated($"exported {count} tensors of step {step} → {output} ({index["floor_point_note"]})");
            return ExitCodes.Success;
        }
        catch (ArgumentException e)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.Failed;
        }
    }
}

/// <summary>`sgdwalk export FOLDER --step T [--format F] [--out DIR]`.</summary>
public sealed class ExportSettings : CommandSettings
{
    [CommandArgument(0, "<FOLDER>"), Description("The run folder.")]
    public string Folder { get; init; } = "";

    [CommandOption("--step <T>"), Description("A checkpointed step (`ls <run>/checkpoints`); θ_t is the parameters after t steps.")]
    public int? Step { get; init; }

    [CommandOption("--format <FORMAT>"), DefaultValue("npy"), Description("npy (one .npy per tensor), or a PyTorch state_dict: pt " +
        "(theta.pt, for torch.load(f, weights_only=True)) or safetensors (theta.safetensors); phi.* too when phi_t is known.")]
    public string Format { get; init; } = "npy";

    [CommandOption("--out <DIR>"), Description("Where to write (default <run>/export/step-<T>).")]
    public string? Out { get; init; }
}
