using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// Isotropic Gaussian noise added to every gradient before the update (the authors' "GD + isotropic noise"
/// baseline): i.i.d. N(0, std²) per coordinate, drawn from the noise's own seeded generator so neither the
/// initialisation nor the data order moves. The recorder's g_t is captured before the noise; u_t includes it.
/// </summary>
public sealed class GradientNoise(double standardDeviation, long seed) : IDisposable
{
    private readonly Generator generator = new(unchecked((ulong)seed));

    public double StandardDeviation { get; } = standardDeviation;

    /// <summary>g + std·ξ with ξ ~ N(0, I); a new tensor (the caller's dispose scope owns it).</summary>
    public Tensor Perturb(Tensor gradient) =>
        gradient.add(randn(gradient.shape, dtype: gradient.dtype, generator: generator).to(gradient.device), StandardDeviation);

    /// <summary>
    /// The largest per-coordinate variance of the chunk-mean gradients across <paramref name="chunks"/>
    /// (population variance over chunks), as the authors estimated it at initialisation. The model's buffers and
    /// mode are restored afterwards and its gradients zeroed, so estimating does not change the run.
    /// </summary>
    public static double MaxCoordinateVariance(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters,
        IEnumerable<(Tensor Inputs, Tensor Targets)> chunks)
    {
        using var state = ModelState.Capture(model);
        model.train();
        Tensor? sum = null, squares = null;
        int count = 0;
        foreach (var (inputs, targets) in chunks)
        {
            using var scope = NewDisposeScope();
            foreach (var p in parameters) p.grad?.zero_();
            nn.functional.cross_entropy(model.call(inputs), targets).backward();
            using var g = ParamVector.OfGradients(parameters);
            var flat = g.Flat.to(ScalarType.Float64);
            if (sum is null) { sum = flat.clone().DetachFromDisposeScope(); squares = flat.square().DetachFromDisposeScope(); }
            else { sum.add_(flat); squares!.add_(flat.square()); }
            count++;
        }
        foreach (var p in parameters) p.grad?.zero_();
        state.Restore();
        if (sum is null || squares is null) throw new ArgumentException("no chunks to estimate the gradient variance from");
        using (sum)
        using (squares)
        using (var variance = squares.div(count).sub(sum.div(count).square()))
            return variance.max().item<double>();
    }

    public void Dispose() => generator.Dispose();
}
