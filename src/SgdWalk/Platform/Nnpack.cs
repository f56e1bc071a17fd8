using System.Runtime.InteropServices;

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
            SetUserEnabledNnpack(GlobalContext(), false);
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
        try { return UserEnabledNnpack(GlobalContext()); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
    }

    // at::globalContext() and at::Context::{set,}userEnabledNNPACK, exported by libtorch_cpu (x86-64 SysV: `this` first).
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledNnpack(IntPtr context);
}
