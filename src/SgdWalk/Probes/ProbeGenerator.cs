using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// A probe's own seeded generator and its place in a checkpoint (entry "generator"), so a resumed run draws exactly
/// the batches and starts it would have drawn. Written once for every probe that draws random numbers.
/// </summary>
public sealed class ProbeGenerator(long seed) : IDisposable
{
    private Tensor? saved;

    public Generator Generator { get; } = new((ulong)seed);

    /// <summary>The generator's position as a checkpoint entry (the tensor stays owned here until the next call).</summary>
    public (string Name, Tensor Value) Save()
    {
        saved?.Dispose();
        saved = Generator.get_state();
        return ("generator", saved);
    }

    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        if (state.TryGetValue("generator", out var g)) Generator.set_state(g);
    }

    public void Dispose()
    {
        saved?.Dispose();
        Generator.Dispose();
    }
}
