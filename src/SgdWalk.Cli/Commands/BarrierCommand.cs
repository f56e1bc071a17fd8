using System.ComponentModel;
using System.Globalization;
using SgdWalk.Barriers;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk barrier A B`: the loss along the straight line between two saved snapshots, as a table and a CSV.</summary>
public sealed class BarrierCommand(IAnsiConsole console) : Command<BarrierCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<A>"), Description("Start snapshot: RUN (its final parameters), RUN:initial, RUN:final, RUN/checkpoints/NAME.dat, or " +
            "a step checkpoint RUN/checkpoints/step-T.ckpt.")]
        public string From { get; init; } = "";

        [CommandArgument(1, "<B>"), Description("End snapshot, same forms; must be the same model.")]
        public string To { get; init; } = "";

        [CommandOption("--alphas <GRID>"), DefaultValue("0:1:0.05"), Description("Points along the line: a list or START:STOP:STEP (extrapolation allowed).")]
        public string Alphas { get; init; } = "0:1:0.05";

        [CommandOption("--bn <POLICY>"), DefaultValue("recompute"), Description("BatchNorm at each point: recompute (re-estimated on training " +
            "data), running (interpolated) or batch-stats.")]
        public string BatchNorm { get; init; } = "recompute";

        [CommandOption("--probe-size <N|full>"), DefaultValue("5000"), Description("Training samples evaluated (and used to recompute BN " +
            "statistics); the run's seeded probe subset.")]
        public string ProbeSize { get; init; } = "5000";

        [CommandOption("--data-dir <DIR>"), Description("Dataset folder, if not where the run found it.")]
        public string? DataDir { get; init; }

        [CommandOption("--out <FILE>"), Description("CSV to write (default: barrier-<A>-<B>.csv in A's run folder).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        BarrierOptions options;
        try
        {
            var alphas = OptionParsing.Alphas(settings.Alphas);
            if (alphas.Count < 2 || !alphas.Contains(0) || !alphas.Contains(1))
                throw new FormatException($"--alphas must include 0 and 1 (got '{settings.Alphas}')");
            var policy = OptionParsing.Choice("--bn", settings.BatchNorm,
                ("recompute", BatchNormPolicy.Recompute), ("running", BatchNormPolicy.Running), ("batch-stats", BatchNormPolicy.BatchStats));
            int? probeSize = settings.ProbeSize == "full" ? null
                : int.TryParse(settings.ProbeSize, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
                : throw new FormatException($"--probe-size must be a positive number of samples or 'full' (got '{settings.ProbeSize}')");
            options = new BarrierOptions(Snapshot.Parse(settings.From), Snapshot.Parse(settings.To), alphas, policy, probeSize, settings.DataDir);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }

        IReadOnlyList<PathPoint> points;
        try
        {
            ProcessSwitches.Configure();
            points = BarrierMeasurement.Run(options);
        }
        catch (ArgumentException e)
        {
            // Snapshots that do not belong together (another model, a checkpoint of another run): bad input.
            CliError.Write(console, e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is DataFormatException or IOException or InvalidDataException)
        {
            CliError.Write(console, e.Message);
            return ExitCodes.Failed;
        }

        string output = settings.Out ?? Path.Combine(options.From.Run.Path, $"barrier-{Safe(options.From.Label)}-{Safe(options.To.Label)}.csv");
        using (var csv = new CsvLog(output, ["alpha", "train_loss", "train_acc", "test_loss", "test_acc"]))
            foreach (var p in points)
                csv.Append(new RowValues().Set("alpha", p.Alpha)
                    .Set("train_loss", p.Views["train"].Loss).Set("train_acc", p.Views["train"].Accuracy)
                    .Set("test_loss", Test(p).Loss).Set("test_acc", Test(p).Accuracy));

        var table = new Table().Title($"loss from {Markup.Escape(options.From.Label)} (α = 0) to {Markup.Escape(options.To.Label)} (α = 1)")
            .AddColumns("α", "train loss", "train acc", "test loss", "test acc");
        foreach (var p in points)
            table.AddRow(F(p.Alpha, "0.###"), F(p.Views["train"].Loss, "F4"), F(p.Views["train"].Accuracy, "P1"), F(Test(p).Loss, "F4"),
                F(Test(p).Accuracy, "P1"));
        console.Write(table);
        // A NaN or infinite loss (a snapshot of a diverged run) has no barrier; printing "NaN" with success would pass
        // for a measurement.
        if (points.FirstOrDefault(p => p.Views.Values.Any(v => !double.IsFinite(v.Loss))) is { } bad)
        {
            console.MarkupLineInterpolated($"[red]sgdwalk: diverged:[/] the loss is not finite at α = {F(bad.Alpha, "0.###")} (a snapshot of a diverged run?); no barrier can be measured (points written to {output})");
            return ExitCodes.Diverged;
        }
        console.MarkupLineInterpolated($"barrier (max loss on the segment above the higher end): train {F(BarrierMeasurement.Barrier(points, "train"), "G4")}, test {(points[0].Views.ContainsKey("test") ? F(BarrierMeasurement.Barrier(points, "test"), "G4") : "— (no test split)")} → {output}");
        return ExitCodes.Success;
    }

    /// <summary>The test view of a point; "not measured" for a dataset without a test split (an npz: file may have none).</summary>
    private static Evaluation Test(PathPoint p) => p.Views.TryGetValue("test", out var e) ? e : new Evaluation(double.NaN, double.NaN);

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Safe(string label) => string.Concat(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
}
