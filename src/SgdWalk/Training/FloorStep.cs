using SgdWalk.Landscape;
using TorchSharp.Modules;

namespace SgdWalk.Training;

/// <summary>
/// The causal intervention of the paper's claim 4: take the SGD update θ_t → θ' and land instead at
/// α = α* + h·(1 − α*) along it, where α* is the valley floor of that step's profile (h = 0: floor-sgd, an exact
/// line search along the SGD direction; 0 &lt; h &lt; 1: height-sgd, part of the way back up to where SGD lands).
/// The search starts on 21 points over [0, 2]; while the minimum sits at the grid's top edge the bracket doubles
/// (21 points over [0, 4], [0, 8], ...) up to α = <see cref="MaxAlpha"/>. A floor still at that edge lies beyond the
/// cap: the step lands at the cap and <see cref="BeyondCap"/> counts it, so a clipped search is never silent.
/// </summary>
public sealed class FloorStep(LossSurface surface, IReadOnlyList<Parameter> parameters, double heightFraction)
{
    /// <summary>The first search grid: 0, 0.1, …, 2.</summary>
    public static IReadOnlyList<double> SearchGrid { get; } = Grid(2);

    /// <summary>The largest α searched: the bracket doubles from 2 up to here (2 → 4 → 8 → 16).</summary>
    public const double MaxAlpha = 16;

    private readonly SegmentProfiler profiler = new(surface, parameters);

    /// <summary>Steps so far whose floor lay beyond <see cref="MaxAlpha"/> (the minimum at the top of the widest grid).</summary>
    public long BeyondCap { get; set; }

    /// <summary>Whether the last step's floor lay beyond the cap.</summary>
    public bool LastBeyondCap { get; private set; }

    /// <summary>The floor α* of the last step (before the height fraction): the cap when it lay beyond it.</summary>
    public double LastFloorAlpha { get; private set; } = double.NaN;

    /// <summary>Moves the parameters (now at SGD's θ') to the chosen point of the segment from <paramref name="before"/>; returns that α.</summary>
    public double Apply(ParamVector before, DataView view)
    {
        using var sgd = ParamVector.OfValues(parameters);
        using var direction = sgd.Minus(before);
        var segment = new Segment(before, sgd, direction, null, null);
        var grid = SearchGrid;
        var profile = profiler.Measure(segment, grid, view).Profile;
        while (AtTopEdge(profile, grid) && grid[^1] < MaxAlpha)
        {
            grid = Grid(Math.Min(2 * grid[^1], MaxAlpha));
            profile = profiler.Measure(segment, grid, view).Profile;
        }
        LastBeyondCap = AtTopEdge(profile, grid);
        if (LastBeyondCap) BeyondCap++;
        LastFloorAlpha = profile.FloorAlpha;
        double alpha = profile.FloorAlpha + (heightFraction * (1 - profile.FloorAlpha));
        ParamVector.WriteLerp(parameters, before, direction, alpha);
        return alpha;
    }

    /// <summary>The minimum is the grid's last point: the floor may lie farther out.</summary>
    private static bool AtTopEdge(SegmentProfile profile, IReadOnlyList<double> grid) => profile.FloorAlpha >= grid[^1];

    private static double[] Grid(double top) => [.. Enumerable.Range(0, 21).Select(i => Math.Round(i * top / 20, 12))];
}
