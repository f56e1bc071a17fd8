using System.Diagnostics;
using System.Globalization;

namespace SgdWalk.Cli.Bench;

/// <summary>
/// The process's peak resident memory over one workload, in MiB (written "MB"). Linux keeps the peak (VmHWM in /proc/self/status);
/// writing "5" to /proc/self/clear_refs resets it to the current RSS, so the peak after a workload is that
/// workload's own. Where the reset is refused the peak is the process's since it started, and <see cref="Method"/> says so.
/// </summary>
public sealed class PeakMemory
{
    private const string ClearRefs = "/proc/self/clear_refs", Status = "/proc/self/status";
    private bool? resetWorks;

    /// <summary>How the numbers were taken, for bench.json and the tables' caption.</summary>
    public string Method => resetWorks switch
    {
        true => "peak RSS (VmHWM) per workload, reset before each through /proc/self/clear_refs",
        false when File.Exists(Status) => "peak RSS (VmHWM) since the process started: /proc/self/clear_refs refused the reset",
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
        return ReadStatusMegabytes("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
    }

    /// <summary>The peak RSS in MB since the last <see cref="Reset"/> (or since the process started, see <see cref="Method"/>).</summary>
    public static double Peak() =>
        ReadStatusMegabytes("VmHWM:") ?? ReadStatusMegabytes("VmRSS:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>Another process's peak RSS in MB so far (VmHWM), or null when it cannot be read (gone, or no /proc).</summary>
    public static double? PeakOf(int pid)
    {
        try
        {
            return ReadStatusMegabytes("VmHWM:", $"/proc/{pid}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? ReadStatusMegabytes(string key, string status = Status)
    {
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            // "VmHWM:	  152896 kB"
            var fields = line[key.Length..].Split(' ', '\t').Where(f => f.Length > 0).ToArray();
            if (fields.Length >= 1 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double kb))
                return kb / 1024; // MiB, as ru_maxrss / 1024 in Python
        }
        return null;
    }
}
