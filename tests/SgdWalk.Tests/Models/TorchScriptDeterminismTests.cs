using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Models;

/// <summary>
/// The determinism check tells floating-point reduction order (two convolutions summed in another order under other
/// thread scheduling: about 1e-7 relative) from real randomness (Dropout, noise), instead of asking for bit equality.
/// </summary>
public class TorchScriptDeterminismTests
{
    [Fact]
    public void Reordered_sums_count_as_the_same_output_and_dropout_or_noise_do_not()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var logits = randn([16, 10], generator: generator) * 30;
        Assert.True(TorchScriptCheck.Same(logits, logits.clone()));
        // A float32 sum taken in another order: each element off by a few units in the last place.
        var reordered = logits * (1 + (3e-7 * randn([16, 10], generator: generator)));
        Assert.False(reordered.equal(logits).all().item<bool>());
        Assert.True(TorchScriptCheck.Same(logits, reordered));
        // Dropout zeroes (and rescales) a share of the activations; small added noise is still randomness.
        var dropped = logits * (rand([16, 10], generator: generator) > 0.1).to(ScalarType.Float32) / 0.9;
        Assert.False(TorchScriptCheck.Same(logits, dropped));
        Assert.False(TorchScriptCheck.Same(logits, logits + (0.01 * randn([16, 10], generator: generator))));
        Assert.False(TorchScriptCheck.Same(logits, logits.narrow(0, 0, 8)));
    }
}
