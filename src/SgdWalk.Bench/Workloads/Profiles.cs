using SgdWalk.Landscape;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Workloads;

/// <summary>
/// The one place the bench reaches into the library's profile machinery (<see cref="SegmentProfiler"/>): the loss
/// on the segment θ_t + α·u_t at a grid of α, under a BatchNorm policy, with or without the fast paths. Every bench
/// that times profiles goes through here, so a change to that machinery touches one file.
/// </summary>
/// <param name="reuseEnds">Keep each profile's end for the next segment that starts there (the walk's probe view does).</param>
public sealed class Profiles(nn.Module<Tensor, Tensor> model, IReadOnlyList<Parameter> parameters, BatchNormPolicy policy, bool fast, bool reuseEnds = false,
    bool fuseFirstBatchNorm = true)
    : IDisposable
{
    private readonly SegmentProfiler profiler = new(new LossSurface(model, LossSurface.CrossEntropy, policy), parameters)
    {
        // The fast row takes what a walk takes: the profiler itself keeps a convolutional network on the plain path.
        Fast = fast,
        ReuseEnds = reuseEnds,
        FuseFirstBatchNorm = fuseFirstBatchNorm,
    };

    /// <summary>Points taken from a previous profile's end (see <see cref="SegmentProfiler.ReusedPoints"/>).</summary>
    public int ReusedPoints => profiler.ReusedPoints;

    public void Dispose() => profiler.Dispose();

    /// <summary>The losses at the given α on the view (the model is left as it was).</summary>
    public SegmentProfile Measure(Segment segment, IReadOnlyList<double> alphas, DataView view) =>
        profiler.Measure(segment, alphas, view).Profile;

    /// <summary>The adaptive grid (`--alphas adaptive`): points placed around the floor, and the height's standard error.</summary>
    public (SegmentProfile Profile, double HeightStandardError) MeasureAdaptive(Segment segment, DataView view)
    {
        var measured = profiler.MeasureAdaptive(segment, view);
        return (measured.Profile, measured.HeightStandardError);
    }
}
