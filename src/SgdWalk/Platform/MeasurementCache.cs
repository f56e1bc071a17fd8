using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SgdWalk.Platform;

/// <summary>
/// Per-machine memory of the start-up convolution measurement (<see cref="ConvolutionGuard"/>, about 15 ms where oneDNN
/// is right), so that the many short processes of a sweep or a claims plan do not each pay for it. One line per machine
/// key (CPU model and flags, libtorch build): <c>key TAB relative-error</c>, in <c>$XDG_CACHE_HOME/sgdwalk/</c> (else
/// <c>~/.cache/sgdwalk/</c>). A file that cannot be read or written is ignored: the measurement is just taken again.
/// </summary>
public static class MeasurementCache
{
    public static string DefaultFile()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "sgdwalk", "onednn-narrow-convolution.tsv");
    }

    /// <summary>What makes the measurement's answer: the CPU (model name and flags from /proc/cpuinfo) and libtorch's build.</summary>
    public static string MachineKey()
    {
        string cpu = "";
        try
        {
            cpu = string.Join("\n", File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0)
                .Where(l => l.StartsWith("model name", StringComparison.Ordinal) || l.StartsWith("flags", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cpu = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture); // no /proc: never matches a real key twice by luck
        }
        string libtorch = RunEnvironment.Versions()["libtorch"];
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cpu + "\n" + libtorch)))[..32];
    }

    /// <summary>The cached value for <paramref name="key"/>, or <paramref name="measure"/>'s (then kept in the file).</summary>
    public static double Get(string file, string key, Func<double> measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        try
        {
            if (File.Exists(file))
            {
                foreach (var line in File.ReadLines(file))
                {
                    var parts = line.Split('\t');
                    if (parts.Length == 2 && parts[0] == key && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double kept))
                        return kept;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: measure.
        }
        double value = measure();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.AppendAllText(file, string.Create(CultureInfo.InvariantCulture, $"{key}\t{value:R}\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unwritable: the next process measures again.
        }
        return value;
    }
}
