using SgdWalk.Platform;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>The one reader of /proc/PID/status memory lines (run.json's peak_memory_mb, the bench's peaks).</summary>
public class ProcessMemoryTests
{
    [Fact]
    public void This_process_has_a_peak_at_least_its_resident_set_and_a_gone_process_has_none()
    {
        if (!File.Exists("/proc/self/status")) return; // not Linux: nothing to read, and the callers fall back
        double resident = ProcessMemory.ResidentMegabytes()!.Value, peak = ProcessMemory.PeakMegabytes()!.Value;
        Assert.InRange(resident, 10, 1 << 20);
        Assert.True(peak >= resident, $"VmHWM {peak} < VmRSS {resident}");
        Assert.True(RunEnvironment.PeakMemoryMegabytes() >= (long)peak); // the same reading, taken a moment later
        Assert.Null(ProcessMemory.PeakMegabytes(int.MaxValue));
        Assert.NotNull(ProcessMemory.PeakMegabytes(Environment.ProcessId));
    }
}
