using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace SgdWalk.Platform;

/// <summary>Versions and machine facts written into run.json, so a run describes where and with what it ran.</summary>
public static partial class RunEnvironment
{
    public static Dictionary<string, string> Versions() => new()
    {
        ["sgdwalk"] = Informational(typeof(RunEnvironment).Assembly),
        ["torchsharp"] = Informational(typeof(TorchSharp.torch).Assembly),
        ["libtorch"] = LibTorchVersion(),
        ["dotnet"] = Environment.Version.ToString(),
    };

    /// <summary>The process's peak resident memory in MiB (VmHWM from /proc/self/status), or null where that file does not exist.</summary>
    public static long? PeakMemoryMegabytes() => ProcessMemory.PeakMegabytes() is { } megabytes ? (long)megabytes : null;

    public static Dictionary<string, string> Machine() => new()
    {
        ["name"] = Environment.MachineName,
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
        ["processors"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["memory_bytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["allocator"] = Allocator(),
        ["malloc_conf"] = Environment.GetEnvironmentVariable("MALLOC_CONF") ?? "",
        ["glibc_tunables"] = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "",
        ["mkl_disable_fast_mm"] = Environment.GetEnvironmentVariable("MKL_DISABLE_FAST_MM") ?? "",
        ["torch_threads"] = get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["onemkl_cpu_shim"] = MklCpuShim.Loaded() ? "on" : "off",
        ["onednn_convolutions"] = ConvolutionGuard.Current.Setting,
        ["onednn_decision"] = ConvolutionGuard.Current.Reason,
    };

    /// <summary>
    /// The memory allocator this process runs on, as mapped into it (the launcher preloads jemalloc; docs/speed.md, "Memory"):
    /// "jemalloc", "mimalloc", or "glibc" when neither is mapped; "unknown" where /proc is absent.
    /// </summary>
    public static string Allocator()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (line.Contains("/libjemalloc", StringComparison.Ordinal)) return "jemalloc";
                if (line.Contains("/libmimalloc", StringComparison.Ordinal)) return "mimalloc";
            }
            return "glibc";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string Informational(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The libtorch package version, as the application's dependency manifest names it.</summary>
    private static string LibTorchVersion()
    {
        // The host's manifest (APP_CONTEXT_DEPS_FILES) or, under a test host, the manifests beside our assemblies.
        string? deps = AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string;
        var files = (deps ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json"));
        foreach (var file in files)
        {
            if (!File.Exists(file)) continue;
            var match = LibTorchPackage().Match(File.ReadAllText(file));
            if (match.Success) return match.Groups[1].Value;
        }
        return "unknown";
    }

    [GeneratedRegex("\"libtorch-cpu(?:-linux-x64)?/([0-9][^\"]*)\"")]
    private static partial Regex LibTorchPackage();
}
