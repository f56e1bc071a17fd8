using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Primitives;

/// <summary>
/// Floating-point operations of a model's matrix products per sample, counted analytically from the layer shapes a
/// traced forward pass reveals: Linear 2·in·out, Conv2d 2·(C_in/groups)·k_h·k_w·C_out·H_out·W_out. Biases, BatchNorm,
/// activations, pooling and the loss are elementwise and ignored (a few per cent at most for these models).
/// </summary>
/// <param name="Forward">One forward pass.</param>
/// <param name="Train">Forward + backward: the backward pass of a layer is two products of its size (input and weight
/// gradients), except the first layer, whose input needs no gradient (one). ≈ 3× forward for deep nets, ≈ 2.3× for the mlp.</param>
/// <param name="Hvp">A Hessian-vector product by double backward (a convention from counting the products of
/// reverse-over-reverse for a linear layer): 9 products of the layer's size, 4 for the first layer.</param>
public sealed record FlopCount(double Forward, double Train, double Hvp, IReadOnlyList<LayerFlops> Layers)
{
    public const string Convention =
        "matrix-product FLOPs only (Linear 2·in·out, Conv2d 2·Cin·k²·Cout·Hout·Wout per sample; elementwise ops ignored); " +
        "training step = forward + backward (2 products per layer, 1 for the first layer); " +
        "HVP = 9 products per layer, 4 for the first (reverse-over-reverse); " +
        "profiles count the plain computation (points × samples × forward) as the useful work, whatever a shortcut saves";

    /// <summary>Traces one forward pass of a single zero sample of the given shape (eval mode, no gradients; the model is left as it was).</summary>
    public static FlopCount Of(nn.Module<Tensor, Tensor> model, long channels, long height, long width)
    {
        var layers = new List<LayerFlops>();
        var removers = new List<Action>();
        // A layer can be registered under two names (the mlp keeps its first layer as a field too): count each
        // module once, under the name its parameters carry.
        var parameterNames = model.named_parameters().Select(p => p.name).ToArray();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.named_modules())
        {
            if (!parameterNames.Any(p => p.StartsWith(name + ".", StringComparison.Ordinal)) || !seen.Add(module)) continue;
            if (module is Linear linear)
            {
                var hook = linear.register_forward_hook((_, _, output) =>
                {
                    // Every leading position (batch, sequence) applies the whole weight once.
                    layers.Add(new LayerFlops(name, 2.0 * linear.weight!.numel() * (output.numel() / output.shape[^1])));
                    return output;
                });
                removers.Add(hook.remove);
            }
            else if (module is Conv2d conv)
            {
                var hook = conv.register_forward_hook((_, _, output) =>
                {
                    // weight is [C_out, C_in/groups, k_h, k_w]: each output position costs C_in/groups·k_h·k_w per output channel.
                    layers.Add(new LayerFlops(name, 2.0 * conv.weight!.numel() * output.shape[0] * output.shape[2] * output.shape[3]));
                    return output;
                });
                removers.Add(hook.remove);
            }
        }
        try
        {
            using var state = ModelState.Capture(model);
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                model.eval();
                model.call(zeros(1, channels, height, width));
            }
            state.Restore();
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        if (layers.Count == 0) throw new ArgumentException("the model has no Linear or Conv2d layer to count");

        double forward = layers.Sum(l => l.Forward);
        double first = layers[0].Forward;
        return new FlopCount(forward, forward + first + 2 * (forward - first), 4 * first + 9 * (forward - first), layers);
    }
}

/// <summary>One Linear or Conv2d layer's forward FLOPs per sample.</summary>
public sealed record LayerFlops(string Layer, double Forward);
