using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>One step's segment: θ_t, θ_{t+1} = θ_t + u_t, and (for the `running` BN policy) the buffers at both ends.</summary>
public sealed record Segment(ParamVector Start, ParamVector End, ParamVector Direction, ModelState? StartState, ModelState? EndState);

/// <summary>Losses (and accuracies) along a segment, one per α.</summary>
public sealed record MeasuredProfile(string View, SegmentProfile Profile, IReadOnlyList<double> Accuracies);

/// <summary>
/// Evaluates f_V(α) = L_V(start + α·direction) on a grid by writing each point into the model in place, then puts
/// the model back exactly as it was (parameters, buffers, mode). α = 0 and α = 1 write the segment's ends themselves
/// rather than start + 1·direction, so the profile's endpoints are the iterates bit for bit and consecutive
/// profiles join exactly. Any segment works: a step θ_t → θ_{t+1}, two floor points, two checkpoints.
/// </summary>
public sealed class SegmentProfiler(LossSurface surface, IReadOnlyList<Parameter> parameters, double interiorTolerance = SegmentProfile.DefaultInteriorTolerance)
{
    /// <summary>Use the fast evaluation paths (first-layer shortcut, grouped BatchNorm) where the model allows them; false = the plain loop of forward passes, for comparison.</summary>
    public bool Fast { get; init; } = true;

    public MeasuredProfile Measure(Segment segment, IReadOnlyList<double> alphas, DataView view)
    {
        var losses = new double[alphas.Count];
        var accuracies = new double[alphas.Count];
        using (var saved = ModelState.Capture(surface.Model))
        using (var current = ParamVector.OfValues(parameters))
        using (var affine = Fast ? AffinePreActivations.TryPrepare(surface.Model, parameters, segment, view) : null)
        {
            for (int i = 0; i < alphas.Count; i++)
            {
                double alpha = alphas[i];
                MoveTo(segment, alpha);
                (losses[i], accuracies[i]) = affine is null || alpha == 0 || alpha == 1
                    ? surface.Evaluate(view)
                    : surface.Evaluate(view, (chunk, _) => affine.Forward(chunk, alpha));
            }
            current.WriteTo(parameters);
            saved.Restore();
        }
        return new MeasuredProfile(view.Name, SegmentProfile.Analyse(alphas, losses, interiorTolerance), accuracies);
    }

    private void MoveTo(Segment segment, double alpha)
    {
        if (alpha == 0) segment.Start.WriteTo(parameters);
        else if (alpha == 1) segment.End.WriteTo(parameters);
        else ParamVector.WriteLerp(parameters, segment.Start, segment.Direction, alpha);

        if (surface.Policy == BatchNormPolicy.Running && segment.StartState is { } a && segment.EndState is { } b)
            ModelState.WriteLerp(surface.Model, a, b, alpha);
    }
}
