using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

// Any other test drawing from the global RNG at the same time would break the comparison, so run alone.
[CollectionDefinition(nameof(GlobalRngCollection), DisableParallelization = true)]
public class GlobalRngCollection
{
}

[Collection(nameof(GlobalRngCollection))]
public class GlobalRngTests
{
    [Fact]
    public void Augmenter_sampler_and_synthetic_data_leave_the_global_RNG_alone()
    {
        using var scope = NewDisposeScope();
        manual_seed(2024);
        var expected = randn(16);

        manual_seed(2024);
        using (var augmenter = new Augmenter(5))
            augmenter.Apply(ones(4, 3, 8, 8));
        using (var sampler = new EpochSampler(100, 10, 5))
            sampler.NextEpoch();
        SyntheticData.Create(5, trainCount: 20, validationCount: 5, testCount: 5).Dispose();
        var actual = randn(16);

        Assert.True(TensorAssert.Same(expected, actual));
    }
}
