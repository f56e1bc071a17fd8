using System.Globalization;
using SgdWalk.Bench.Exporters;
using SgdWalk.Bench.Reference;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `sgdwalk bench` with the PyTorch reference: a reference that cannot run leaves the bench's own numbers standing
/// with one line saying why; one that answers fills the ratios.
/// </summary>
public class BenchReferenceTests
{
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
