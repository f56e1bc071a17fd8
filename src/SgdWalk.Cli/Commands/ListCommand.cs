using SgdWalk.Data;
using SgdWalk.Experiments;
using SgdWalk.Models;
using SgdWalk.Probes;
using SgdWalk.Records;
using Spectre.Console;
using Spectre.Console.Cli;
using Columns = SgdWalk.Records.Columns;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk list`: what the tool knows, as tables.</summary>
public sealed class ListCommand(IAnsiConsole console) : Command<ListCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    private static readonly (string Spec, string Meaning)[] Schedules =
    [
        ("constant", "the --lr throughout (default)"),
        ("step:E1,E2:GAMMA", "multiply by GAMMA at each listed epoch"),
        ("cosine[:MIN]", "cosine decay to MIN x lr over the run"),
        ("cyclic:LOW:HIGH:PERIOD", "triangular cycles between LOW·lr and HIGH·lr, PERIOD epochs long"),
        ("trapezoid:WARMUP:DECAY[:START[:END]]", "warm-up from START x lr, plateau, linear decay to END x lr over the last DECAY epochs"),
    ];

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var models = new Table().Title("models").AddColumns("name", "description");
        foreach (var m in ModelZoo.Known) models.AddRow(Markup.Escape(m.Name), Markup.Escape(m.Description));
        console.Write(models);

        var datasets = new Table().Title("datasets").AddColumns("name", "description", "default location");
        foreach (var d in DatasetCatalog.Known) datasets.AddRow(Markup.Escape(d.Name), Markup.Escape(d.Description), Markup.Escape(d.DefaultLocation));
        console.Write(datasets);

        var presets = new Table().Title("probe presets (--probes), cheapest first").AddColumns("preset", "probes");
        foreach (var preset in Enum.GetValues<ProbePreset>())
            presets.AddRow(Markup.Escape(preset.ToString().ToLowerInvariant()), Markup.Escape(preset == ProbePreset.None
                ? "none: " + string.Join(", ", Columns.EveryStep) + " only (plain training)"
                : string.Join(", ", ProbeCatalog.Preset(preset))));
        console.Write(presets);

        var probes = new Table().Title("probes (steps.csv columns; every run also has " + Markup.Escape(string.Join(", ", Columns.EveryStep)) + ")")
            .AddColumns("probe", "cost", "columns", "run by", "needs");
        foreach (var p in ProbeCatalog.Entries)
        {
            string runBy = p.SwitchedBy is { } option
                ? option + " SCHEDULE (any preset but none)"
                : string.Join(", ", Enum.GetValues<ProbePreset>().Where(s => ProbeCatalog.Preset(s).Contains(p.Name)).Select(s => s.ToString().ToLowerInvariant()));
            probes.AddRow(Markup.Escape(p.Name), p.Cost.ToString(), Markup.Escape(p.Columns), Markup.Escape(runBy), Markup.Escape(p.Needs));
        }
        console.Write(probes);

        var experiments = new Table().Title(Markup.Escape("experiments (sgdwalk experiment NAME [--scale cpu|paper])")).AddColumns("name", "what it runs", "paper scale");
        foreach (var e in ExperimentCatalog.Known) experiments.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Description), Markup.Escape(e.Paper));
        console.Write(experiments);

        var schedules = new Table().Title("learning-rate schedules (--schedule)").AddColumns("spec", "meaning");
        foreach (var (spec, meaning) in Schedules) schedules.AddRow(Markup.Escape(spec), Markup.Escape(meaning));
        console.Write(schedules);
        return ExitCodes.Success;
    }
}
