using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// Stochastic gradient descent as PyTorch defines it (dampening 0): d = g + λθ; with momentum μ,
/// b ← μb + d (b = d on the first step) and d = b, or d = g' + μb for Nesterov; then θ ← θ − ηd.
/// Written here rather than taken from TorchSharp so the learning rate is an argument of each step (schedules),
/// the momentum buffers are ours to checkpoint, and the update is exactly the documented one.
/// With <paramref name="noise"/>, g is replaced by g + ξ before everything else (GD + isotropic noise).
/// </summary>
public sealed class SgdOptimizer(IReadOnlyList<Parameter> parameters, double momentum = 0, double weightDecay = 0, bool nesterov = false,
    GradientNoise? noise = null) : IDisposable, Probes.IKnownUpdate
{
    private readonly Tensor?[] buffers = new Tensor?[parameters.Count];

    public IReadOnlyList<Parameter> Parameters { get; } = parameters;

    public double Momentum => momentum;

    public double WeightDecay => weightDecay;

    public bool Nesterov => nesterov;

    bool Probes.IKnownUpdate.Reproducible => noise is null;

    Tensor? Probes.IKnownUpdate.MomentumBuffer(int index) => momentum != 0 ? buffers[index] : null;

    public long Steps { get; private set; }

    public double LastLearningRate { get; private set; } = double.NaN;

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Step(double learningRate)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.grad is not { } grad) continue;
            if (noise is not null) grad = noise.Perturb(grad);
            var d = weightDecay != 0 ? grad.add(p, weightDecay) : grad;
            if (momentum != 0)
            {
                if (buffers[i] is { } b) b.mul_(momentum).add_(d);
                else buffers[i] = d.clone().DetachFromDisposeScope();
                d = nesterov ? d.add(buffers[i]!, momentum) : buffers[i]!;
            }
            p.add_(d, -learningRate);
        }
        Steps++;
        LastLearningRate = learningRate;
    }

    /// <summary>The momentum buffers by parameter index (absent until a parameter's first step); the optimiser keeps ownership.</summary>
    public IEnumerable<(int Index, Tensor Buffer)> MomentumBuffers() =>
        buffers.Select((b, i) => (i, b)).Where(p => p.b is not null).Select(p => (p.i, p.b!));

    /// <summary>Replaces the momentum buffers with copies of the given ones (a resumed run); the rest start empty.</summary>
    public void LoadMomentumBuffers(IReadOnlyDictionary<int, Tensor> saved)
    {
        using var _ = no_grad();
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i]?.Dispose();
            buffers[i] = null;
            if (!saved.TryGetValue(i, out var b)) continue;
            if (!b.shape.SequenceEqual(Parameters[i].shape))
                throw new ArgumentException($"momentum buffer {i} has shape [{string.Join(",", b.shape)}], parameter [{string.Join(",", Parameters[i].shape)}]");
            buffers[i] = b.to(Parameters[i].device).to_type(Parameters[i].dtype).clone().DetachFromDisposeScope();
        }
    }

    public void Dispose()
    {
        foreach (var b in buffers) b?.Dispose();
        noise?.Dispose();
    }
}
