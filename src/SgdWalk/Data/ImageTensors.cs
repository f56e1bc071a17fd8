using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>Turns decoded bytes into the tensors the rest of SgdWalk uses, with whole-array calls only.</summary>
internal static class ImageTensors
{
    /// <summary>Images start..start+count-1 of <paramref name="pixels"/> (uint8 [N,C,H,W]) as float32
    /// (pixel/255 − mean[c]) / std[c].</summary>
    public static Tensor Normalise(Tensor pixels, long start, long count, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        using var scope = NewDisposeScope();
        var channels = pixels.shape[1];
        // Converting only the requested rows keeps peak memory at one float copy of each split.
        var x = pixels.narrow(0, start, count).to_type(ScalarType.Float32).div_(255.0);
        var m = tensor(mean.Select(v => (float)v).ToArray(), ScalarType.Float32).view(1, channels, 1, 1);
        var s = tensor(std.Select(v => (float)v).ToArray(), ScalarType.Float32).view(1, channels, 1, 1);
        x.sub_(m).div_(s);
        return x.MoveToOuterDisposeScope();
    }

    public static Tensor Labels(byte[] labels, long start, long count)
    {
        var values = new long[count];
        for (long i = 0; i < count; i++)
            values[i] = labels[start + i];
        return tensor(values, ScalarType.Int64);
    }
}
