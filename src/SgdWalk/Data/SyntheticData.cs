using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// A seeded classification set: each class has a random prototype image and samples are prototype + unit
/// Gaussian noise. The prototype scale is chosen so that neighbouring classes overlap a little (Bayes error of a
/// few percent whatever the image size): an MLP learns it, but not in one step.
/// </summary>
public static class SyntheticData
{
    public const int DefaultTrainCount = 2000;
    public const int DefaultValidationCount = 500;

    // Distance between two prototypes ≈ Separation·√2 noise standard deviations, independent of the pixel count.
    private const double Separation = 2.8;

    public static DataBundle Create(
        long seed,
        int trainCount = DefaultTrainCount,
        int validationCount = DefaultValidationCount,
        int testCount = 500,
        int classes = 4,
        int channels = 1,
        int height = 8,
        int width = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(validationCount);
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);

        using var scope = NewDisposeScope();
        var pixels = (long)channels * height * width;
        Tensor prototypes;
        // Generators are seeded explicitly so that the global RNG (model initialisation) is never consumed.
        using (var g = new Generator(Mix(seed, 0)))
            prototypes = randn([classes, channels, height, width], generator: g).mul_(Separation / Math.Sqrt(pixels));

        // One generator per split: the test set does not change when the training size does.
        LabeledImages Draw(int count, ulong stream)
        {
            using var g = new Generator(Mix(seed, stream));
            var labels = randint(classes, [count], ScalarType.Int64, generator: g);
            var images = randn([count, channels, height, width], generator: g).add_(prototypes.index_select(0, labels));
            return new LabeledImages(images, labels, classes);
        }

        var zeros = Enumerable.Repeat(0.0, channels).ToArray();
        var ones = Enumerable.Repeat(1.0, channels).ToArray();
        return new DataBundle(
            "synthetic",
            DatasetCatalog.GeneratedDirectory,
            Draw(trainCount, 1),
            Draw(validationCount, 2),
            Draw(testCount, 3),
            augmentByDefault: false,
            zeros,
            ones);
    }

    /// <summary>SplitMix64 of (seed, stream): nearby seeds give unrelated generator states.</summary>
    internal static ulong Mix(long seed, ulong stream)
    {
        var z = unchecked((ulong)seed + (stream + 1) * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
