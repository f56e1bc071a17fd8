using SgdWalk.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Primitives;

/// <summary>
/// The plain training step every cost is measured against: train mode, cross-entropy, backward, θ −= lr·g in place
/// through the library's <see cref="SgdOptimizer"/> (no weight decay, momentum or probes), inside one dispose scope.
/// Batches are drawn at random from the training split with the step's own generator, so the warm-up walk is the same
/// whatever else the process draws.
/// </summary>
public sealed class PlainSgdStep(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, Tensor images, Tensor labels,
    int batchSize, double learningRate, long seed) : IDisposable
{
    private readonly Generator generator = new((ulong)seed);
    private readonly SgdOptimizer optimizer = new(parameters);

    /// <summary>Draws the next mini-batch: indices into the training split (the caller's scope owns the tensor).</summary>
    public Tensor NextIndices() => randint(0, images.shape[0], [batchSize], dtype: ScalarType.Int64, generator: generator);

    /// <summary>The samples of a mini-batch (the caller's scope owns the copies).</summary>
    public (Tensor Inputs, Tensor Targets) Gather(Tensor indices) => (images.index_select(0, indices), labels.index_select(0, indices));

    /// <summary>One step on a freshly drawn batch.</summary>
    public void Run()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Gather(NextIndices());
        Step(x, y);
    }

    /// <summary>One step on the given samples.</summary>
    public void Step(Tensor inputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        model.train();
        optimizer.ZeroGrad();
        nn.functional.cross_entropy(model.call(inputs), targets).backward();
        optimizer.Step(learningRate);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        generator.Dispose();
    }
}
