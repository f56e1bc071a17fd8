using System.Globalization;
using SgdWalk.Records;
using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>The end-of-run table, computed from the run folder's files (the same numbers a report shows).</summary>
public static class SummaryTable
{
    public static void Write(IAnsiConsole console, RunFolder folder)
    {
        var s = RunSummary.FromFolder(folder);
        var table = new Table().Title("[bold]walk summary[/]").AddColumn("quantity").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("steps (recorded)", $"{s.Steps} ({s.RecordedSteps})");
        Row($"interior floor fraction ({s.View})", Format(s.InteriorFraction, "P1"));
        Row($"median height ({s.View})", Format(s.MedianHeight, "G4"));
        Row($"median floor alpha ({s.View})", Format(s.MedianFloorAlpha, "F3"));
        Row("median cos(g_t-1, g_t)", Format(s.MedianCosGrad, "F3"));
        Row("final distance from init", Format(s.FinalDistanceFromInit, "G4"));
        var b = s.Barriers;
        if (b.StepsMeasured > 0)
            Row($"steps crossing a barrier ({s.View})", $"{Format(b.StepBarrierFraction, "P1")} (median bump {Format(b.MedianStepBarrier, "G3")})");
        if (b.FloorSegmentsMeasured > 0)
            Row($"floor segments with a barrier (lag {b.FloorLag})", $"{Format(b.FloorBarrierFraction, "P1")} (median {Format(b.MedianFloorBarrier, "G3")})");
        Row("train loss / accuracy (probe subset)", $"{Format(s.FinalTrainLoss, "F4")} / {Format(s.FinalTrainAccuracy, "P2")}");
        Row("validation accuracy", Format(s.FinalValidationAccuracy, "P2"));
        Row("test accuracy", Format(s.FinalTestAccuracy, "P2"));
        foreach (var part in new[] { "data_s", "training_s", "probes_s", "evaluation_s", "total_s" })
            if (s.TimingsSeconds.TryGetValue(part, out double seconds)) Row($"time: {part[..^2]}", $"{seconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        console.Write(table);
    }

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);
}
