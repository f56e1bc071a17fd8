using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>Loss and accuracy of each view at one α of a path.</summary>
public sealed record PathPoint(double Alpha, IReadOnlyDictionary<string, Evaluation> Views);

/// <summary>
/// The loss along the straight line between two parameter snapshots A and B, θ(α) = A + α(B − A), on any views,
/// under a BatchNorm policy (<see cref="BatchNormPolicy.Recompute"/> needs <paramref name="recalibration"/> data).
/// Leaves the model exactly as it found it (parameters, buffers, mode).
/// </summary>
public sealed class LinearPath(nn.Module<Tensor, Tensor> model, LossFunction loss, BatchNormPolicy batchNorm, DataView? recalibration)
{
    private readonly IReadOnlyList<Parameter> parameters = model.parameters().Where(p => p.requires_grad).ToList();

    public IReadOnlyList<PathPoint> Measure(ParamVector a, ModelState stateA, ParamVector b, ModelState stateB,
        IReadOnlyList<double> alphas, IReadOnlyList<DataView> views)
    {
        var surface = new LossSurface(model, loss, batchNorm);
        using var direction = b.Minus(a);
        using var walker = new SegmentWalker(model, parameters, new Segment(a, b, direction, stateA, stateB), batchNorm, recalibration);
        var points = new List<PathPoint>();
        foreach (double alpha in alphas)
        {
            walker.MoveTo(alpha);
            points.Add(new PathPoint(alpha, views.ToDictionary(v => v.Name, v => surface.Evaluate(v))));
        }
        return points;
    }
}
