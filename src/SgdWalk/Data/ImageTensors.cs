using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>Turns decoded label bytes into the tensors the rest of SgdWalk uses (pixels: <see cref="PixelScale"/>).</summary>
internal static class ImageTensors
{
    public static Tensor Labels(byte[] labels, long start, long count)
    {
        var values = new long[count];
        for (long i = 0; i < count; i++)
            values[i] = labels[start + i];
        return tensor(values, ScalarType.Int64);
    }
}
