using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Re-estimates BatchNorm running statistics at the current parameters, as the mode-connectivity literature does
/// for points between two networks (whose own statistics belong to neither): reset, then accumulate an exact
/// cumulative average (momentum = null) over training data in train mode. Callers that must leave the model's
/// buffers as they were wrap this in a <see cref="ModelState"/> capture/restore.
/// </summary>
public static class BatchNormRecalibration
{
    public static void Apply(nn.Module<Tensor, Tensor> model, DataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (OutOfReach(model))
            throw new ArgumentException(OutOfReachMessage);
        var norms = model.modules().OfType<NormBase>().Where(n => n.track_running_stats).ToList();
        var momenta = norms.Select(n => n.momentum).ToList();
        bool training = model.training;
        try
        {
            foreach (var norm in norms)
            {
                norm.reset_running_stats();
                norm.momentum = null; // cumulative average: every chunk counts equally
            }
            model.train();
            using var _ = no_grad();
            foreach (var (inputs, _) in data.Chunks)
            {
                using var scope = NewDisposeScope();
                model.call(inputs);
            }
        }
        finally
        {
            for (int i = 0; i < norms.Count; i++) norms[i].momentum = momenta[i];
            model.train(training);
        }
    }

    public static bool HasBatchNorm(nn.Module model) => model.modules().OfType<NormBase>().Any(n => n.track_running_stats) || OutOfReach(model);

    /// <summary>
    /// A TorchScript model with BatchNorm: its layers are libtorch's, whose momentum cannot be set to a cumulative
    /// average, so its statistics cannot be re-estimated here.
    /// </summary>
    public const string OutOfReachMessage = "--bn recompute cannot re-estimate the BatchNorm statistics of a TorchScript model " +
        "(its BatchNorm layers are libtorch's); use --bn running or --bn batch-stats";

    public static bool OutOfReach(nn.Module model) =>
        model.modules().OfType<jit.ScriptModule>().Any(m => m.named_buffers().Any(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)));
}
