using System.Runtime.InteropServices;

namespace SgdWalk.Platform;

/// <summary>
/// The backend switches of libtorch's global context (at::globalContext()), which TorchSharp does not bind:
/// at::Context::{set,}userEnabledMkldnn and {set,}userEnabledNNPACK, exported by libtorch_cpu (x86-64 SysV: `this`
/// first). A libtorch without these symbols throws EntryPointNotFoundException; the callers decide what that means.
/// </summary>
internal static class LibTorchContext
{
    public static bool Mkldnn
    {
        get => UserEnabledMkldnn(GlobalContext());
        set => SetUserEnabledMkldnn(GlobalContext(), value);
    }

    public static bool Nnpack
    {
        get => UserEnabledNnpack(GlobalContext());
        set => SetUserEnabledNnpack(GlobalContext(), value);
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledNnpack(IntPtr context);
}
