using static TorchSharp.torch;

namespace SgdWalk.Data;

/// <summary>
/// The `valley` dataset of the <see cref="Models.Valley"/> landscape: each sample is a noise vector ξ = (ξ_x, ξ_y) of
/// independent N(0, <see cref="NoiseScale"/>²) draws, stored as a 1×1×2 "image" with label 0 of 2 classes. Each split is
/// centred to mean exactly zero (in float64, before rounding to float32), so the training loss is the landscape itself
/// and a mini-batch adds only its own mean tilt ξ̄_B·θ: gradient noise of standard deviation σ/√B per coordinate.
/// </summary>
public static class ValleyData
{
    public const int DefaultTrainCount = 500;
    public const int DefaultValidationCount = 100;
    public const int TestCount = 100;

    /// <summary>σ of each noise coordinate: at batch 20 the gradient noise (0.056) is small beside the corrugation's slope b/ℓ = 4.</summary>
    public const double NoiseScale = 0.25;

    public static DataBundle Create(long seed, int trainCount = DefaultTrainCount, int validationCount = DefaultValidationCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(validationCount);
        LabeledImages Draw(int count, ulong stream)
        {
            using var scope = NewDisposeScope();
            using var g = new Generator(SyntheticData.Mix(seed, stream)); // seeded explicitly: the global RNG initialises the model
            var noise = randn([count, 2], ScalarType.Float64, generator: g).mul_(NoiseScale);
            if (count > 0) noise.sub_(noise.mean([0], keepdim: true));
            var images = noise.to(ScalarType.Float32).reshape(count, 1, 1, 2); // [N, 2] -> [N, C=1, H=1, W=2]
            return new LabeledImages(images, zeros([count], ScalarType.Int64), classes: 2); // takes the tensors out of the scope
        }
        return new DataBundle("valley", DatasetCatalog.GeneratedDirectory, Draw(trainCount, 11), Draw(validationCount, 12), Draw(TestCount, 13),
            augmentByDefault: false, [0.0], [1.0]);
    }
}
