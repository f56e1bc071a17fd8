using SgdWalk.Landscape;

namespace SgdWalk.Tests.Landscape;

/// <summary>
/// <see cref="StepPass.Run"/> on several workers: the blocks' sums added in block order whoever ran them, and a block
/// that throws fails the pass instead of leaving it waiting.
/// </summary>
public class StepPassRunTests
{
    // Parts of 5,000 to 1.2 million elements: whole blocks of 2^15 and blocks cut at a part's end.
    private static readonly (int Part, long Start, int Count)[] Blocks = StepPass.Blocks([.. Enumerable.Range(0, 20).Select(i => (long)(5_000 + 3_371 * i * i))]);

    [Fact]
    public void The_sums_are_the_same_bits_whatever_the_number_of_workers()
    {
        // Values whose float64 sum depends on the order they are added in.
        static void Body(int b, Span<double> s)
        {
            s[0] = 1.0 / (b + 3);
            s[1] = Math.Pow(-1e3, b % 7) * Math.PI;
        }
        var sequential = new double[2];
        foreach (var b in Enumerable.Range(0, Blocks.Length))
        {
            var s = new double[2];
            Body(b, s);
            sequential[0] += s[0];
            sequential[1] += s[1];
        }
        Assert.True(Blocks.Length > 30);
        foreach (int workers in new[] { 1, 2, 3, 8 })
            for (int repeat = 0; repeat < 20; repeat++)
                Assert.Equal(sequential.Select(BitConverter.DoubleToInt64Bits), StepPass.Run(Blocks, 2, Body, workers).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void A_block_that_throws_fails_the_pass()
    {
        foreach (int workers in new[] { 1, 2 })
        {
            var error = Assert.Throws<InvalidOperationException>(() => StepPass.Run(Blocks, 1, (b, s) =>
            {
                if (b == Blocks.Length / 2) throw new InvalidOperationException("block failed");
                s[0] = b;
            }, workers));
            Assert.Equal("block failed", error.Message);
        }
    }
}
