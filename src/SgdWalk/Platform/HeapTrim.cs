using System.Runtime.InteropServices;

namespace SgdWalk.Platform;

/// <summary>
/// Gives memory freed after a one-off phase back to the system. The launcher's allocator never returns freed memory
/// by itself (jemalloc with purging off, or glibc's malloc under GLIBC_TUNABLES: both for speed, docs/speed.md, "Memory"), so
/// loading a dataset (decoded bytes, a uint8 copy, float conversions) would otherwise keep its transient peak resident
/// for the whole run. Called once after loading, it asks the allocator the process runs on to release its free pages:
/// jemalloc's "arena.&lt;all&gt;.purge", mimalloc's mi_collect, glibc's malloc_trim(0); milliseconds each.
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
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            switch (RunEnvironment.Allocator())
            {
                case "jemalloc": _ = JemallocControl("arena." + AllArenas + ".purge", 0, 0, 0, 0); break;
                case "mimalloc": MimallocCollect(force: true); break;
                default: _ = malloc_trim(0); break;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { } // another libc or build: nothing to trim
    }

    /// <summary>jemalloc's MALLCTL_ARENAS_ALL: the pseudo-arena index that addresses every arena.</summary>
    private const string AllArenas = "4096";

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    // Already mapped by the launcher's LD_PRELOAD when the allocator says so; loading the soname returns that copy.
    [DllImport("libjemalloc.so.2", EntryPoint = "mallctl")]
    private static extern int JemallocControl([MarshalAs(UnmanagedType.LPStr)] string name, nint oldValue, nint oldLength, nint newValue, nuint newLength);

    [DllImport("libmimalloc.so.2", EntryPoint = "mi_collect")]
    private static extern void MimallocCollect([MarshalAs(UnmanagedType.U1)] bool force);
}
