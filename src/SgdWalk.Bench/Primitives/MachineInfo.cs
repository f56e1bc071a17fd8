using System.Globalization;
using SgdWalk.Platform;
using SgdWalk.Training;

namespace SgdWalk.Bench.Primitives;

/// <summary>The machine a benchmark ran on: what run.json records plus the CPU model, memory, distribution and load.</summary>
public static class MachineInfo
{
    public static Dictionary<string, string> Describe()
    {
        var machine = RunEnvironment.Machine();
        machine["cpu_model"] = FirstValue("/proc/cpuinfo", "model name") ?? "unknown";
        machine["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        if (FirstValue("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
            machine["memory_total"] = string.Create(CultureInfo.InvariantCulture, $"{kb / 1048576.0:F1} GiB");
        if (File.Exists("/proc/sys/kernel/osrelease")) machine["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        if (FirstValue("/etc/os-release", "PRETTY_NAME", '=') is { } os) machine["distribution"] = os.Trim('"');
        machine["load_average_start"] = LoadAverage();
        return machine;
    }

    /// <summary>The 1-, 5- and 15-minute load averages: other processes on a shared VM show up here.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? FirstValue(string file, string key, char separator = ':')
    {
        if (!File.Exists(file)) return null;
        foreach (var line in File.ReadLines(file))
        {
            int at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && line[..at].Trim() == key) return line[(at + 1)..].Trim();
        }
        return null;
    }
}
