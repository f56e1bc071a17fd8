using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>Images and labels held as CPU tensors. Owns both tensors.</summary>
public sealed class LabeledImages : IDisposable
{
    private bool _disposed;

    /// <param name="images">float32 [N,C,H,W], already normalised. Ownership passes to this object.</param>
    /// <param name="labels">int64 [N], values in 0..classes-1. Ownership passes to this object.</param>
    public LabeledImages(Tensor images, Tensor labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be float32 [N,C,H,W], got {images.dtype} [{string.Join(",", images.shape)}]", nameof(images));
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be int64 [N], got {labels.dtype} [{string.Join(",", labels.shape)}]", nameof(labels));
        if (labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (labels.numel() > 0)
        {
            var min = labels.min().item<long>();
            var max = labels.max().item<long>();
            if (min < 0 || max >= classes)
                throw new ArgumentException($"labels span {min}..{max}, outside 0..{classes - 1}", nameof(labels));
        }

        // This object owns the tensors, so a dispose scope around the caller must not free them behind our back.
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        Classes = classes;
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    public int Count => checked((int)Images.shape[0]);

    public int Channels => checked((int)Images.shape[1]);

    public int Height => checked((int)Images.shape[2]);

    public int Width => checked((int)Images.shape[3]);

    public int Classes { get; }

    /// <summary>A contiguous copy of rows start..start+count-1; the result owns new tensors.</summary>
    public LabeledImages Take(int start, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {start}..{start + count - 1} exceed the {Count} available");
        using var scope = NewDisposeScope();
        var images = Images.narrow(0, start, count).clone();
        var labels = Labels.narrow(0, start, count).clone();
        return new LabeledImages(images, labels, Classes);
    }

    /// <summary>A copy of the given rows, in the given order (repeats allowed).</summary>
    public LabeledImages Select(long[] indices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(indices);
        // libtorch would also reject a bad index, but with an opaque native message; name the culprit instead.
        for (var i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0 || indices[i] >= Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} at position {i} is outside 0..{Count - 1}");
        }

        using var scope = NewDisposeScope();
        var index = torch.tensor(indices, ScalarType.Int64);
        var images = Images.index_select(0, index);
        var labels = Labels.index_select(0, index);
        return new LabeledImages(images, labels, Classes);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Images.Dispose();
        Labels.Dispose();
    }
}
