using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Cli.Bench;

/// <summary>
/// The plain training step every cost is measured against: a random mini-batch, train mode, cross-entropy, backward,
/// θ −= lr·g in place, all inside one dispose scope. No weight decay, momentum or probes. Batches come from the
/// step's own generator, so the warm-up walk is the same whatever else the process draws.
/// </summary>
public sealed class PlainSgdStep(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, Tensor images, Tensor labels,
    int batchSize, double learningRate, long seed) : IDisposable
{
    private readonly Generator generator = new((ulong)seed);

    /// <summary>Draws the next mini-batch (indices into the training split; dispose it or let a scope take it).</summary>
    public Tensor NextIndices() => randint(0, images.shape[0], [batchSize], dtype: ScalarType.Int64, generator: generator);

    /// <summary>One step on a freshly drawn batch.</summary>
    public void Run()
    {
        using var scope = NewDisposeScope();
        RunOn(NextIndices());
    }

    /// <summary>One step on the given batch (indices into the training split).</summary>
    public void RunOn(Tensor indices)
    {
        using var scope = NewDisposeScope();
        model.train();
        foreach (var p in parameters) p.grad?.zero_();
        var loss = nn.functional.cross_entropy(model.call(images.index_select(0, indices)), labels.index_select(0, indices));
        loss.backward();
        using (no_grad())
            foreach (var p in parameters) p.add_(p.grad!, -learningRate);
    }

    public void Dispose() => generator.Dispose();
}
