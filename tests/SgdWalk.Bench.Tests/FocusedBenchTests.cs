namespace SgdWalk.Bench.Tests;

/// <summary>The focused benches run end to end on synthetic data at smoke sizes (their numbers mean nothing here).</summary>
public class FocusedBenchTests
{
    private static readonly string[] Quick = ["1", "1", "--dataset", "synthetic", "--quick"];

    [Fact]
    public void Profile_bench_times_both_policies_both_paths_and_the_adaptive_grid()
    {
        var output = new StringWriter();
        Assert.Equal(0, ProfileBench.Program.Run(Quick, output));
        var lines = output.ToString().Trim().Split('\n');
        Assert.StartsWith("threads 1; plain training step (batch 100):", lines[0]);
        Assert.Equal(4, lines.Count(l => l.StartsWith("profile 11 x 200, bn ", StringComparison.Ordinal) && l.Contains("chunk", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("profile 11 x 200, bn BatchStats, first BatchNorm fused:", StringComparison.Ordinal) && l.Contains("not fused:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("bn Running    chunk 1000, first-layer shortcut on ", StringComparison.Ordinal));
        Assert.StartsWith("profile adaptive x 200", lines[^1]);
    }

    [Fact]
    public void Curvature_bench_times_gradient_products_and_both_eigen_methods()
    {
        var output = new StringWriter();
        Assert.Equal(0, CurvatureBench.Program.Run(Quick, output));
        string text = output.ToString();
        Assert.Contains("probe 200 samples in chunks of 100", text);
        foreach (var line in new[] { "grouped BatchNorm:", "chunk by chunk:", "gradient:", "HVP, double backward:", "HVP, finite differences:", "lambda_max by Lanczos", "lambda_max by Power" })
            Assert.Contains(line, text);
    }

    [Fact]
    public void A_bad_argument_is_one_line_and_exit_code_2()
    {
        var output = new StringWriter();
        Assert.Equal(2, ProfileBench.Program.Run(["fast"], output));
        Assert.Equal($"ProfileBench: unexpected argument 'fast'; expected {FocusedArgs.Usage}", output.ToString().Trim());
    }

    [Fact]
    public void Arguments_are_repeats_threads_dataset_and_quick()
    {
        var parsed = FocusedArgs.Parse(["7", "2", "--dataset", "mnist"], defaultRepeats: 5);
        Assert.Equal((7, 2, "mnist", false), (parsed.Plan.Repeats, parsed.Threads, parsed.Plan.Dataset, parsed.Plan.Quick));
        Assert.Equal(["mlp"], parsed.Plan.Models);
        var defaults = FocusedArgs.Parse([], defaultRepeats: 5);
        Assert.Equal((5, Environment.ProcessorCount, "fashion-mnist", 5000), (defaults.Plan.Repeats, defaults.Threads, defaults.Plan.Dataset, defaults.Plan.ProbeCount));
        Assert.Equal(200, FocusedArgs.Parse(["--quick"], 5).Plan.ProbeCount);
        Assert.Throws<ArgumentException>(() => FocusedArgs.Parse(["0"], 5));
        Assert.Throws<ArgumentException>(() => FocusedArgs.Parse(["1", "2", "3"], 5));
    }
}
