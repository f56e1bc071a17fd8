using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A model whose first layer is a linear map of its input, z = x·Wᵀ + b. Along a segment θ_t + α·u_t that
/// pre-activation is affine in α: z(α) = z_t + α·(x·ΔWᵀ + Δb). The profiler then computes z_t, z_{t+1} and the
/// slope once per step instead of once per α, which removes most of the first layer's cost, usually the largest.
/// </summary>
public interface IAffineFirstLayer
{
    Parameter FirstWeight { get; }

    Parameter? FirstBias { get; }

    /// <summary>What the first layer multiplies (e.g. the flattened image).</summary>
    Tensor FirstLayerInput(Tensor input);

    /// <summary>The rest of the network, from the first layer's pre-activation to the outputs.</summary>
    Tensor ForwardFromFirstLayer(Tensor preActivation);
}
