namespace SgdWalk.Platform;

/// <summary>
/// Whether this process runs with the oneMKL CPU shim (build/native/mkl-cpu-shim.c) preloaded, which lets libtorch's
/// oneMKL take its AVX2/AVX-512 kernels on non-Intel CPUs. Its numbers differ from the generic kernels' by float
/// rounding, so run.json records it next to the thread count.
/// </summary>
public static class MklCpuShim
{
    public const string LibraryName = "libsgdwalk-mkl-cpu.so";

    /// <summary>True when the shim is mapped into this process (read from /proc/self/maps; false where that does not exist).</summary>
    public static bool Loaded()
    {
        const string maps = "/proc/self/maps";
        return File.Exists(maps) && File.ReadLines(maps).Any(line => line.EndsWith(LibraryName, StringComparison.Ordinal));
    }
}
