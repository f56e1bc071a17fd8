using static TorchSharp.torch;

namespace SgdWalk.Tests.Platform;

/// <summary>
/// The build patches libLibTorchSharp.so (see build/PatchLibTorchSharp.targets). If that patch breaks,
/// every tensor operation fails; this test makes the failure loud and early.
/// </summary>
public class NativeLibraryTests
{
    [Fact]
    public void A_tensor_operation_runs_on_the_native_library()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = a.mul(2).sum();
        Assert.Equal(12f, b.item<float>());
    }
}
