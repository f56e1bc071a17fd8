using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// Seeded epoch order: a fresh permutation per epoch (torch.randperm with its own generator), cut into batches;
/// the last batch may be smaller, as with PyTorch's DataLoader(drop_last=False).
/// </summary>
public sealed class EpochSampler : IDisposable
{
    private readonly Generator _generator;
    private readonly int _count;
    private readonly int _batchSize;

    public EpochSampler(int count, int batchSize, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _count = count;
        _batchSize = batchSize;
        _generator = new Generator(unchecked((ulong)seed));
    }

    public int BatchesPerEpoch => (int)(((long)_count + _batchSize - 1) / _batchSize);

    public IReadOnlyList<long[]> NextEpoch()
    {
        long[] order;
        using (var permutation = randperm(_count, ScalarType.Int64, generator: _generator))
            order = permutation.data<long>().ToArray();
        var batches = new long[BatchesPerEpoch][];
        for (var b = 0; b < batches.Length; b++)
        {
            var start = b * _batchSize;
            batches[b] = order[start..Math.Min(start + _batchSize, _count)];
        }

        return batches;
    }

    /// <summary>The generator's state (a uint8 tensor the caller owns), for checkpoints.</summary>
    public Tensor GetState() => _generator.get_state();

    /// <summary>Puts a state from <see cref="GetState"/> back: the next draws repeat those that followed it.</summary>
    public void SetState(Tensor state) => _generator.set_state(state);

    public void Dispose() => _generator.Dispose();
}
