using System.Globalization;
using SgdWalk.Models;
using SgdWalk.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk sweep`: a learning-rate × batch-size × seed grid, one run folder per cell, resumable and shardable.</summary>
public sealed class SweepCommand(IAnsiConsole console) : Command<SweepSettings>
{
    public override int Execute(CommandContext context, SweepSettings settings, CancellationToken cancellation)
    {
        var errors = new List<string>();
        var lrs = List<double>(settings.LearningRates, "--lr", errors, t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture,
            out double v) && double.IsFinite(v) ? v : null);
        var batches = List(settings.BatchSizes, "--batch-size", errors, t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture,
            out int v) ? v : (int?)null);
        var seeds = List(settings.Seeds, "--seeds", errors, t => long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
            out long v) ? v : (long?)null);
        var (shared, parseErrors) = OptionParsing.ToOptions(settings, lrs.FirstOrDefault(0.1), batches.FirstOrDefault(100), seeds.FirstOrDefault(1111));
        errors.AddRange(parseErrors);
        if (settings.Out is "") errors.Add("--out must name a folder (got '')");
        var plan = SweepPlan.Grid(shared, lrs, batches, seeds);
        string folder = settings.Out ?? Path.Combine("runs", $"sweep-{OptionParsing.DatasetLabel(shared.Dataset)}-{TorchScriptModel.FolderName(shared.Model)}");
        return SweepExecution.Run(console, context, plan, folder, settings, settings, errors, cancellation);
    }

    private static List<T> List<T>(string text, string option, List<string> errors, Func<string, T?> parse) where T : struct
    {
        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (parse(part) is { } v) values.Add(v);
            else errors.Add($"{option}: '{part}' is not a valid value (give a comma-separated list, e.g. {option} 1,2)");
        }
        return values;
    }
}
