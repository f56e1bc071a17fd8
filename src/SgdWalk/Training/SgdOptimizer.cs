using System.Collections.Concurrent;
using SgdWalk.Landscape;
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
    private readonly (Tensor? Read, Tensor? Write)[] bufferTargets = new (Tensor?, Tensor?)[parameters.Count];
    private Probes.KnownStep? nextStep;

    public IReadOnlyList<Parameter> Parameters { get; } = parameters;

    public double Momentum => momentum;

    public double WeightDecay => weightDecay;

    public bool Nesterov => nesterov;

    bool Probes.IKnownUpdate.Reproducible => noise is null && PassRoundsAsLibTorch(momentum, weightDecay, nesterov);

    void Probes.IKnownUpdate.TakeNextStepWith(Probes.KnownStep? step) => nextStep = step;

    public long Steps { get; private set; }

    public double LastLearningRate { get; private set; } = double.NaN;

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Step(double learningRate)
    {
        if (nextStep is { } taken)
        {
            // A recorder takes this step in its own pass (the cheap preset): the same bits, one trip through memory.
            nextStep = null;
            taken(learningRate, MomentumBufferTargets());
            Steps++;
            LastLearningRate = learningRate;
            return;
        }
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

    /// <summary>Per parameter with a gradient, the momentum buffer the step reads (null on its first) and the one it writes.</summary>
    private IReadOnlyList<(Tensor? Read, Tensor? Write)> MomentumBufferTargets()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (momentum == 0 || Parameters[i].grad is null)
            {
                bufferTargets[i] = (null, null);
                continue;
            }
            var read = buffers[i];
            buffers[i] ??= empty_like(Parameters[i]).DetachFromDisposeScope();
            bufferTargets[i] = (read, buffers[i]);
        }
        return bufferTargets;
    }

    /// <summary>Forces the outcome of <see cref="PassRoundsAsLibTorch"/> in tests (null: measured).</summary>
    internal static bool? PassMatchForTests { get; set; }

    private static readonly ConcurrentDictionary<(double, double, bool), bool> passMatches = new();

    /// <summary>
    /// Whether the recorder's element-wise step (<see cref="StepPass.KnownUpdate"/>) gives the bits of this
    /// class's libtorch kernels for the rule on this machine. libtorch's vectorised add with alpha is one fused
    /// multiply-add where the CPU has one (AVX2 and up) and a multiply then an add elsewhere (or under
    /// <c>ATEN_CPU_CAPABILITY=default</c>); the pass always fuses. Measured once per rule and process: two steps (the
    /// second reading the momentum buffer the first wrote) of 1,037 values of scales 1e-3 to 1e2 at two learning
    /// rates, compared bit for bit. No torch random stream is drawn.
    /// </summary>
    public static bool PassRoundsAsLibTorch(double momentum, double weightDecay, bool nesterov) =>
        PassMatchForTests ?? passMatches.GetOrAdd((momentum, weightDecay, nesterov), rule => MeasurePassMatch(rule.Item1, rule.Item2, rule.Item3));

    private static bool MeasurePassMatch(double momentum, double weightDecay, bool nesterov)
    {
        const int n = 1037; // whole vectors of 8 and 16, and a tail
        var random = new Random(1037);
        float[] Values() => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 3)))).ToArray();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (theta0, g) = (tensor(Values()), tensor(Values()));
        foreach (double learningRate in new[] { 0.1, 0.0371 })
        {
            using var parameter = new Parameter(theta0.clone());
            parameter.grad = g.clone();
            using var libtorch = new SgdOptimizer([parameter], momentum, weightDecay, nesterov);
            var theta = theta0.clone();
            var (initial, cosine, update, buffer) = (theta0.clone(), zeros(n), zeros(n), zeros(n));
            var rule = new UpdateRule((float)weightDecay, (float)momentum, momentum != 0, nesterov, (float)-learningRate, 0);
            for (int step = 0; step < 2; step++)
            {
                libtorch.Step(learningRate);
                var block = new UpdateBlock
                {
                    Gradient = StepPass.Address(g), Theta = StepPass.Address(theta), Initial = StepPass.Address(initial),
                    Cosine = StepPass.Address(cosine), Update = StepPass.Address(update),
                    Buffer = step == 0 || momentum == 0 ? 0 : StepPass.Address(buffer), NextBuffer = momentum == 0 ? 0 : StepPass.Address(buffer),
                    Count = n,
                };
                StepPass.KnownUpdate(block, rule, new double[6]);
                if (!Bits(parameter).SequenceEqual(Bits(theta))) return false;
            }
        }
        return true;

        static int[] Bits(Tensor t) => t.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
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
