using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>How BatchNorm is treated at the points of a path between two snapshots.</summary>
public enum PathBatchNorm
{
    /// <summary>Running statistics re-estimated at every point on training data, then eval mode (mode connectivity).</summary>
    Recompute,

    /// <summary>Running statistics interpolated between the two snapshots, eval mode.</summary>
    Running,

    /// <summary>Train mode: statistics of each evaluation chunk.</summary>
    BatchStats,
}

/// <summary>Loss and accuracy of each view at one α of a path.</summary>
public sealed record PathPoint(double Alpha, IReadOnlyDictionary<string, Evaluation> Views);

/// <summary>
/// The loss along the straight line between two parameter snapshots A and B, θ(α) = A + α(B − A), on any views.
/// Leaves the model exactly as it found it (parameters, buffers, mode).
/// </summary>
public sealed class LinearPath(nn.Module<Tensor, Tensor> model, LossFunction loss, PathBatchNorm batchNorm, DataView? recalibration)
{
    private readonly IReadOnlyList<Parameter> parameters = model.parameters().Where(p => p.requires_grad).ToList();

    public IReadOnlyList<PathPoint> Measure(ParamVector a, ModelState stateA, ParamVector b, ModelState stateB,
        IReadOnlyList<double> alphas, IReadOnlyList<DataView> views)
    {
        if (batchNorm == PathBatchNorm.Recompute && recalibration is null && BatchNormRecalibration.HasBatchNorm(model))
            throw new ArgumentException("recomputing BatchNorm statistics needs training data to recompute them on");
        var surface = new LossSurface(model, loss, batchNorm == PathBatchNorm.BatchStats ? BatchNormPolicy.BatchStats : BatchNormPolicy.Running);
        var points = new List<PathPoint>();
        using var saved = ModelState.Capture(model);
        using var current = ParamVector.OfValues(parameters);
        using var direction = b.Minus(a);
        try
        {
            foreach (double alpha in alphas)
            {
                if (alpha == 0) a.WriteTo(parameters);
                else if (alpha == 1) b.WriteTo(parameters);
                else ParamVector.WriteLerp(parameters, a, direction, alpha);
                ModelState.WriteLerp(model, stateA, stateB, alpha);
                if (batchNorm == PathBatchNorm.Recompute && recalibration is not null) BatchNormRecalibration.Apply(model, recalibration);
                points.Add(new PathPoint(alpha, views.ToDictionary(v => v.Name, v => surface.Evaluate(v))));
            }
        }
        finally
        {
            current.WriteTo(parameters);
            saved.Restore();
        }
        return points;
    }
}
