using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

public class EpochSamplerTests
{
    [Theory]
    [InlineData(100, 10, 10)]
    [InlineData(103, 10, 11)]
    [InlineData(5, 128, 1)]
    public void Each_epoch_is_a_permutation_cut_into_batches(int count, int batchSize, int batches)
    {
        using var sampler = new EpochSampler(count, batchSize, 1);

        Assert.Equal(batches, sampler.BatchesPerEpoch);
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var order = sampler.NextEpoch();
            Assert.Equal(batches, order.Count);
            Assert.All(order.SkipLast(1), b => Assert.Equal(batchSize, b.Length));
            Assert.Equal(count - (batches - 1) * batchSize, order[^1].Length);
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), order.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void Epochs_differ_and_the_same_seed_repeats_the_sequence()
    {
        using var a = new EpochSampler(50, 8, 77);
        using var b = new EpochSampler(50, 8, 77);
        using var c = new EpochSampler(50, 8, 78);

        var a1 = a.NextEpoch().SelectMany(x => x).ToArray();
        var a2 = a.NextEpoch().SelectMany(x => x).ToArray();
        var b1 = b.NextEpoch().SelectMany(x => x).ToArray();
        var b2 = b.NextEpoch().SelectMany(x => x).ToArray();
        var c1 = c.NextEpoch().SelectMany(x => x).ToArray();

        Assert.NotEqual(a1, a2);
        Assert.Equal(a1, b1);
        Assert.Equal(a2, b2);
        Assert.NotEqual(a1, c1);
    }
}
