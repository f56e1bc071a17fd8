using SgdWalk.Bench;
using SgdWalk.Bench.Exporters;
using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>The console's view of a bench: a table per model × threads, the preset overheads, the targets.</summary>
public static class BenchTables
{
    public static void Write(IAnsiConsole console, BenchResult result)
    {
        foreach (var block in result.Results)
        {
            var table = Table($"{block.Model}, {block.Threads} thread{(block.Threads == 1 ? "" : "s")}", BenchRows.WorkloadHeader, BenchRows.Workloads(block));
            table.Caption(Markup.Escape(string.Join("\n", BenchRows.Notes(block))));
            console.Write(table);
        }
        if (result.Results.Any(b => b.Presets.Count > 0))
        {
            var presets = Table("probe presets over plain training", BenchRows.PresetHeader, result.Results.SelectMany(BenchRows.Presets));
            presets.Caption(Markup.Escape(string.Join("\n", result.Results.SelectMany(BenchRows.PresetNotes))));
            console.Write(presets);
        }
        console.Write(Table("targets", ["target", "measured"], BenchFiles.Targets(result)));
        console.MarkupLineInterpolated($"[grey]{result.MemoryMethod}; FLOPs: {result.FlopConvention}[/]");
    }

    private static Table Table(string title, string[] header, IEnumerable<string[]> rows)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(title)}[/]");
        for (int i = 0; i < header.Length; i++)
            table.AddColumn(i == 0 ? new TableColumn(Markup.Escape(header[i])) : new TableColumn(Markup.Escape(header[i])).RightAligned());
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        return table;
    }
}
