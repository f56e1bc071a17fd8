using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// A probe that carries tensors from one step to the next (θ_0, g_{t−1}, u_{t−1}, eigenvector warm starts).
/// Checkpoints save this state and a resumed run loads it, so the resumed rows are bit for bit the uninterrupted ones.
/// </summary>
public interface IStatefulProbe
{
    /// <summary>The tensors kept across steps, by name; nothing before the probe's first step. The probe keeps
    /// ownership: the caller reads them and must not dispose them.</summary>
    IEnumerable<(string Name, Tensor Value)> SaveState();

    /// <summary>Takes the state back (copying it); <paramref name="parameters"/> give the parameter-space shapes.
    /// Names missing from <paramref name="state"/> mean "not yet set".</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<Parameter> parameters);
}
