using System.ComponentModel;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>The `sgdwalk report` options, shared with `train` (which reports at its end).</summary>
public class ReportSettings : CommandSettings
{
    [CommandOption("--window <START:COUNT>"), Description("Steps of the walk figure: the first recorded step and how many (default: the first 50 " +
        "consecutive recorded steps).")]
    public string? Window { get; init; }

    [CommandOption("--profile-epochs <E1,E2>"), Description("Epochs whose profiles the profiles figure fans out (default: first, middle, last).")]
    public string? ProfileEpochs { get; init; }

    [CommandOption("--figure-size <WxH>"), DefaultValue("1200x800"), Description("Pixel size of every figure.")]
    public string FigureSize { get; init; } = "1200x800";
}

/// <summary>`sgdwalk report FOLDER`.</summary>
public sealed class ReportFolderSettings : ReportSettings
{
    [CommandArgument(0, "<FOLDER>"), Description("A run folder (has run.json) or a sweep folder (holds run folders).")]
    public string Folder { get; init; } = "";
}
