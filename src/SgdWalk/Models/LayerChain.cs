using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>Runs a list of layers in order, as a Sequential would; used to resume a forward pass after its first layer.</summary>
internal static class LayerChain
{
    /// <summary>The layers applied in turn; intermediates belong to the caller's dispose scope.</summary>
    public static Tensor Apply(IEnumerable<nn.Module<Tensor, Tensor>> layers, Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.call(x);
        return x;
    }
}
