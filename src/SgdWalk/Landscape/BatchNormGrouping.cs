using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Sets a group size on every BatchNorm of a model for the duration of an evaluation, so one forward pass of many
/// chunks normalises each chunk with its own statistics. Only possible when every BatchNorm is a
/// <see cref="GroupedBatchNorm"/> (all models of the zoo; a model without BatchNorm trivially qualifies).
/// </summary>
internal sealed class BatchNormGrouping : IDisposable
{
    private readonly List<GroupedBatchNorm> norms;

    private BatchNormGrouping(List<GroupedBatchNorm> norms, int groupSize)
    {
        this.norms = norms;
        foreach (var norm in norms) norm.GroupSize = groupSize;
    }

    /// <summary>Null when some BatchNorm cannot group (e.g. TorchSharp's own BatchNorm1d in a user's model, or a TorchScript model).</summary>
    public static BatchNormGrouping? TryApply(nn.Module model, int groupSize)
    {
        // A TorchScript module's layers are libtorch's: whatever BatchNorm it holds is out of reach.
        if (model.modules().Any(m => m is jit.ScriptModule)) return null;
        var all = model.modules().OfType<BatchNorm>().ToList();
        var grouped = all.OfType<GroupedBatchNorm>().ToList();
        return grouped.Count == all.Count ? new BatchNormGrouping(grouped, groupSize) : null;
    }

    public void Dispose()
    {
        foreach (var norm in norms) norm.GroupSize = null;
    }
}
