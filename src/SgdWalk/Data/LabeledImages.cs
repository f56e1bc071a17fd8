using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// Images and labels held as CPU tensors. Owns both tensors. The images are stored either as float32 inputs or, for
/// data that is uint8 on disk, as the uint8 pixels with the <see cref="PixelScale"/> that turns them into inputs; the
/// rows a caller asks for with <see cref="Inputs()"/> are float32 inputs either way (the same values, bit for bit).
/// </summary>
public sealed class LabeledImages : IDisposable
{
    private readonly Tensor images;
    private readonly PixelScale? scale;
    private bool _disposed;

    /// <param name="images">float32 [N,C,H,W], already normalised; or, with <paramref name="scale"/>, uint8 [N,C,H,W]
    /// pixels. Ownership passes to this object.</param>
    /// <param name="labels">int64 [N], values in 0..classes-1. Ownership passes to this object.</param>
    /// <param name="scale">How uint8 <paramref name="images"/> become inputs; null for float32 images.</param>
    public LabeledImages(Tensor images, Tensor labels, int classes, PixelScale? scale = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var stored = scale is null ? ScalarType.Float32 : ScalarType.Byte;
        if (images.dim() != 4 || images.dtype != stored)
            throw new ArgumentException($"images must be {(scale is null ? "float32" : "uint8 (with a pixel scale)")} [N,C,H,W], got {images.dtype} " +
                $"[{string.Join(",", images.shape)}]", nameof(images));
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
        this.images = images.DetachFromDisposeScope();
        this.scale = scale;
        Labels = labels.DetachFromDisposeScope();
        Classes = classes;
    }

    /// <summary>How the images are held: Float32 (inputs) or Byte (pixels, scaled by <see cref="Inputs()"/>).</summary>
    public ScalarType StoredType => images.dtype;

    /// <summary>[N, C, H, W].</summary>
    public long[] Shape => images.shape;

    public Tensor Labels { get; }

    public int Count => checked((int)images.shape[0]);

    public int Channels => checked((int)images.shape[1]);

    public int Height => checked((int)images.shape[2]);

    public int Width => checked((int)images.shape[3]);

    public int Classes { get; }

    /// <summary>Every image as float32 model inputs [N,C,H,W]: a new tensor in the caller's dispose scope (for float32
    /// storage a view of it, which the caller must not change).</summary>
    public Tensor Inputs() => Inputs(0, Count);

    /// <summary>Images start..start+count-1 as float32 model inputs, on the terms of <see cref="Inputs()"/>.</summary>
    public Tensor Inputs(long start, long count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        var rows = images.narrow(0, start, count);
        return (scale is null ? rows : scale.Apply(rows)).MoveToOuterDisposeScope();
    }

    /// <summary>The images at <paramref name="indices"/> (int64 [K]) as float32 model inputs, a new tensor in the caller's scope.</summary>
    public Tensor Inputs(Tensor indices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        var rows = images.index_select(0, indices);
        return (scale is null ? rows : scale.Apply(rows)).MoveToOuterDisposeScope();
    }

    /// <summary>A contiguous copy of rows start..start+count-1; the result owns new tensors.</summary>
    public LabeledImages Take(int start, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {start}..{start + count - 1} exceed the {Count} available");
        using var scope = NewDisposeScope();
        var rows = images.narrow(0, start, count).clone();
        var labels = Labels.narrow(0, start, count).clone();
        return new LabeledImages(rows, labels, Classes, scale);
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
        var rows = images.index_select(0, index);
        var labels = Labels.index_select(0, index);
        return new LabeledImages(rows, labels, Classes, scale);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        images.Dispose();
        Labels.Dispose();
    }
}
