using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A model whose first layer is affine in its own parameters for a fixed input (a Linear or Conv2d layer:
/// z = W∗x + b). Along a segment θ_t + α·u_t only that layer's parameters move linearly, so its output does too:
/// z(α) = z_t + α·(z_{t+1} − z_t). The profiler computes z_t and z_{t+1} once per step and combines them per α
/// instead of running the first layer at every α (for an MLP on images the first layer is most of the cost).
/// Contract: <c>forward(x)</c> is exactly <c>ForwardFromFirstLayer(FirstLayer(x))</c>.
/// </summary>
public interface IAffineFirstLayer
{
    /// <summary>The first layer's output at the model's current parameters.</summary>
    Tensor FirstLayer(Tensor input);

    /// <summary>The rest of the network, from the first layer's output to the model's outputs.</summary>
    Tensor ForwardFromFirstLayer(Tensor firstLayerOutput);
}
