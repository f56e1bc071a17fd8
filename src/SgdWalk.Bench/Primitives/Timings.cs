using System.Diagnostics;
using SgdWalk.Records;

namespace SgdWalk.Bench.Primitives;

/// <summary>Repeated wall-clock measurements in milliseconds; the median is the number we report (the VM varies ±25 %).</summary>
public sealed record Timings(IReadOnlyList<double> Milliseconds)
{
    public double Median => Statistics.Median(Milliseconds);

    public double Min => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Min();

    public double Max => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Max();

    /// <summary>Runs <paramref name="action"/> once untimed (first-call allocations, lazy initialisation), then times it <paramref name="repeats"/> times.</summary>
    public static Timings Measure(int repeats, Action action, Action<int>? onRepeat = null)
    {
        action();
        var ms = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            onRepeat?.Invoke(i);
            ms[i] = Time(action);
        }
        return new Timings(ms);
    }

    public static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
