using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// An <see cref="IAffineFirstLayer"/> model whose first layer feeds a BatchNorm directly (Linear → BatchNorm1d in the
/// mlp, Conv2d → BatchNorm2d in the CNNs). Under batch statistics that BatchNorm's mean and variance are quadratic in
/// α along a segment, so the profiler can form its output at every α from the two ends' first-layer outputs
/// (<see cref="InterpolatedBatchNorm"/>) instead of interpolating them and normalising again.
/// Contract: <c>ForwardFromFirstLayer(z)</c> is exactly <c>ForwardFromFirstBatchNorm(FirstBatchNorm.call(z))</c>.
/// </summary>
public interface IFirstLayerBatchNorm : IAffineFirstLayer
{
    /// <summary>The BatchNorm right after the first layer; null when the model was built without BatchNorm.</summary>
    GroupedBatchNorm? FirstBatchNorm { get; }

    /// <summary>The rest of the network after <see cref="FirstBatchNorm"/>, from its output to the model's outputs.</summary>
    Tensor ForwardFromFirstBatchNorm(Tensor normalised);
}
