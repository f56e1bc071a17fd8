using System.Globalization;
using System.Text.Json;
using SgdWalk.Bench.Exporters;

namespace SgdWalk.Cli.Tests;

/// <summary>`sgdwalk bench`: the smoke configuration end to end, its files, and its refusals. No timing is asserted.</summary>
public class BenchCommandTests
{
    // Workloads with a fixed amount of arithmetic (the adaptive grid's points vary, so it has no FLOP rate).
    private static readonly string[] Workloads = ["matmul", "train_step", "profile", "recorded_step", "recorded_step_consecutive", "profile_plain", "hvp"];

    [Fact]
    public void Quick_bench_writes_json_csv_and_markdown_with_every_workload()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bench");
        var (code, output) = CliHarness.Run("bench", "--quick", "--no-reference", "--models", "mlp", "--threads", "1", "--dataset", "synthetic", "--out", folder);
        Assert.True(code == 0, output);

        // bench.csv: one row per workload and per preset, every time and rate finite and positive.
        var rows = File.ReadAllLines(Path.Combine(folder, "bench.csv"));
        Assert.Equal(string.Join(',', BenchFiles.CsvColumns), rows[0]);
        var cells = rows.Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal([.. Workloads[..5], "recorded_step_adaptive", .. Workloads[5..], "default_run", "preset_none", "preset_cheap", "preset_paper"], cells.Select(c => c[2]));
        Assert.All(cells, c => Assert.Equal(["mlp", "1"], c[..2]));
        int Column(string name) => Array.IndexOf(BenchFiles.CsvColumns, name);
        foreach (var c in cells)
        {
            Assert.True(Positive(c[Column("sgdwalk_ms")]), $"{c[2]}: sgdwalk_ms '{c[Column("sgdwalk_ms")]}'");
            Assert.True(Positive(c[Column("peak_mb")]), $"{c[2]}: peak_mb");
            if (c[2].StartsWith("preset_", StringComparison.Ordinal)) Assert.True(Positive(c[Column("factor")]), $"{c[2]}: factor");
            else if (Workloads.Contains(c[2])) Assert.True(Positive(c[Column("gflops")]) && Positive(c[Column("matmul_fraction")]), $"{c[2]}: rates");
            Assert.Equal("", c[Column("pytorch_ms")]);
        }

        // bench.json: the plan, the machine and the same results; the reference was not attempted.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "bench.json")));
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("disabled", root.GetProperty("reference").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("machine").GetProperty("cpu_model").GetString()));
        Assert.Equal("0.107.0", root.GetProperty("versions").GetProperty("torchsharp").GetString());
        var block = Assert.Single(root.GetProperty("results").EnumerateArray());
        Assert.Equal(11, block.GetProperty("profile_losses").GetArrayLength());
        Assert.True(block.GetProperty("recorded_step_in_train_steps").GetDouble() > 0);
        Assert.True(block.GetProperty("adaptive_recorded_step_in_train_steps").GetDouble() > 0);
        Assert.True(block.GetProperty("hvp_norm").GetDouble() > 0);

        // bench.md and the console: the tables and the targets.
        string markdown = File.ReadAllText(Path.Combine(folder, "bench.md"));
        Assert.Contains("## mlp, 1 thread", markdown);
        Assert.Contains("| train step (batch 100) |", markdown);
        Assert.Contains("| whole walk, 2 steps, 2 recorded, own process |", markdown);
        Assert.Contains("## Targets", markdown);
        Assert.Contains("targets", output);
        Assert.Contains("completed", output);
        // Tracker numbers mean nothing to a user: none in what the bench prints or writes.
        Assert.DoesNotContain("issue", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("issue", markdown, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new[] { "--threads", "0" }, "--threads must list thread counts of at least 1")]
    [InlineData(new[] { "--threads", "two" }, "--threads must list thread counts of at least 1")]
    [InlineData(new[] { "--models", "transformer" }, "--models: unknown model 'transformer'; the bench measures mlp, small-cnn")]
    [InlineData(new[] { "--repeats", "0" }, "--repeats must be at least 1 (got 0)")]
    [InlineData(new[] { "--preset-steps", "1" }, "--preset-steps must be at least 2 (got 1)")]
    [InlineData(new[] { "--dataset", "imagenet" }, "--dataset: unknown dataset 'imagenet'")]
    [InlineData(new[] { "--no-such-option" }, "no-such-option")]
    public void Bad_options_give_one_line_and_exit_code_2(string[] args, string expected)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bench");
        var (code, output) = CliHarness.Run(["bench", "--quick", "--no-reference", .. args, "--out", folder]);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Single(output.Trim().Split('\n'), line => line.Contains("error", StringComparison.Ordinal));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_non_empty_output_folder_is_refused()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(folder, "bench.json"), "{}");
        var (code, output) = CliHarness.Run("bench", "--quick", "--no-reference", "--dataset", "synthetic", "--out", folder);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("already exists and is not empty", output);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(folder, "bench.json")));
    }

    [Fact]
    public void Help_lists_the_bench_options()
    {
        var (code, output) = CliHarness.Run("bench", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--models", "--threads", "--repeats", "--out", "--no-reference", "--reference-dir", "--quick", "--data-dir", "--preset-rounds" })
            Assert.Contains(option, output);
        (code, output) = CliHarness.Run("--help");
        Assert.Contains("bench", output);
    }

    private static bool Positive(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0;
}
