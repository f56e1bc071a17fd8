using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Data;

public class AugmenterTests
{
    private const int N = 40;
    private const int C = 2;
    private const int H = 5;
    private const int W = 6;

    private static Tensor Batch() =>
        arange(N * C * H * W, ScalarType.Float32).view(N, C, H, W).add(1);

    [Fact]
    public void Same_seed_gives_same_output_and_the_shape_is_kept()
    {
        using var scope = NewDisposeScope();
        var images = Batch();
        using var a = new Augmenter(9);
        using var b = new Augmenter(9);

        var first = a.Apply(images);
        var second = b.Apply(images);

        Assert.Equal(images.shape, first.shape);
        Assert.True(TensorAssert.Same(first, second));
        Assert.False(TensorAssert.Same(first, a.Apply(images))); // the generator moves on between batches
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_sample_is_a_crop_of_the_zero_padded_input_or_its_mirror(int padding)
    {
        using var scope = NewDisposeScope();
        var images = Batch();
        using var augmenter = new Augmenter(3, padding);

        var output = augmenter.Apply(images);

        var fills = new float[C];
        var flips = AssertCropsOrMirrors(images, output, padding, fills);
        Assert.InRange(flips, 5, N - 5); // p = 0.5 over 40 samples
    }

    [Fact]
    public void Pad_values_per_channel_are_used_for_the_border()
    {
        using var scope = NewDisposeScope();
        var images = Batch();
        var fills = new[] { -1.5f, -7f };
        using var augmenter = new Augmenter(11, 2, [fills[0], fills[1]]);

        var output = augmenter.Apply(images);

        AssertCropsOrMirrors(images, output, 2, fills);
        Assert.True(output.eq(-7f).any().item<bool>()); // some crop reached into the border
    }

    [Fact]
    public void Input_is_left_untouched()
    {
        using var scope = NewDisposeScope();
        var images = Batch();
        var copy = images.clone();
        using var augmenter = new Augmenter(1);

        augmenter.Apply(images);

        Assert.True(TensorAssert.Same(images, copy));
    }

    /// <summary>Brute force: some offset (and maybe a mirror) must reproduce each output sample exactly.
    /// Returns how many samples could only be explained by a mirror.</summary>
    private static int AssertCropsOrMirrors(Tensor images, Tensor output, int padding, float[] fills)
    {
        var input = images.data<float>().ToArray();
        var result = output.data<float>().ToArray();
        var mirrored = 0;
        for (var n = 0; n < N; n++)
        {
            var found = false;
            var onlyMirror = true;
            for (var oy = 0; oy <= 2 * padding; oy++)
            {
                for (var ox = 0; ox <= 2 * padding; ox++)
                {
                    foreach (var flip in new[] { false, true })
                    {
                        if (Matches(input, result, n, oy - padding, ox - padding, flip, fills))
                        {
                            found = true;
                            onlyMirror &= flip;
                        }
                    }
                }
            }

            Assert.True(found, $"sample {n} is not a crop of the padded input nor its mirror");
            if (onlyMirror)
                mirrored++;
        }

        return mirrored;
    }

    private static bool Matches(float[] input, float[] output, int n, int dy, int dx, bool flip, float[] fills)
    {
        for (var c = 0; c < C; c++)
        {
            for (var y = 0; y < H; y++)
            {
                for (var x = 0; x < W; x++)
                {
                    var sx = (flip ? W - 1 - x : x) + dx;
                    var sy = y + dy;
                    var expected = sy is >= 0 and < H && sx is >= 0 and < W
                        ? input[((n * C + c) * H + sy) * W + sx]
                        : fills[c];
                    if (output[((n * C + c) * H + y) * W + x] != expected)
                        return false;
                }
            }
        }

        return true;
    }
}
