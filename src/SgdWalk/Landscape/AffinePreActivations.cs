using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// The first layer's pre-activations along one segment on one view, z(α) = z_t + α·Δz per chunk, computed once
/// (see <see cref="IAffineFirstLayer"/>). Used for interior α only: the endpoints go through the model's own
/// forward pass, so f(0) and f(1) stay bit-identical to an ordinary evaluation at θ_t and θ_{t+1}.
/// </summary>
internal sealed class AffinePreActivations : IDisposable
{
    private readonly IAffineFirstLayer model;
    private readonly List<(Tensor Start, Tensor Slope)> chunks = new();

    private AffinePreActivations(IAffineFirstLayer model) => this.model = model;

    public static AffinePreActivations? TryPrepare(nn.Module model, IReadOnlyList<Parameter> parameters, Segment segment, DataView view)
    {
        if (model is not IAffineFirstLayer affine) return null;
        int weight = IndexOf(parameters, affine.FirstWeight);
        int bias = affine.FirstBias is { } b ? IndexOf(parameters, b) : -1;
        if (weight < 0 || (affine.FirstBias is not null && bias < 0)) return null; // frozen first layer: nothing to gain
        var result = new AffinePreActivations(affine);
        using var _ = no_grad();
        foreach (var (inputs, _) in view.Chunks)
        {
            using var scope = NewDisposeScope();
            var x = affine.FirstLayerInput(inputs);
            var start = nn.functional.linear(x, segment.Start.Part(weight), bias >= 0 ? segment.Start.Part(bias) : null);
            var slope = nn.functional.linear(x, segment.Direction.Part(weight), bias >= 0 ? segment.Direction.Part(bias) : null);
            result.chunks.Add((start.DetachFromDisposeScope(), slope.DetachFromDisposeScope()));
        }
        return result;
    }

    /// <summary>The outputs of chunk <paramref name="chunk"/> at θ_t + α·u_t (the model's other parameters must already be there).</summary>
    public Tensor Forward(int chunk, double alpha)
    {
        var (start, slope) = chunks[chunk];
        return model.ForwardFromFirstLayer(start.add(slope, alpha));
    }

    private static int IndexOf(IReadOnlyList<Parameter> parameters, Parameter p)
    {
        for (int i = 0; i < parameters.Count; i++) if (parameters[i].Handle == p.Handle) return i;
        return -1;
    }

    public void Dispose()
    {
        foreach (var (start, slope) in chunks) { start.Dispose(); slope.Dispose(); }
    }
}
