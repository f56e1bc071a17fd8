using SgdWalk.Landscape;
using TorchSharp.Modules;

namespace SgdWalk.Training;

/// <summary>
/// The causal intervention of the paper's claim 4: take the SGD update θ_t → θ' and land instead at
/// α = α* + h·(1 − α*) along it, where α* is the valley floor of that step's profile (h = 0: floor-sgd, an exact
/// line search along the SGD direction; 0 &lt; h &lt; 1: height-sgd, part of the way back up to where SGD lands).
/// The search grid reaches α = 2 so that an undershooting step still finds its minimum.
/// </summary>
public sealed class FloorStep(LossSurface surface, IReadOnlyList<Parameter> parameters, double heightFraction)
{
    public static IReadOnlyList<double> SearchGrid { get; } = Enumerable.Range(0, 21).Select(i => i / 10.0).ToArray();

    private readonly SegmentProfiler profiler = new(surface, parameters);

    /// <summary>Moves the parameters (now at SGD's θ') to the chosen point of the segment from <paramref name="before"/>; returns that α.</summary>
    public double Apply(ParamVector before, DataView view)
    {
        using var sgd = ParamVector.OfValues(parameters);
        using var direction = sgd.Minus(before);
        var profile = profiler.Measure(new Segment(before, sgd, direction, null, null), SearchGrid, view).Profile;
        double alpha = profile.FloorAlpha + (heightFraction * (1 - profile.FloorAlpha));
        ParamVector.WriteLerp(parameters, before, direction, alpha);
        return alpha;
    }
}
