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
    /// <summary>Trainable parameters of the zoo's <paramref name="name"/> on <paramref name="spec"/>, from the architecture alone.</summary>
    /// <exception cref="ArgumentException">An unknown model (never a guess).</exception>
    public static double Parameters(string name, ModelSpec spec) => ModelZoo.Family(name).Parameters(spec);

    /// <summary>Floats one sample's forward pass keeps for backward, estimated from the architecture.</summary>
    /// <exception cref="ArgumentException">An unknown model (never a guess).</exception>
    public static double ActivationFloats(string name, ModelSpec spec) => ModelZoo.Family(name).ActivationFloats(spec);

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
            if (!ModelZoo.Family(name).Supports.Convolutions) return null;
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
