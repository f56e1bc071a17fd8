using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A straight segment in parameter space: <see cref="Start"/>, <see cref="End"/> = start + <see cref="Direction"/>,
/// and the BatchNorm buffers at both ends when they are known (a step θ_t → θ_{t+1} under the running policy, two
/// snapshots). Any segment works: a step, two floor points, two checkpoints.
/// </summary>
public sealed record Segment(ParamVector Start, ParamVector End, ParamVector Direction, ModelState? StartState, ModelState? EndState);

/// <summary>
/// Moves a model along a segment, for step profiles, floor paths and barriers alike. <see cref="MoveTo"/> writes
/// θ(α) = start + α·direction into the parameters in place (at α = 0 and 1 the ends themselves, so the endpoints are
/// the iterates bit for bit and consecutive profiles join exactly) and sets the BatchNorm buffers the policy asks
/// for: interpolated between the ends' buffers (running) or re-estimated on <c>recalibration</c> data (recompute);
/// under batch-stats they do not matter. Disposing puts parameters, buffers and mode back exactly as they were.
/// </summary>
public sealed class SegmentWalker : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Segment segment;
    private readonly BatchNormPolicy policy;
    private readonly DataView? recalibration;
    private readonly ModelState saved;
    private readonly ParamVector current;

    public SegmentWalker(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, Segment segment, BatchNormPolicy policy,
        DataView? recalibration = null)
    {
        if (policy == BatchNormPolicy.Recompute && recalibration is null && BatchNormRecalibration.HasBatchNorm(model))
            throw new ArgumentException("recomputing BatchNorm statistics needs training data to recompute them on");
        if (policy == BatchNormPolicy.Recompute && BatchNormRecalibration.OutOfReach(model))
            throw new ArgumentException(BatchNormRecalibration.OutOfReachMessage);
        (this.model, this.parameters, this.segment, this.policy, this.recalibration) = (model, parameters, segment, policy, recalibration);
        saved = ModelState.Capture(model);
        current = ParamVector.OfValues(parameters);
    }

    public void MoveTo(double alpha)
    {
        if (alpha == 0) segment.Start.WriteTo(parameters);
        else if (alpha == 1) segment.End.WriteTo(parameters);
        else ParamVector.WriteLerp(parameters, segment.Start, segment.Direction, alpha);

        if (policy == BatchNormPolicy.Running && segment.StartState is { } a && segment.EndState is { } b)
            ModelState.WriteLerp(model, a, b, alpha);
        else if (policy == BatchNormPolicy.Recompute && recalibration is not null)
            BatchNormRecalibration.Apply(model, recalibration);
    }

    public void Dispose()
    {
        current.WriteTo(parameters);
        saved.Restore();
        current.Dispose();
        saved.Dispose();
    }
}
