using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// A copy of a model's buffers (BatchNorm running statistics and counters) and its training flag. Evaluation in
/// train mode updates running statistics, so every probe takes one of these first and restores it afterwards:
/// measuring must leave the model exactly as it found it.
/// </summary>
public sealed class ModelState : IDisposable
{
    private readonly nn.Module model;
    private readonly List<(Tensor Live, Tensor Saved)> buffers;
    private readonly bool training;

    private ModelState(nn.Module model, List<(Tensor, Tensor)> buffers, bool training)
    {
        this.model = model;
        this.buffers = buffers;
        this.training = training;
    }

    public static ModelState Capture(nn.Module model)
    {
        using var _ = no_grad();
        var saved = model.buffers().Select(b => (b, b.clone().DetachFromDisposeScope())).ToList();
        return new ModelState(model, saved, model.training);
    }

    public IReadOnlyList<Tensor> SavedBuffers => buffers.Select(b => b.Saved).ToList();

    /// <summary>Puts the saved buffers and training flag back.</summary>
    public void Restore()
    {
        using var _ = no_grad();
        foreach (var (live, saved) in buffers) live.copy_(saved);
        model.train(training);
    }

    /// <summary>Writes (1−α)·start + α·end into the model's floating-point buffers (the `running` BN policy).</summary>
    public static void WriteLerp(nn.Module model, ModelState start, ModelState end, double alpha)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var live = model.buffers().ToList();
        for (int i = 0; i < live.Count; i++)
        {
            var (a, b) = (start.buffers[i].Saved, end.buffers[i].Saved);
            if (live[i].is_floating_point()) live[i].copy_(a).mul_(1 - alpha).add_(b, alpha);
            else live[i].copy_(alpha < 0.5 ? a : b);
        }
    }

    public void Dispose()
    {
        foreach (var (_, saved) in buffers) saved.Dispose();
    }
}
