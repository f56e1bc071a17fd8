using System.Globalization;

namespace SgdWalk.Platform;

/// <summary>
/// Resident memory as Linux reports it in /proc/PID/status, in MiB: VmHWM (the peak) and VmRSS (now). run.json's
/// peak_memory_mb and the bench's per-workload peaks both read it here. Null where the file is absent (not Linux) or
/// the process is gone.
/// </summary>
public static class ProcessMemory
{
    /// <summary>The peak resident set of this process (or of <paramref name="pid"/>) so far.</summary>
    public static double? PeakMegabytes(int? pid = null) => Read("VmHWM:", pid);

    /// <summary>The resident set of this process (or of <paramref name="pid"/>) now.</summary>
    public static double? ResidentMegabytes(int? pid = null) => Read("VmRSS:", pid);

    private static double? Read(string key, int? pid)
    {
        string status = pid is { } id ? $"/proc/{id.ToString(CultureInfo.InvariantCulture)}/status" : "/proc/self/status";
        try
        {
            if (!File.Exists(status)) return null;
            foreach (var line in File.ReadLines(status))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                // "VmHWM:	  152896 kB"
                var fields = line[key.Length..].Split(' ', '\t').Where(f => f.Length > 0).ToArray();
                return fields.Length >= 1 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double kb)
                    ? kb / 1024 // MiB, as ru_maxrss / 1024 in Python
                    : null;
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // another process ended between the check and the read
        }
    }
}
