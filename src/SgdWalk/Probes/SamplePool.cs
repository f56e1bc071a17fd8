using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Samples a probe may draw mini-batches from: the given rows of a data set (typically the training split without the
/// probe subset, so the drawn batches are disjoint from the data of the probe view). The caller keeps owning the
/// tensors; drawn batches are copies on <see cref="Device"/>.
/// </summary>
public sealed class SamplePool
{
    private readonly Func<Tensor, Tensor> gather;
    private readonly Tensor targets;
    private readonly long[] rows;

    /// <param name="rows">Distinct row indices of <paramref name="inputs"/> that may be drawn.</param>
    public SamplePool(Tensor inputs, Tensor targets, IReadOnlyList<long> rows, Device? device = null)
        : this(index => inputs.index_select(0, index), inputs.shape[0], targets, rows, device ?? inputs.device)
    {
    }

    /// <summary>A pool of rows of a data set, whose drawn inputs are scaled as <see cref="LabeledImages.Inputs(Tensor)"/> gives them.</summary>
    public SamplePool(LabeledImages data, IReadOnlyList<long> rows, Device? device = null)
        : this(data.Inputs, data.Count, data.Labels, rows, device ?? data.Labels.device)
    {
    }

    private SamplePool(Func<Tensor, Tensor> gather, long count, Tensor targets, IReadOnlyList<long> rows, Device device)
    {
        if (count != targets.shape[0]) throw new ArgumentException($"{count} inputs but {targets.shape[0]} targets");
        if (rows.Any(r => r < 0 || r >= count)) throw new ArgumentException("every pool row must index the data");
        if (rows.Distinct().Count() != rows.Count) throw new ArgumentException("pool rows must be distinct");
        (this.gather, this.targets, this.rows, Device) = (gather, targets, rows.ToArray(), device);
    }

    public int Count => rows.Length;

    public Device Device { get; }

    /// <summary>The data-set rows of the pool.</summary>
    public IReadOnlyList<long> Rows => rows;

    /// <summary><paramref name="size"/> distinct pool rows drawn uniformly by <paramref name="generator"/>, as a view owning copies of them.</summary>
    public Landscape.DataView Draw(string name, int size, int chunkSize, Generator generator)
    {
        if (size > rows.Length) throw new ArgumentOutOfRangeException(nameof(size), $"a batch of {size} from a pool of {rows.Length}");
        using var scope = NewDisposeScope();
        var picked = randperm(rows.Length, generator: generator).narrow(0, 0, size).data<long>().Select(i => rows[i]).ToArray();
        var index = tensor(picked, device: targets.device);
        return Landscape.DataView.Own(name, gather(index).to(Device), targets.index_select(0, index).to(Device), chunkSize);
    }

    /// <summary>The rows of [0, count) not in <paramref name="excluded"/> (e.g. the training split without the probe subset).</summary>
    public static long[] Complement(int count, IEnumerable<long> excluded)
    {
        var skip = excluded.ToHashSet();
        return Enumerable.Range(0, count).Select(i => (long)i).Where(i => !skip.Contains(i)).ToArray();
    }
}
