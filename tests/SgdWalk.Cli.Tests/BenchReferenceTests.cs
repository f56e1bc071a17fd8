using System.Globalization;
using SgdWalk.Cli.Bench;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// The bench's side of the PyTorch reference contract: its result line is parsed strictly, and a reference that cannot
/// run leaves the bench's own numbers standing with one line saying why.
/// </summary>
public class BenchReferenceTests
{
    private const string Valid =
        """{"torch_version": "1.13.1", "python_version": "3.11.2", "blas": "openblas", "threads": 2, "model": "mlp", "train_step_ms": 5.5, "profile_ms": 900.0, "profile_losses": [0.5, 0.49, 0.48, 0.47, 0.46, 0.45, 0.46, 0.47, 0.48, 0.49, 0.5], "hvp_ms": 80.0, "hvp_norm": 12.5, "hvp_dot": 3.25, "matmul_gflops": 150.0, "peak_rss_mb": 400.0}""";

    [Fact]
    public void The_last_line_is_parsed_as_the_result()
    {
        var result = ReferenceResult.Parse("torch: some warning\n" + Valid + "\n\n");
        Assert.Equal("1.13.1", result.TorchVersion);
        Assert.Equal(2, result.Threads);
        Assert.Equal(900.0, result.ProfileMs);
        Assert.Equal(11, result.ProfileLosses.Count);
        Assert.Equal(3.25, result.HvpDot);
    }

    [Theory]
    [InlineData("Traceback (most recent call last): ImportError: no torch", "did not end its output with a JSON object (last line: 'Traceback")]
    [InlineData("", "did not end its output with a JSON object")]
    [InlineData("[1, 2, 3]", "is JSON but not an object")]
    [InlineData("""{"torch_version": "1.13"}""", "lacks 'python_version'")]
    public void Garbage_is_rejected_with_a_clear_message(string stdout, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ReferenceResult.Parse(stdout));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_non_numeric_time_is_named()
    {
        var error = Assert.Throws<FormatException>(() => ReferenceResult.Parse(Valid.Replace("\"hvp_ms\": 80.0", "\"hvp_ms\": \"fast\"", StringComparison.Ordinal)));
        Assert.Contains("'hvp_ms' is not a number", error.Message);
    }

    [Fact]
    public void Checks_compare_losses_and_the_hvp_relative_to_the_reference()
    {
        var reference = ReferenceResult.Parse(Valid);
        var ours = reference.ProfileLosses.Select((l, i) => i == 3 ? l + 1e-6 : l).ToArray();
        var checks = ReferenceChecks.Compare(ours, 12.5 * (1 + 2e-6), 3.25, reference);
        Assert.Equal(1e-6, checks.MaxLossDifference, 1e-12);
        Assert.Equal(1e-6 / 0.47, checks.MaxLossRelativeDifference, 1e-9);
        Assert.Equal(2e-6, checks.HvpNormRelativeDifference, 1e-12);
        Assert.Equal(0, checks.HvpDotRelativeDifference);
    }

    [Fact]
    public void A_missing_reference_is_one_line_and_the_bench_still_completes()
    {
        string empty = Directory.CreateTempSubdirectory().FullName;
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bench");
        var (code, output) = CliHarness.Run("bench", "--quick", "--reference-dir", empty, "--models", "mlp", "--threads", "1",
            "--dataset", "synthetic", "--preset-rounds", "0", "--out", folder);
        Assert.True(code == 0, output);
        Assert.Contains($"PyTorch reference missing: --reference-dir {empty} has no pytorch_bench.py", output.Replace("\n", "", StringComparison.Ordinal));
        Assert.Contains("\"reference\": \"missing\"", File.ReadAllText(Path.Combine(folder, "bench.json")));
    }

    [Fact]
    public void A_reference_run_fills_the_ratios_and_exchange_folder()
    {
        TestDependencies.Require("python3"); // the fake reference below runs under Debian's python3
        // A stand-in that honours only the output contract: it reads workload.json and answers with fixed numbers,
        // so the ratios and checks are defined without PyTorch installed.
        string reference = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(reference, ReferenceRunner.Script), """
            import json, sys
            w = json.load(open(sys.argv[1] + "/workload.json"))
            print("loading...")
            print(json.dumps({"torch_version": "fake", "python_version": "3", "blas": "none", "threads": w["threads"], "model": w["model"],
                "train_step_ms": 1.0, "profile_ms": 100.0, "profile_losses": [1.0] * len(w["alphas"]), "hvp_ms": 10.0,
                "hvp_norm": 1.0, "hvp_dot": 1.0, "matmul_gflops": 50.0, "peak_rss_mb": 100.0}))
            """);
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bench");
        var (code, output) = CliHarness.Run("bench", "--quick", "--reference-dir", reference, "--models", "mlp", "--threads", "1",
            "--dataset", "synthetic", "--preset-rounds", "0", "--out", folder);
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(folder, "exchange", "mlp-t1", "workload.json")));
        var rows = File.ReadAllLines(Path.Combine(folder, "bench.csv")).Select(r => r.Split(',')).ToArray();
        var profile = rows.Single(r => r[2] == "profile");
        int pytorch = Array.IndexOf(BenchFiles.CsvColumns, "pytorch_ms"), ratio = Array.IndexOf(BenchFiles.CsvColumns, "ratio");
        Assert.Equal(100.0, double.Parse(profile[pytorch], CultureInfo.InvariantCulture));
        Assert.True(double.Parse(profile[ratio], CultureInfo.InvariantCulture) > 0);
        Assert.Contains("vs PyTorch: profile losses max |Δ|", File.ReadAllText(Path.Combine(folder, "bench.md")));
    }
}
