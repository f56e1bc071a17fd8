using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>Helpers for <see cref="IStatefulProbe"/> implementations.</summary>
public static class ProbeState
{
    /// <summary>A parameter-space vector shaped like <paramref name="parameters"/> holding the saved flat values.</summary>
    public static ParamVector Restore(Tensor savedFlat, IReadOnlyList<Parameter> parameters)
    {
        var vector = ParamVector.OfValues(parameters);
        if (vector.Length != savedFlat.numel())
        {
            vector.Dispose();
            throw new ArgumentException($"saved probe state has {savedFlat.numel()} values, the model {vector.Length}");
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        vector.Flat.copy_(savedFlat.reshape(-1));
        return vector;
    }
}
