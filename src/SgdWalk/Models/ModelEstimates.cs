namespace SgdWalk.Models;

/// <summary>
/// The zoo's size estimates, from the architecture alone (BatchNorm included) and without building anything, so an
/// absurd depth or width is refused before it is allocated; also for specs the zoo itself would refuse. Each family
/// of <see cref="ModelZoo.Known"/> points at its pair; ModelFamilyTests holds them to the built modules.
/// </summary>
internal static class ModelEstimates
{
    public static double MlpParameters(ModelSpec spec)
    {
        double bn = spec.BatchNorm ? 2 : 0, inputs = (double)spec.Channels * spec.Height * spec.Width, total = 0;
        foreach (int w in spec.Hidden ?? [500, 350]) { total += inputs * w + w + bn * w; inputs = w; }
        return total + inputs * spec.Classes + spec.Classes;
    }

    public static double MlpActivations(ModelSpec spec) =>
        spec.Channels * (double)spec.Height * spec.Width + 3 * (spec.Hidden ?? [500, 350]).Sum(w => (double)w) + spec.Classes;

    public static double SmallCnnParameters(ModelSpec spec)
    {
        double bn = spec.BatchNorm ? 2 : 0, channels = spec.Channels, total = 0, h = spec.Height, w = spec.Width;
        foreach (int width in spec.Hidden ?? [32, 64])
        { total += channels * width * 9 + width + bn * width; channels = width; h = Math.Floor(h / 2); w = Math.Floor(w / 2); }
        return total + channels * Math.Max(1, h * w) * 128 + 128 + 128.0 * spec.Classes + spec.Classes;
    }

    public static double SmallCnnActivations(ModelSpec spec)
    {
        double pixels = (double)spec.Height * spec.Width, total = spec.Channels * pixels, area = pixels;
        foreach (int width in spec.Hidden ?? [32, 64]) { total += 4 * width * area; area = Math.Max(1, area / 4); }
        return total + 256 + spec.Classes;
    }

    public static double Vgg11Parameters(ModelSpec spec)
    {
        double channels = spec.Channels, total = 0;
        foreach (int width in new[] { 64, 128, 256, 256, 512, 512, 512, 512 }) { total += channels * width * 9 + width + 2 * width; channels = width; }
        return total + 512.0 * 512 * 2 + 1024 + 512.0 * spec.Classes + spec.Classes;
    }

    public static double Vgg11Activations(ModelSpec spec)
    {
        double pixels = (double)spec.Height * spec.Width;
        return spec.Channels * pixels + 4 * (64 * pixels + 128 * pixels / 4 + 512 * pixels / 16 + 1024 * pixels / 64 + 1024 * pixels / 256);
    }

    public static double ResNetParameters(ModelSpec spec, int depth)
    {
        double blocks = Math.Max(1, (depth - 2) / 6), channels = 16, total = spec.Channels * 16.0 * 9;
        foreach (int width in new[] { 16, 32, 64 })
        {
            // The first block of a stage may change width (and gets a 1x1 shortcut); the others keep it.
            total += channels * width * 9 + 9.0 * width * width + (channels != width ? channels * width : 0) + 2 * channels + 2 * width;
            total += (blocks - 1) * (18.0 * width * width + 4 * width);
            channels = width;
        }
        return total + 2 * channels + channels * spec.Classes + spec.Classes;
    }

    public static double ResNetActivations(ModelSpec spec, int depth)
    {
        double pixels = (double)spec.Height * spec.Width, blocks = Math.Max(1, (depth - 2) / 6);
        // Per block: two BatchNorm+ReLU+conv triples; each stage halves the area and doubles the width.
        return spec.Channels * pixels + blocks * 6 * (16 * pixels + 32 * pixels / 4 + 64 * pixels / 16) + 16 * pixels;
    }

    /// <summary>The valley's floats per sample: the 2 noise values, L_i and z_i, the 2 logits.</summary>
    public const double ValleyActivations = 6;
}
