using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A BatchNorm under batch statistics applied to a first-layer output that moves linearly along a segment,
/// z(α) = z0 + α·Δ, for one evaluation pass of whole groups. Per group and channel, z(α) − mean(α) = z0c + α·Δc with
/// z0c and Δc the centred ends, so var(α) = v00 + 2α·c0Δ + α²·vΔΔ from the moments v00 = mean(z0c²),
/// c0Δ = mean(z0c·Δc), vΔΔ = mean(Δc²), computed once. Each α then costs two fused elementwise passes,
/// (z0c·s + β) + α·Δc·s with s = γ/√(var(α) + ε), instead of a lerp and a BatchNorm's reductions. Centring first keeps
/// the variance free of the E[x²] − E[x]² cancellation; the quadratic is evaluated in float64.
/// γ and β are read from the BatchNorm when <see cref="At"/> is called, so the model must already be at θ(α).
/// </summary>
internal sealed class InterpolatedBatchNorm : IDisposable
{
    private readonly GroupedBatchNorm norm;
    private readonly long[] shape;
    private readonly Tensor start;
    private readonly Tensor delta;
    private readonly Tensor startVariance;
    private readonly Tensor covariance;
    private readonly Tensor deltaVariance;

    /// <param name="first0">The first layer's output at α = 0, [N, C, ...]; <paramref name="first1"/> at α = 1.</param>
    /// <param name="groupSize">Samples per BatchNorm group; N must be whole groups, or fewer than one group (one group).</param>
    public InterpolatedBatchNorm(GroupedBatchNorm norm, Tensor first0, Tensor first1, int groupSize)
    {
        this.norm = norm;
        shape = first0.shape;
        long total = shape[0], n = Math.Min(groupSize, total);
        if (total % n != 0) throw new ArgumentException($"a pass of {total} does not split into groups of {groupSize}");
        using var scope = NewDisposeScope();
        // [G·n, C, (H·W)] -> [G, n, C, S]: statistics per group and channel, over the samples (and pixels).
        var z0 = first0.reshape(total / n, n, shape[1], -1);
        var z1 = first1.reshape(total / n, n, shape[1], -1);
        long count = n * z0.shape[3];
        start = Centred(z0, count).DetachFromDisposeScope();
        delta = Centred(z1 - z0, count).DetachFromDisposeScope();
        startVariance = Mean(start.square(), count).DetachFromDisposeScope();
        covariance = Mean(start * delta, count).DetachFromDisposeScope();
        deltaVariance = Mean(delta.square(), count).DetachFromDisposeScope();
    }

    /// <summary>The BatchNorm's output at z(α) with its current γ and β, shaped like the first layer's output.</summary>
    public Tensor At(double alpha)
    {
        using var scope = NewDisposeScope();
        long channels = shape[1];
        var variance = startVariance + covariance * (2 * alpha) + deltaVariance * (alpha * alpha);
        var scale = variance.add_(norm.eps).rsqrt_().to(start.dtype).mul_(norm.weight.view(1, 1, channels, 1));
        var shift = norm.bias!.view(1, 1, channels, 1);
        return addcmul(shift, start, scale, 1).addcmul_(delta, scale, alpha).view(shape).MoveToOuterDisposeScope();
    }

    private static Tensor Centred(Tensor x, long count) => x - x.sum([1, 3], keepdim: true).div_(count);

    /// <summary>Mean over samples (and pixels) per group and channel, in float64 for the quadratic in α.</summary>
    private static Tensor Mean(Tensor x, long count) => x.sum([1, 3], keepdim: true).to(ScalarType.Float64).div_(count);

    public void Dispose()
    {
        foreach (var t in new[] { start, delta, startVariance, covariance, deltaVariance }) t.Dispose();
    }
}
