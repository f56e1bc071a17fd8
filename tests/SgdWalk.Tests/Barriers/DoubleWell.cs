using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Barriers;

/// <summary>
/// A two-parameter "network" whose loss is a double well, L(w) = (w₀² − 1)² + w₁²: minima at (±1, 0), a barrier of
/// height exactly 1 at (0, 0). Its output is w for every sample; <see cref="Loss"/> turns that into L.
/// </summary>
internal sealed class DoubleWell : nn.Module<Tensor, Tensor>
{
    private readonly Parameter w;

    public DoubleWell(double w0, double w1) : base(nameof(DoubleWell))
    {
        w = new Parameter(tensor(new[] { w0, w1 }));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => w.unsqueeze(0).expand(input.shape[0], 2);

    public static Tensor Loss(Tensor outputs, Tensor targets)
    {
        var x = outputs.select(1, 0);
        var y = outputs.select(1, 1);
        return ((x * x - 1).pow(2) + y * y).mean();
    }

    /// <summary>A convex bowl on the same outputs: no barrier anywhere.</summary>
    public static Tensor Bowl(Tensor outputs, Tensor targets) => outputs.pow(2).sum(1).mean();

    public void Set(double w0, double w1)
    {
        using var _ = no_grad();
        w.copy_(tensor(new[] { w0, w1 }));
    }

    public static Tensor Inputs(int n) => zeros(n, 1, ScalarType.Float64);
}
