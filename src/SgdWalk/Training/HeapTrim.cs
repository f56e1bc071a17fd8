using System.Runtime.InteropServices;

namespace SgdWalk.Training;

/// <summary>
/// Gives memory freed after a one-off phase back to the system. The launcher tells malloc never to return freed
/// memory (GLIBC_TUNABLES, for speed: torchsharp-notes §3), so loading a dataset (decoded bytes, a uint8 copy, float
/// conversions) would otherwise keep its transient peak resident for the whole run. malloc_trim(0) releases the free
/// pages of every arena, also in the middle of the heap; called once after loading it costs milliseconds.
/// SGDWALK_HEAP_TRIM=0 turns it off (to measure what it gives).
/// </summary>
internal static class HeapTrim
{
    public static void AfterOneOffPhase()
    {
        if (Environment.GetEnvironmentVariable("SGDWALK_HEAP_TRIM") == "0") return; // to measure what it gives
        // The decoded files are managed arrays: collect them first, aggressively, so the GC gives their pages back now
        // (a plain collection leaves freed regions committed and returns them gradually, whenever it gets to it).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try { malloc_trim(0); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { } // not glibc (musl): nothing to trim
        }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
