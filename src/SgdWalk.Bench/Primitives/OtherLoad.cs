using System.Diagnostics;
using System.Globalization;

namespace SgdWalk.Bench.Primitives;

/// <summary>
/// How many cores other processes kept busy while we measured: the machine's busy time (/proc/stat, steal included)
/// minus this process's and its reaped children's CPU time (/proc/self/stat), over the wall time. On 2 cores, any
/// other job makes the 2-thread figures collapse (an OpenMP barrier waits for a descheduled thread), so every block
/// records it; figures are comparable only when it is near 0. NaN where /proc is missing.
/// </summary>
public sealed class OtherLoad
{
    private readonly long startTicks = Stopwatch.GetTimestamp();
    private readonly (double Busy, double Own)? start = Read();

    /// <summary>Average cores used by other processes since this object was made.</summary>
    public double Cores()
    {
        if (start is not { } a || Read() is not { } b) return double.NaN;
        double wall = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        return wall <= 0 ? double.NaN : Math.Max(0, (b.Busy - a.Busy - (b.Own - a.Own)) / wall);
    }

    /// <summary>Busy seconds of all CPUs, and this process's own CPU seconds (with its waited-for children).</summary>
    private static (double Busy, double Own)? Read()
    {
        const double ticksPerSecond = 100; // USER_HZ: 100 on every Linux ABI .NET runs on
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            double busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];
            // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double own = new[] { 11, 12, 13, 14 }.Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture));
            return (busy / ticksPerSecond, own / ticksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }
}
