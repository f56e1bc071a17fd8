using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// BatchNorm (1d or 2d) that can normalise a large batch as consecutive groups, each with its own statistics. In
/// training mode with <see cref="GroupSize"/> set, an input of G·n samples gives exactly what G separate forward
/// passes of n samples would give (to float rounding), in one pass. The loss landscape under the batch-stats policy
/// is defined chunk by chunk (each chunk of 100 normalised with its own statistics), and evaluating 50 chunks of 100
/// one by one costs mostly per-call overhead; grouping removes it. Grouped passes do not update the running
/// statistics: they are evaluations (profiles, gradients and Hessian-vector products), and the caller restores the
/// buffers anyway. Without a group size (training, evaluation in eval mode) this is exactly TorchSharp's BatchNorm.
/// </summary>
public sealed class GroupedBatchNorm : BatchNorm
{
    private readonly int spatialDimensions;

    private GroupedBatchNorm(long features, int spatialDimensions, string name)
        : base(features, 1e-5, 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name) =>
        this.spatialDimensions = spatialDimensions;

    /// <summary>A drop-in for nn.BatchNorm1d over [N, C] inputs.</summary>
    public static GroupedBatchNorm OneD(long features) => new(features, 0, nameof(BatchNorm1d));

    /// <summary>A drop-in for nn.BatchNorm2d over [N, C, H, W] inputs.</summary>
    public static GroupedBatchNorm TwoD(long features) => new(features, 2, nameof(BatchNorm2d));

    /// <summary>Samples per group in training mode; null = the whole batch is one group (ordinary BatchNorm).</summary>
    public int? GroupSize { get; set; }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 2 + spatialDimensions)
            throw new ArgumentException($"{GetName()}: expected {2 + spatialDimensions}D input, got {input.ndim}D");
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || GroupSize is not int n || input.shape[0] <= n) return base.forward(input);
        ValidateInputDimensions(input);
        long total = input.shape[0];
        if (total % n != 0) throw new ArgumentException($"{GetName()}: a batch of {total} does not split into groups of {n}");
        using var scope = NewDisposeScope();
        long channels = input.shape[1];
        // [G·n, C, (H·W)] -> [G, n, C, S]: statistics per group and channel, over the samples (and pixels).
        // Two passes (mean, then the mean square of the deviations) as BatchNorm does, for the same precision. Sums
        // divided by the count: libtorch's var_mean and mean over a middle dimension are several times slower here.
        var grouped = input.reshape(total / n, n, channels, -1);
        long count = n * grouped.shape[3];
        // Out of place throughout (the statistics are small): Hessian-vector products differentiate through this twice.
        var deviations = grouped - grouped.sum([1, 3], keepdim: true).div(count);
        var variance = deviations.square().sum([1, 3], keepdim: true).div(count); // biased, as BatchNorm normalises
        var scale = variance.add(eps).rsqrt().mul(weight.view(1, 1, channels, 1));
        var shift = bias!.view(1, 1, channels, 1);
        // One fused pass over the activations: deviation·scale + shift.
        return addcmul(shift, deviations, scale, 1).view(input.shape).MoveToOuterDisposeScope();
    }
}
