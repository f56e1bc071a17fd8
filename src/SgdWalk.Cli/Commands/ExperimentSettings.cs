using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk experiment NAME`: a preset, its scale, and overrides applied to every run of it.</summary>
public sealed class ExperimentSettings : ScaleOutSettings
{
    [CommandArgument(0, "<NAME>"), Description("The experiment (`sgdwalk list`): sgd-walk, gd-walk, isotropic-noise, lr-vs-batch, lr-schedules.")]
    public string Name { get; init; } = "";

    [CommandOption("--compat <MODE>"), DefaultValue("none"), Description("'authors': the authors' conventions (for gd-walk also their summed chunk " +
        "gradients, a 9x step).")]
    public string Compat { get; init; } = "none";

    [CommandOption("--steps <N>"), Description("Stop every run after N steps.")]
    public int? Steps { get; init; }

    [CommandOption("--probes <PRESET>"), Description("Override the probe preset (none, cheap, paper).")]
    public string? Probes { get; init; }

    [CommandOption("--out <DIR>"), Description("Experiment folder (default runs/<name>[[-paper]]); rerunning resumes it.")]
    public string? Out { get; init; }
}
