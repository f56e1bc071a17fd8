using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

internal static class TensorAssert
{
    /// <summary>Bit-for-bit equality of shape, type and values (TorchSharp's equal() is element-wise).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype)
            return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
