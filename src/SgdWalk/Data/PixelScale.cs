using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// How stored uint8 pixels become model inputs: float32 pixel/255, then, per channel, (x − mean[c]) / std[c] when a
/// mean and standard deviation are given. Applied to the rows a caller asks for, so a data set of bytes stays bytes in
/// memory (a quarter of its float32 size); element by element the same float operations as converting the whole set
/// at load time, so every input is bit for bit what it was.
/// </summary>
public sealed class PixelScale
{
    private readonly float[]? mean, std;

    private PixelScale(IReadOnlyList<double>? mean, IReadOnlyList<double>? std)
    {
        if ((mean is null) != (std is null) || (mean is not null && mean.Count != std!.Count))
            throw new ArgumentException("a per-channel mean and standard deviation of the same length, or neither");
        this.mean = mean?.Select(v => (float)v).ToArray();
        this.std = std?.Select(v => (float)v).ToArray();
    }

    /// <summary>pixel/255 only (`npz:` files of uint8).</summary>
    public static PixelScale Unit { get; } = new(null, null);

    /// <summary>(pixel/255 − mean[c]) / std[c] (MNIST, Fashion-MNIST, CIFAR-10).</summary>
    public static PixelScale Normalised(IReadOnlyList<double> mean, IReadOnlyList<double> std) => new(mean, std);

    /// <summary>uint8 [N,C,H,W] → a new float32 tensor of the same shape, in the caller's dispose scope.</summary>
    public Tensor Apply(Tensor pixels)
    {
        if (pixels.dtype != ScalarType.Byte || pixels.dim() != 4)
            throw new ArgumentException($"pixels must be uint8 [N,C,H,W], got {pixels.dtype} [{string.Join(",", pixels.shape)}]", nameof(pixels));
        long channels = pixels.shape[1];
        if (mean is not null && channels != mean.Length)
            throw new ArgumentException($"{channels} channels but a scale for {mean.Length}", nameof(pixels));
        using var scope = NewDisposeScope();
        var x = pixels.to_type(ScalarType.Float32).div_(255.0);
        if (mean is not null)
        {
            var m = tensor(mean, ScalarType.Float32).view(1, channels, 1, 1);
            var s = tensor(std!, ScalarType.Float32).view(1, channels, 1, 1);
            x.sub_(m).div_(s);
        }
        return x.MoveToOuterDisposeScope();
    }
}
