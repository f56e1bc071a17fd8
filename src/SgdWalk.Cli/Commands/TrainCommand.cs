using System.Globalization;
using SgdWalk.Data;
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
        var (options, errors) = OptionParsing.ToOptions(settings);
        return Train(options, errors, settings, Path.Combine("runs", OptionParsing.DefaultRunName(options)), cancellation);
    }

    /// <summary>Checks, trains, summarises and reports one run (also the body of `sgdwalk experiment`).</summary>
    public int Train(TrainOptions options, List<string> errors, TrainSettings settings, string defaultFolder, CancellationToken cancellation)
    {
        // Everything is checked before anything is written, so a typo never costs an existing run.
        if (!ReportCommand.TryOptions(settings, out var reportOptions, out string? reportError)) errors.Add(reportError!);
        if (settings.Out is "") errors.Add("--out must name a folder (got '')");
        // The options against the data, the device, the memory and the model on the data's shape.
        // ... and the disk under the run folder, before the folder, its lock or run.json exist.
        if (errors.Count == 0) errors.AddRange(RunCheck.Check(options, folder: settings.Out ?? defaultFolder));
        if (errors.Count > 0) return CliError.Refuse(console, errors);

        // The folder's lock is held for the whole run (and its report), so a second `train` on the same --out is
        // refused instead of interleaving its rows with this one's; --overwrite only moves the old run aside here.
        RunLock claim;
        try
        {
            claim = RunFolder.Claim(settings.Out ?? defaultFolder, settings.Overwrite);
        }
        catch (IOException e)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        using (claim)
        {
            var folder = claim.Folder;
            int batch = options.BatchSize;
            console.MarkupLineInterpolated($"[bold]sgdwalk[/] {options.Model} on {options.Dataset}, lr {options.LearningRate}, batch {batch}, seed {options.Seed} → {folder.Path}");
            return RunConsole.Execute(console, folder, reportOptions, settings.NoReport, progress => Trainer.Run(options, folder, progress, cancellation));
        }
    }

    /// <summary>The dataset's folder can be found (the bench's check; runs use <see cref="RunCheck"/>, which includes it).</summary>
    internal static IEnumerable<string> CheckDataset(TrainOptions options)
    {
        if (options.Dataset is "synthetic" or "valley") yield break;
        string? problem = null;
        try { DatasetCatalog.ResolveDirectory(options.Dataset, options.DataDir); }
        catch (Exception e) when (e is ArgumentException or IOException or DataFormatException) { problem = e.Message; }
        if (problem is not null) yield return problem;
    }
}
