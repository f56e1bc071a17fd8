using SgdWalk.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// Checks of a model on a data shape that need no training: a size estimate from the architecture alone (so an
/// absurd depth or width is refused without allocating it) and a trial forward and backward pass on a batch of two.
/// </summary>
public static class ModelCheck
{
    /// <summary>
    /// Trainable parameters the zoo's <paramref name="name"/> would have on <paramref name="spec"/>, computed from the
    /// architecture (BatchNorm included), without building it. An estimate for specs the zoo would refuse.
    /// </summary>
    public static double Parameters(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        double bn = spec.BatchNorm ? 2 : 0;
        switch (name.Trim().ToLowerInvariant())
        {
            case "mlp":
                {
                    double inputs = (double)spec.Channels * spec.Height * spec.Width, total = 0;
                    foreach (int w in spec.Hidden ?? [500, 350]) { total += inputs * w + w + bn * w; inputs = w; }
                    return total + inputs * spec.Classes + spec.Classes;
                }
            case "small-cnn":
                {
                    double channels = spec.Channels, total = 0, h = spec.Height, w = spec.Width;
                    foreach (int width in spec.Hidden ?? [32, 64])
                    { total += channels * width * 9 + width + bn * width; channels = width; h = Math.Floor(h / 2); w = Math.Floor(w / 2); }
                    return total + channels * Math.Max(1, h * w) * 128 + 128 + 128.0 * spec.Classes + spec.Classes;
                }
            case "vgg11":
                {
                    double channels = spec.Channels, total = 0;
                    foreach (int width in new[] { 64, 128, 256, 256, 512, 512, 512, 512 }) { total += channels * width * 9 + width + 2 * width; channels = width; }
                    return total + 512.0 * 512 * 2 + 1024 + 512.0 * spec.Classes + spec.Classes;
                }
            default:
                {
                    int depth = name.Contains("20", StringComparison.Ordinal) ? 20 : name.Contains("56", StringComparison.Ordinal) ? 56 : spec.Depth ?? 20;
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
        }
    }

    /// <summary>Floats one sample's forward pass keeps for backward (layer outputs, BatchNorm and ReLU included), estimated.</summary>
    public static double ActivationFloats(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        double pixels = (double)spec.Height * spec.Width;
        switch (name.Trim().ToLowerInvariant())
        {
            case "mlp":
                return spec.Channels * pixels + 3 * (spec.Hidden ?? [500, 350]).Sum(w => (double)w) + spec.Classes;
            case "small-cnn":
                {
                    double total = spec.Channels * pixels, area = pixels;
                    foreach (int width in spec.Hidden ?? [32, 64]) { total += 4 * width * area; area = Math.Max(1, area / 4); }
                    return total + 256 + spec.Classes;
                }
            case "vgg11":
                return spec.Channels * pixels + 4 * (64 * pixels + 128 * pixels / 4 + 512 * pixels / 16 + 1024 * pixels / 64 + 1024 * pixels / 256);
            default:
                {
                    int depth = name.Contains("20", StringComparison.Ordinal) ? 20 : name.Contains("56", StringComparison.Ordinal) ? 56 : spec.Depth ?? 20;
                    double blocks = Math.Max(1, (depth - 2) / 6);
                    // Per block: two BatchNorm+ReLU+conv triples; each stage halves the area and doubles the width.
                    return spec.Channels * pixels + blocks * 6 * (16 * pixels + 32 * pixels / 4 + 64 * pixels / 16) + 16 * pixels;
                }
        }
    }

    /// <summary>
    /// <see cref="ConvolutionGuard"/> for a zoo model whose convolutions include one with fewer than 16 output channels
    /// (the shapes the oneDNN bug hits): its float32 gradient against float64's, on a batch of eight. Null when right.
    /// </summary>
    public static string? ConvolutionProblem(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var generator = Generator.Default;
        using var rng = generator.get_state();
        try
        {
            using var model = ModelZoo.Create(name, spec);
            if (!model.parameters().Any(p => p.dim() == 4 && p.shape[0] < 16)) return null;
            using var model64 = ModelZoo.Create(name, spec);
            model64.to(ScalarType.Float64);
            return ModelGradientCheck.Problem(model, model64, spec);
        }
        finally
        {
            generator.set_state(rng);
        }
    }

    /// <summary>
    /// Builds the model and passes a batch of two zero images of the spec's shape forward and backward, so a model
    /// that does not fit its data fails here, with the zoo's message, instead of in the first training step.
    /// The global generator is left as it was found.
    /// </summary>
    /// <returns>null when the model works on the shape, otherwise the problem in one line.</returns>
    public static string? Trial(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var generator = Generator.Default;
        using var rng = generator.get_state();
        try
        {
            using var scope = NewDisposeScope();
            using var model = ModelZoo.Create(name, spec);
            model.train();
            var output = model.call(zeros(2, spec.Channels, spec.Height, spec.Width));
            if (output.shape.Length != 2 || output.shape[0] != 2 || output.shape[1] != spec.Classes)
                return $"{name}: gives outputs of shape [{string.Join(", ", output.shape)}] on {spec.Channels}x{spec.Height}x{spec.Width} images, " +
                    $"not [2, {spec.Classes}]";
            output.sum().backward();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            // libtorch's messages carry C++ frames after the first line; the first line says what went wrong.
            return $"{name} does not work on {spec.Channels}x{spec.Height}x{spec.Width} images: {e.Message.Split('\n')[0].Trim()}";
        }
        finally
        {
            generator.set_state(rng);
        }
    }
}
