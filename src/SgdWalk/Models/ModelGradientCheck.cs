using SgdWalk.Landscape;
using SgdWalk.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Models;

/// <summary>
/// A model's float32 gradient against its float64 twin, judged by the process's <see cref="ConvolutionGuard"/>: the
/// per-model half of the oneDNN narrow-convolution check (the process-wide decision lives in Platform).
/// </summary>
public static class ModelGradientCheck
{
    /// <summary>Images in the seeded trial batch.</summary>
    public const int TrialBatch = 8;

    /// <summary>The model's gradient check (see <see cref="ConvolutionGuard.Check"/>) with <see cref="GradientError"/> as the measurement.</summary>
    public static string? Problem(nn.Module<Tensor, Tensor> model32, nn.Module<Tensor, Tensor> model64, ModelSpec spec) =>
        ConvolutionGuard.Check(() => GradientError(model32, model64, spec));

    /// <summary>
    /// Relative difference ‖g32 − g64‖ / ‖g64‖ of the gradients of the mean cross-entropy of <paramref name="model32"/> and
    /// <paramref name="model64"/> (the same network in float32 and float64; the float64 copy gets the float32 one's
    /// parameters and buffers) on one seeded batch of <see cref="TrialBatch"/> standard-normal images, in train mode.
    /// Leaves the global generator, the float32 model's buffers and its gradients as they were.
    /// </summary>
    public static double GradientError(nn.Module<Tensor, Tensor> model32, nn.Module<Tensor, Tensor> model64, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model32);
        ArgumentNullException.ThrowIfNull(model64);
        ArgumentNullException.ThrowIfNull(spec);
        using var scope = NewDisposeScope();
        using var state = ModelState.Capture(model32);
        using (no_grad())
        {
            var target = model64.state_dict();
            foreach (var (name, value) in model32.state_dict()) target[name].copy_(value);
        }
        using var generator = new Generator(20261130);
        var images = randn([TrialBatch, spec.Channels, spec.Height, spec.Width], generator: generator);
        var labels = randint(spec.Classes, [TrialBatch], generator: generator);
        var g32 = Gradient(model32, images, labels);
        var g64 = Gradient(model64, images.to(ScalarType.Float64), labels);
        state.Restore();
        double reference = g64.norm().item<double>();
        double error = (g32.to(ScalarType.Float64) - g64).norm().item<double>();
        double relative = reference > 0 ? error / reference : error;
        return double.IsNaN(relative) ? double.PositiveInfinity : relative;
    }

    private static Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.train();
        var parameters = model.parameters().Cast<Tensor>().ToList();
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        var grads = autograd.grad([loss], parameters);
        return cat(grads.Select(g => g.flatten()).ToList());
    }
}
