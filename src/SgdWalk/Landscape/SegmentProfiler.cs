using TorchSharp.Modules;

namespace SgdWalk.Landscape;

/// <summary>One step's segment: θ_t, θ_{t+1} = θ_t + u_t, and (for the `running` BN policy) the buffers at both ends.</summary>
public sealed record Segment(ParamVector Start, ParamVector End, ParamVector Direction, ModelState? StartState, ModelState? EndState);

/// <summary>
/// Losses (and accuracies) along a segment, one per α, and the standard error of the height (NaN when the loss is not
/// known per sample or the grid lacks α = 0).
/// </summary>
public sealed record MeasuredProfile(string View, SegmentProfile Profile, IReadOnlyList<double> Accuracies, double HeightStandardError = double.NaN);

/// <summary>
/// Evaluates f_V(α) = L_V(start + α·direction) on a grid by writing each point into the model in place, then puts
/// the model back exactly as it was (parameters, buffers, mode). α = 0 and α = 1 write the segment's ends themselves
/// rather than start + 1·direction, so the profile's endpoints are the iterates bit for bit and consecutive
/// profiles join exactly. Any segment works: a step θ_t → θ_{t+1}, two floor points, two checkpoints.
/// </summary>
public sealed class SegmentProfiler(LossSurface surface, IReadOnlyList<Parameter> parameters, double interiorTolerance = SegmentProfile.DefaultInteriorTolerance)
{
    /// <summary>
    /// Use the fast evaluation (first-layer shortcut, many BatchNorm chunks per forward pass) where the model allows
    /// it; false = the plain loop of one forward pass per chunk and point, kept for comparison. Same numbers to
    /// float rounding.
    /// </summary>
    public bool Fast { get; init; } = true;

    /// <summary>Memory for the first-layer outputs of one fast evaluation pass; bounds the samples per pass.</summary>
    public long PassBytes { get; init; } = 128L << 20;

    internal LossSurface Surface => surface;

    internal IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>The profile on the given grid.</summary>
    public MeasuredProfile Measure(Segment segment, IReadOnlyList<double> alphas, DataView view)
    {
        using var session = new ProfileSession(this, segment, view);
        session.Evaluate(alphas);
        return session.Result(alphas, interiorTolerance);
    }

    /// <summary>The profile on an adaptive grid that samples around the floor until its α is known to <paramref name="tolerance"/> (see <see cref="AdaptiveGrid"/>).</summary>
    public MeasuredProfile MeasureAdaptive(Segment segment, DataView view, double tolerance = AdaptiveGrid.DefaultTolerance)
    {
        using var session = new ProfileSession(this, segment, view);
        var (alphas, _) = AdaptiveGrid.Sample(session.Evaluate, tolerance);
        return session.Result(alphas, interiorTolerance);
    }

    /// <summary>Consecutive (start, count) passes of whole units, then the last partial unit alone (its own BatchNorm chunk).</summary>
    public static IEnumerable<(int Start, int Count)> Passes(int total, int unit, int passSize)
    {
        int whole = total / unit * unit;
        passSize = Math.Max(unit, passSize / unit * unit);
        for (int start = 0; start < whole; start += passSize) yield return (start, Math.Min(passSize, whole - start));
        if (whole < total) yield return (whole, total - whole);
    }

    internal void MoveTo(Segment segment, double alpha)
    {
        if (alpha == 0) segment.Start.WriteTo(parameters);
        else if (alpha == 1) segment.End.WriteTo(parameters);
        else ParamVector.WriteLerp(parameters, segment.Start, segment.Direction, alpha);

        if (surface.Policy == BatchNormPolicy.Running && segment.StartState is { } a && segment.EndState is { } b)
            ModelState.WriteLerp(surface.Model, a, b, alpha);
    }
}
