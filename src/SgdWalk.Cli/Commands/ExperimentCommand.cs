using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Experiments;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// `sgdwalk experiment NAME [--scale cpu|paper] [train options]`: a named preset of train options, run like `train`.
/// A train option given on the command line overrides the preset when its value differs from train's own default.
/// </summary>
public sealed class ExperimentCommand(IAnsiConsole console) : Command<ExperimentCommand.Settings>
{
    public sealed class Settings : TrainSettings
    {
        [CommandArgument(0, "<NAME>"), Description("The experiment (`sgdwalk list`): edge-of-stability, edge-of-stochastic-stability.")]
        public string Name { get; init; } = "";

        [CommandOption("--scale <SCALE>"), DefaultValue("cpu"), Description("cpu (minutes on two cores) or paper (longer, wider).")]
        public string Scale { get; init; } = "cpu";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TrainOptions preset;
        try
        {
            preset = CurvaturePresets.Create(settings.Name, settings.Scale);
        }
        catch (ArgumentException e)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {e.Message}");
            return ExitCodes.InvalidInput;
        }
        var (given, errors) = OptionParsing.ToOptions(settings);
        var (defaults, _) = OptionParsing.ToOptions(new TrainSettings());
        var options = Override(preset, given, defaults);
        errors = errors.Concat(options.Validate()).Distinct().ToList();
        string folder = Path.Combine("runs", settings.Scale == "cpu" ? settings.Name : $"{settings.Name}-{settings.Scale}");
        return new TrainCommand(console).Train(options, errors, settings, folder, cancellation);
    }

    /// <summary>The preset with every option whose command-line value differs from train's default replaced by that value.</summary>
    public static TrainOptions Override(TrainOptions preset, TrainOptions given, TrainOptions defaults)
    {
        // Compared through the run.json spelling, the one place every option already has a name and a value.
        var merged = (JsonObject)JsonSerializer.SerializeToNode(preset, RunManifest.Json)!;
        var fromCli = (JsonObject)JsonSerializer.SerializeToNode(given, RunManifest.Json)!;
        var fromDefaults = (JsonObject)JsonSerializer.SerializeToNode(defaults, RunManifest.Json)!;
        foreach (var (key, value) in fromCli)
            if (!JsonNode.DeepEquals(value, fromDefaults[key])) merged[key] = value?.DeepClone();
        return merged.Deserialize<TrainOptions>(RunManifest.Json)!;
    }
}
