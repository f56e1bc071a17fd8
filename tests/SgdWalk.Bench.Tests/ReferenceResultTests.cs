using SgdWalk.Bench.Reference;

namespace SgdWalk.Bench.Tests;

/// <summary>The bench's side of the PyTorch reference contract: its result line is parsed strictly and compared with ours.</summary>
public class ReferenceResultTests
{
    private const string Valid =
        """{"torch_version": "1.13.1", "python_version": "3.11.2", "blas": "openblas", "threads": 2, "model": "mlp", "train_step_ms": """ +
            """5.5, "profile_ms": 900.0, "profile_losses": [0.5, 0.49, 0.48, 0.47, 0.46, 0.45, 0.46, 0.47, 0.48, 0.49, 0.5], "hvp_ms": """ +
            """80.0, "hvp_norm": 12.5, "hvp_dot": 3.25, "matmul_gflops": 150.0, "peak_rss_mb": 400.0}""";

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
}
