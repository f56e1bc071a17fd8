using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Sweeps;

/// <summary>One run of a sweep: its place in the plan (shards split by it), its folder name and its options.</summary>
public sealed record SweepCell(int Index, string Name, TrainOptions Options);

/// <summary>
/// The runs a sweep folder should hold, in a fixed order. A grid over learning rate × batch size × seed is the usual
/// plan; presets build others (a schedule per cell). Cells with the same seed share initialisation and data order,
/// because the seed alone fixes both.
/// </summary>
public sealed class SweepPlan
{
    public SweepPlan(IReadOnlyList<SweepCell> cells, IReadOnlyDictionary<string, IReadOnlyList<string>> axes, string? experiment = null)
    {
        Cells = cells;
        Axes = axes;
        Experiment = experiment;
    }

    public IReadOnlyList<SweepCell> Cells { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Axes { get; }

    public string? Experiment { get; }

    /// <summary>Learning rate × batch size × seed, in that nesting order, every cell otherwise as <paramref name="shared"/>.</summary>
    public static SweepPlan Grid(TrainOptions shared, IReadOnlyList<double> learningRates, IReadOnlyList<int> batchSizes,
        IReadOnlyList<long> seeds, string? experiment = null)
    {
        var cells = new List<SweepCell>();
        foreach (double lr in learningRates)
            foreach (int batch in batchSizes)
                foreach (long seed in seeds)
                    cells.Add(new SweepCell(cells.Count, CellName(lr, batch, seed), shared with { LearningRate = lr, BatchSize = batch, Seed = seed }));
        var axes = new Dictionary<string, IReadOnlyList<string>>
        {
            ["learning_rate"] = learningRates.Select(Text).ToList(),
            ["batch_size"] = batchSizes.Select(b => Text(b)).ToList(),
            ["seed"] = seeds.Select(s => Text(s)).ToList(),
        };
        return new SweepPlan(cells, axes, experiment);
    }

    /// <summary>The folder name of a grid cell, e.g. lr0.05-b100-s1.</summary>
    public static string CellName(double learningRate, int batchSize, long seed) =>
        $"lr{Text(learningRate)}-b{Text(batchSize)}-s{Text(seed)}";

    /// <summary>The same plan with every cell's options changed (command-line overrides of a preset).</summary>
    public SweepPlan Map(Func<TrainOptions, TrainOptions> change) =>
        new(Cells.Select(c => c with { Options = change(c.Options) }).ToList(), Axes, Experiment);

    /// <summary>Every problem with the plan, in words: empty grids, clashing names, invalid cell options (named by cell).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Cells.Count == 0) errors.Add("the sweep has no cells: give at least one value for each of --lr, --batch-size and --seeds");
        foreach (var clash in Cells.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            errors.Add($"the sweep lists cell '{clash.Key}' {clash.Count()} times; give each value once");
        // Cells differ only in their axes, so report each distinct problem once.
        errors.AddRange(Cells.SelectMany(c => c.Options.Validate()).Distinct());
        return errors;
    }

    public IEnumerable<SweepCell> CellsOf(Shard shard) => Cells.Where(c => shard.Includes(c.Index));

    /// <summary>sweep.json for this plan: shared options are those every cell has alike; each cell lists the rest.</summary>
    public SweepManifest ToManifest()
    {
        var options = Cells.Select(c => (JsonObject)JsonSerializer.SerializeToNode(c.Options.Resolve(), RunManifest.Json)!).ToList();
        var shared = new JsonObject();
        if (options.Count > 0)
            foreach (var (key, value) in options[0])
                if (options.All(o => JsonNode.DeepEquals(o[key], value))) shared[key] = value?.DeepClone();
        return new SweepManifest
        {
            Experiment = Experiment,
            Axes = Axes.ToDictionary(a => a.Key, a => a.Value.ToList()),
            Shared = shared,
            Cells = Cells.Select((c, i) => new SweepManifestCell
            {
                Index = c.Index,
                Name = c.Name,
                Options = new JsonObject(options[i].Where(p => !shared.ContainsKey(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
            }).ToList(),
        };
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
