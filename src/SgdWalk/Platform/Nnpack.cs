
namespace SgdWalk.Platform;

/// <summary>
/// Turns off libtorch's NNPACK convolution path, as PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does
/// (TorchSharp has no binding for it). On CPUs NNPACK does not support, every convolution tried to initialise it and
/// logged "Could not initialize NNPACK! Reason: Unsupported hardware." (hundreds of lines per small-cnn run); where it
/// is supported it would pick another convolution algorithm than elsewhere, so results would depend on the machine.
/// With the flag off, libtorch checks the flag before it ever touches NNPACK.
/// </summary>
public static class Nnpack
{
    private static bool done;

    /// <summary>Idempotent; a libtorch without these symbols (another build) is left as it is.</summary>
    public static void Disable()
    {
        if (done) return;
        // Loads libtorch the way TorchSharp does before the native calls below look for its symbols.
        _ = TorchSharp.torch.get_num_threads();
        try
        {
            LibTorchContext.Nnpack = false;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Nothing to do: the warning is cosmetic and the flag is an optimisation switch.
        }
        done = true;
    }

    /// <summary>Whether libtorch would consider NNPACK (false after <see cref="Disable"/>); null when unknown.</summary>
    public static bool? Enabled()
    {
        try { return LibTorchContext.Nnpack; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }
}
