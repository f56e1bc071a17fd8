using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// Seeded CIFAR augmentation, per sample: random crop back to the input size from the image padded by
/// <c>padding</c> pixels on each side, then a horizontal flip with probability 0.5.
/// Draws from its own generator only, so training and model initialisation keep their global-RNG sequence.
/// </summary>
public sealed class Augmenter : IDisposable
{
    private readonly Generator _generator;
    private readonly int _padding;
    private readonly float[]? _padValues;

    /// <summary>Pads with zeros, i.e. with the channel mean of already-normalised images.</summary>
    public Augmenter(long seed, int padding = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        _generator = new Generator(unchecked((ulong)seed));
        _padding = padding;
    }

    /// <summary>Pads channel c with <paramref name="padValues"/>[c]. torchvision pads raw images with black
    /// before normalising; on normalised images that is (0 − mean[c]) / std[c].</summary>
    public Augmenter(long seed, int padding, IReadOnlyList<double> padValues)
        : this(seed, padding)
    {
        ArgumentNullException.ThrowIfNull(padValues);
        _padValues = padValues.Select(v => (float)v).ToArray();
    }

    /// <summary>[N,C,H,W] → a new tensor of the same shape and type.</summary>
    public Tensor Apply(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
            throw new ArgumentException($"expected [N,C,H,W], got [{string.Join(",", images.shape)}]", nameof(images));
        var (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        if (_padValues is not null && _padValues.Length != c)
            throw new ArgumentException($"{_padValues.Length} pad values for {c} channels", nameof(images));
        var p = _padding;

        using var scope = NewDisposeScope();
        var offsetY = randint(2 * p + 1, [n], ScalarType.Int64, generator: _generator);
        var offsetX = randint(2 * p + 1, [n], ScalarType.Int64, generator: _generator);
        var flip = randint(2, [n], ScalarType.Int64, generator: _generator).eq(1);

        var padded = Pad(images, n, c, h, w, p);
        // Crop and flip for the whole batch with two gathers instead of N slicing calls:
        // row i of sample k is padded row offsetY[k]+i; column j is offsetX[k]+j, or offsetX[k]+W-1-j if flipped.
        var rows = offsetY.view(n, 1).add(arange(h, ScalarType.Int64).view(1, h));
        var forward = arange(w, ScalarType.Int64).view(1, w);
        var backward = forward.flip(1);
        var cols = offsetX.view(n, 1).add(where(flip.view(n, 1), backward, forward));
        var cropped = padded
            .gather(2, rows.view(n, 1, h, 1).expand(n, c, h, w + 2 * p))
            .gather(3, cols.view(n, 1, 1, w).expand(n, c, h, w));
        return cropped.MoveToOuterDisposeScope();
    }

    /// <summary>The generator's state (a uint8 tensor the caller owns), for checkpoints.</summary>
    public Tensor GetState() => _generator.get_state();

    /// <summary>Puts a state from <see cref="GetState"/> back: the next draws repeat those that followed it.</summary>
    public void SetState(Tensor state) => _generator.set_state(state);

    public void Dispose() => _generator.Dispose();

    private Tensor Pad(Tensor images, long n, long c, long h, long w, int p)
    {
        Tensor padded;
        if (_padValues is null)
        {
            padded = zeros([n, c, h + 2 * p, w + 2 * p], images.dtype);
        }
        else
        {
            padded = tensor(_padValues, ScalarType.Float32).to_type(images.dtype)
                .view(1, c, 1, 1).expand(n, c, h + 2 * p, w + 2 * p).clone();
        }

        padded.narrow(2, p, h).narrow(3, p, w).copy_(images);
        return padded;
    }
}
