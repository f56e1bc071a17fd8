using SgdWalk.Sweeps;
using SgdWalk.Training;

namespace SgdWalk.Experiments;

/// <summary>CPU scale: the same design on Fashion-MNIST or the synthetic set, minutes. Paper scale: the authors' models, data and settings.</summary>
public enum ExperimentScale
{
    Cpu,
    Paper,
}

/// <summary>What the user asked of a preset: the scale, the compat mode (some presets change with it) and overrides for every run.</summary>
public sealed record ExperimentRequest(ExperimentScale Scale = ExperimentScale.Cpu, CompatMode Compat = CompatMode.None,
    Func<TrainOptions, TrainOptions>? Override = null);

/// <summary>
/// A named experiment: a plan of runs (one or many) built for a scale. Every preset runs through the sweep runner, so
/// each is resumable, shardable and reported like a sweep.
/// </summary>
public sealed record Experiment(string Name, string Description, string Paper, Func<ExperimentRequest, SweepPlan> Build)
{
    /// <summary>The plan with the request's compat mode and overrides applied to every run.</summary>
    public SweepPlan Plan(ExperimentRequest request)
    {
        var plan = Build(request).Map(o => o with { Compat = request.Compat });
        return request.Override is { } change ? plan.Map(change) : plan;
    }
}

/// <summary>Every named experiment (`sgdwalk experiment NAME`, listed by `sgdwalk list`).</summary>
public static class ExperimentCatalog
{
    public static IReadOnlyList<Experiment> Known { get; } = [.. PaperPresets.All, .. CurvaturePresets.All];

    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static Experiment Find(string name) =>
        Known.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown experiment '{name}'; known experiments: {string.Join(", ", Known.Select(e => e.Name))}");
}
