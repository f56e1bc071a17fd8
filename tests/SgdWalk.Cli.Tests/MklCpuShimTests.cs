using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The oneMKL CPU shim (build/native/mkl-cpu-shim.c, scripts/ensure-mkl-shim.sh): the script's decision, that the
/// shim really moves oneMKL onto its vector kernels (oneMKL's own MKL_VERBOSE banner names the instruction set it
/// dispatched to), and that a walk recorded with it equals the walk without it to float rounding.
/// </summary>
public class MklCpuShimTests
{
    private static readonly string Script = Path.Combine(TestDependencies.RepositoryRoot(), "scripts", "ensure-mkl-shim.sh");

    [Fact]
    public void The_switch_turns_the_shim_off_and_this_cpu_gets_it_only_where_onemkl_would_not_vectorise()
    {
        var (off, offWhy) = (Shell(Script, ("SGDWALK_MKL_SHIM", "0")), Shell($"{Script} --why", ("SGDWALK_MKL_SHIM", "0")));
        Assert.Equal("", off);
        Assert.Equal("off: SGDWALK_MKL_SHIM=0", offWhy);

        string chosen = Shell(Script, ("SGDWALK_MKL_SHIM", null));
        if (NonIntelWithAvx2())
        {
            Assert.EndsWith("/.artifacts/native/libsgdwalk-mkl-cpu.so", chosen, StringComparison.Ordinal);
            Assert.True(File.Exists(chosen), chosen);
        }
        else Assert.Equal("", chosen);
    }

    [Fact]
    public void With_the_shim_onemkl_dispatches_to_vector_kernels_and_run_json_says_so()
    {
        string shim = Shell(Script, ("SGDWALK_MKL_SHIM", "1"));
        Assert.True(File.Exists(shim), $"the forced shim was not built: '{shim}'");
        string folder = Directory.CreateTempSubdirectory("mkl-shim-").FullName;

        var (withShim, withBanner) = Walk(Path.Combine(folder, "with"), shim, verbose: true);
        var (without, withoutBanner) = Walk(Path.Combine(folder, "without"), preload: null, verbose: true);

        Assert.Matches("Advanced Vector Extensions", withBanner);
        // Which kernels oneMKL picks without the shim is oneMKL's business (generic ones on this AMD CPU today); the
        // suite asserts only what the shim does, so it holds whatever a future oneMKL or another CPU decides.
        Assert.StartsWith("MKL_VERBOSE oneMKL", withoutBanner, StringComparison.Ordinal);
        Assert.Equal("on", MachineEntry(withShim, "onemkl_cpu_shim"));
        Assert.Equal("off", MachineEntry(without, "onemkl_cpu_shim"));
    }

    [Fact]
    public void A_walk_with_the_shim_equals_the_walk_without_it_to_float_rounding()
    {
        string shim = Shell(Script, ("SGDWALK_MKL_SHIM", "1"));
        string folder = Directory.CreateTempSubdirectory("mkl-shim-").FullName;
        var (withShim, _) = Walk(Path.Combine(folder, "with"), shim, verbose: false);
        var (without, _) = Walk(Path.Combine(folder, "without"), preload: null, verbose: false);

        foreach (string file in new[] { "steps.csv", "profiles.csv" })
        {
            var a = CsvTable.Read(Path.Combine(withShim, file));
            var b = CsvTable.Read(Path.Combine(without, file));
            Assert.Equal(b.Columns, a.Columns);
            Assert.Equal(b.Rows.Count, a.Rows.Count);
            int compared = 0;
            for (int r = 0; r < a.Rows.Count; r++)
                for (int c = 0; c < a.Columns.Count; c++)
                {
                    bool numeric = double.TryParse(a.Rows[r][c], NumberStyles.Float, CultureInfo.InvariantCulture, out double x);
                    if (!numeric || !double.TryParse(b.Rows[r][c], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
                    {
                        Assert.Equal(b.Rows[r][c], a.Rows[r][c]);
                        continue;
                    }
                    // Heights and second differences are differences of nearly equal losses: compare them on the loss scale.
                    Assert.True(Math.Abs(x - y) <= 2e-5 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))),
                        $"{file} row {r} column {a.Columns[c]}: with shim {x}, without {y}");
                    compared++;
                }
            Assert.True(compared > 100, $"{file}: only {compared} numbers compared");
        }
    }

    /// <summary>A short recorded walk whose matrix products are big enough for oneMKL (it leaves tiny ones to libtorch).</summary>
    private static (string Folder, string Banner) Walk(string folder, string? preload, bool verbose)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SgdWalk.Cli.dll"));
        foreach (string a in new[]
                 {
                     "train", "--dataset", "synthetic", "--hidden", "256,128", "--batch-size", "64", "--steps", "12", "--seed", "3",
                     "--threads", "1", "--probe-size", "400", "--record", "all", "--no-report", "--out", folder,
                 })
            start.ArgumentList.Add(a);
        start.Environment.Remove("LD_PRELOAD");
        if (preload is not null) start.Environment["LD_PRELOAD"] = preload;
        if (verbose) start.Environment["MKL_VERBOSE"] = "1";
        else start.Environment.Remove("MKL_VERBOSE");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the walk hung");
        Assert.True(process.ExitCode == 0, stdout + stderr.Result);
        string banner = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("MKL_VERBOSE oneMKL", StringComparison.Ordinal)) ?? "";
        if (verbose) Assert.True(banner.Length > 0, "oneMKL printed no MKL_VERBOSE banner: " + stdout[..Math.Min(2000, stdout.Length)]);
        return (folder, banner);
    }

    private static string MachineEntry(string folder, string key)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "run.json")));
        foreach (var property in json.RootElement.EnumerateObject())
            if (property.NameEquals("machine") || property.NameEquals("Machine"))
                return property.Value.GetProperty(key).GetString() ?? "";
        throw new InvalidOperationException("run.json has no machine entry");
    }

    private static bool NonIntelWithAvx2()
    {
        string cpu = File.ReadAllText("/proc/cpuinfo");
        string flags = " " + (cpu.Split('\n').FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "") + " ";
        return !cpu.Contains("GenuineIntel", StringComparison.Ordinal) && flags.Contains(" avx2 ", StringComparison.Ordinal)
            && flags.Contains(" fma ", StringComparison.Ordinal);
    }

    private static string Shell(string command, params (string Name, string? Value)[] environment)
    {
        var start = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Trim();
    }
}
