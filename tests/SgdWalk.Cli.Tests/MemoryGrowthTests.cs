using System.Globalization;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// A walk's resident memory must stop growing once its buffers exist: under glibc's malloc it grew by about 38 MB per
/// recorded step on one machine (to 2.1 GB) and not on another, so the launcher runs on jemalloc with purging off
/// (docs/speed.md, "Memory"). Memory, not time: a 40-recorded-step Fashion-MNIST walk in a child process on the launcher's
/// allocator, and memory.csv's growth after recorded step 3 held to the bound, under both BatchNorm policies.
/// </summary>
public class MemoryGrowthTests
{
    /// <summary>The bound the issue set: growth of the resident memory after recorded step 3, in MiB.</summary>
    private const double GrowthBound = 30;

    [Theory]
    [InlineData("batch-stats")]
    [InlineData("running")]
    public void Resident_memory_stays_flat_after_the_third_recorded_step_on_the_launchers_allocator(string bn)
    {
        TestDependencies.Require("data");
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        using var child = ChildCli.StartWithEnvironment(ChildCli.Allocator("jemalloc"),
            "train", "--steps", "40", "--bn", bn, "--no-report", "--out", folder);
        int code = child.WaitForExit();
        Assert.True(code == 0, child.Output);
        Assert.Equal("jemalloc", Machine(folder, "allocator"));
        // memory.csv: step,recorded_steps,phase,rss_mb,peak_mb; one "recorded" row per recorded step (steps 0-39).
        var recorded = File.ReadLines(Path.Combine(folder, "memory.csv")).Skip(1).Select(l => l.Split(','))
            .Where(r => r[2] == "recorded").Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(40, recorded.Count);
        double growth = recorded.Skip(4).Max() - recorded[3];
        Assert.True(growth <= GrowthBound,
            $"resident memory grew by {growth:F1} MB after recorded step 3 ({recorded[3]:F0} → {recorded.Max():F0} MB): {string.Join(' ', recorded.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}");
    }

    [Theory]
    [InlineData("jemalloc")]
    [InlineData("glibc")]
    public void Run_json_names_the_allocator_the_process_ran_on(string allocator)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        using var child = ChildCli.StartWithEnvironment(ChildCli.Allocator(allocator),
            "train", "--dataset", "synthetic", "--steps", "2", "--probes", "none", "--no-report", "--out", folder);
        Assert.True(child.WaitForExit() == 0, child.Output);
        Assert.Equal(allocator, Machine(folder, "allocator"));
        Assert.Equal(allocator == "jemalloc" ? "dirty_decay_ms:-1,muzzy_decay_ms:-1" : "", Machine(folder, "malloc_conf"));
    }

    private static string Machine(string folder, string key) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "run.json")))!["machine"]![key]!.GetValue<string>();
}
