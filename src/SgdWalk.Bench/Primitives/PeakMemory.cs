using System.Diagnostics;
using SgdWalk.Platform;
using SgdWalk.Training;

namespace SgdWalk.Bench.Primitives;

/// <summary>
/// The process's peak resident memory over one workload, in MiB (written "MB"). Linux keeps the peak (VmHWM, read by
/// the library's <see cref="ProcessMemory"/>); writing "5" to /proc/self/clear_refs resets it to the current RSS, so the
/// peak after a workload is that workload's own. Where the reset is refused the peak is the process's since it started,
/// and <see cref="Method"/> says so.
/// </summary>
public sealed class PeakMemory
{
    private const string ClearRefs = "/proc/self/clear_refs";
    private bool? resetWorks;

    /// <summary>How the numbers were taken, for bench.json and the tables' caption.</summary>
    public string Method => resetWorks switch
    {
        true => "peak RSS (VmHWM) per workload, reset before each through /proc/self/clear_refs",
        false when ProcessMemory.PeakMegabytes() is not null => "peak RSS (VmHWM) since the process started: /proc/self/clear_refs refused the reset",
        false => "peak working set since the process started (no /proc on this system)",
        null => "not measured",
    };

    /// <summary>Resets the peak to the current RSS (when allowed) and returns the current RSS in MB: the workload's starting point.</summary>
    public double Reset()
    {
        if (resetWorks != false)
        {
            try
            {
                File.WriteAllText(ClearRefs, "5");
                resetWorks = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                resetWorks = false;
            }
        }
        return ProcessMemory.ResidentMegabytes() ?? Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
    }

    /// <summary>The peak RSS in MB since the last <see cref="Reset"/> (or since the process started, see <see cref="Method"/>).</summary>
    public static double Peak() =>
        ProcessMemory.PeakMegabytes() ?? ProcessMemory.ResidentMegabytes() ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
}
