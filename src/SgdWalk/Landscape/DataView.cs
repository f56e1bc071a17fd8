using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A named set of samples on which a loss is evaluated (`batch`, `probe`, `val`, `test`), cut into chunks.
/// Under the batch-stats BatchNorm policy the chunk size is part of the definition of the loss (each chunk is
/// normalised with its own statistics), so it is fixed here, not chosen by the evaluator.
/// </summary>
public sealed class DataView : IDisposable
{
    private readonly bool ownsTensors;
    private readonly Tensor inputs;
    private readonly Tensor targets;

    private DataView(string name, Tensor inputs, Tensor targets, int chunkSize, bool ownsTensors)
    {
        if (inputs.shape[0] != targets.shape[0])
            throw new ArgumentException($"view '{name}': {inputs.shape[0]} inputs but {targets.shape[0]} targets");
        if (chunkSize < 1) throw new ArgumentException($"view '{name}': chunk size must be positive");
        Name = name;
        this.inputs = inputs;
        this.targets = targets;
        this.ownsTensors = ownsTensors;
        Count = (int)inputs.shape[0];
        ChunkSize = chunkSize;
        var chunks = new List<(Tensor, Tensor)>();
        for (int start = 0; start < Count; start += chunkSize)
        {
            int n = Math.Min(chunkSize, Count - start);
            chunks.Add((inputs.narrow(0, start, n).DetachFromDisposeScope(), targets.narrow(0, start, n).DetachFromDisposeScope()));
        }
        Chunks = chunks;
    }

    public string Name { get; }

    public int Count { get; }

    public int ChunkSize { get; }

    /// <summary>Views into the data (no copies), in order.</summary>
    public IReadOnlyList<(Tensor Inputs, Tensor Targets)> Chunks { get; }

    /// <summary>Rows [start, start + count) as views into the data (no copies); they belong to the caller's dispose scope.</summary>
    public (Tensor Inputs, Tensor Targets) Rows(int start, int count) =>
        (inputs.narrow(0, start, count), targets.narrow(0, start, count));

    /// <summary>A view over tensors the caller keeps owning (e.g. the current mini-batch).</summary>
    public static DataView Borrow(string name, Tensor inputs, Tensor targets, int chunkSize) =>
        new(name, inputs, targets, chunkSize, ownsTensors: false);

    /// <summary>A view that takes ownership of its tensors (e.g. a probe subset kept for the whole run).</summary>
    public static DataView Own(string name, Tensor inputs, Tensor targets, int chunkSize) =>
        new(name, inputs.DetachFromDisposeScope(), targets.DetachFromDisposeScope(), chunkSize, ownsTensors: true);

    /// <summary>A new view owning copies of the given rows (e.g. a random mini-batch drawn from the probe set).</summary>
    public DataView Select(string name, Tensor indices, int chunkSize) =>
        Own(name, inputs.index_select(0, indices), targets.index_select(0, indices), chunkSize);

    public void Dispose()
    {
        foreach (var (x, y) in Chunks) { x.Dispose(); y.Dispose(); }
        if (ownsTensors) { inputs.Dispose(); targets.Dispose(); }
    }
}
