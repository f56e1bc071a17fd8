using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// Losses (and accuracies) along a segment, one per α, and the standard error of the height (NaN when the loss is not
/// known per sample or the grid lacks α = 0).
/// </summary>
public sealed record MeasuredProfile(string View, SegmentProfile Profile, IReadOnlyList<double> Accuracies, double HeightStandardError = double.NaN);

/// <summary>
/// Evaluates f_V(α) = L_V(start + α·direction) on a grid: a <see cref="SegmentWalker"/> moves the model along the
/// segment and puts it back exactly as it was (parameters, buffers, mode), a <see cref="ProfileSession"/> evaluates
/// the points. Any segment works: a step θ_t → θ_{t+1}, two floor points, two checkpoints.
/// </summary>
public sealed class SegmentProfiler(LossSurface surface, IReadOnlyList<Parameter> parameters, double interiorTolerance = SegmentProfile.DefaultInteriorTolerance)
    : IDisposable
{
    private readonly bool fastAllowed = true;
    private bool? fastPays;

    /// <summary>
    /// Whether the fast evaluation is used (first-layer shortcut, many BatchNorm chunks per forward pass). The profiler
    /// decides it from the model (<see cref="FastPays"/>), so no caller can get it wrong; setting false forces the
    /// plain loop of one forward pass per chunk and point, kept for comparison (same numbers to float rounding).
    /// Setting true cannot turn the fast path on where it does not pay.
    /// </summary>
    public bool Fast { get => fastAllowed && (fastPays ??= FastPays(surface.Model)); init => fastAllowed = value; }

    /// <summary>
    /// In the fast path, form the output of a BatchNorm right after the first layer from the moments of the ends'
    /// first-layer outputs (<see cref="InterpolatedBatchNorm"/>, batch-stats policy, <see cref="IFirstLayerBatchNorm"/>
    /// models) rather than normalising the interpolated outputs at every α. Same numbers to float rounding; off only
    /// to measure the gain.
    /// </summary>
    public bool FuseFirstBatchNorm { get; init; } = true;

    /// <summary>
    /// Whether <see cref="Fast"/> pays on <paramref name="model"/>: not on a convolutional network. There the first
    /// layer is a small share of the work (small-cnn's first convolution: about 5 % of the multiply-adds) while its
    /// outputs, which the shortcut keeps at both ends and lerps per point, are the largest tensors of the pass; and a
    /// chunk of 100 images is already a large call, so grouping chunks saves little. Measured on small-cnn (11 points ×
    /// 5,000 samples, 2 threads): the fast path was within 2 % of the plain one in time but peaked at 1.8–2.1 GB
    /// against 0.7 GB (docs/speed.md).
    /// </summary>
    public static bool FastPays(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return !model.modules().Any(m => m is Conv2d);
    }

    /// <summary>Memory for the first-layer outputs of one fast evaluation pass; bounds the samples per pass.</summary>
    public long PassBytes { get; init; } = 128L << 20;

    /// <summary>
    /// Keep each profile's end (the point at α = 1 and the first layer's outputs there) for the next segment when it
    /// starts or ends exactly there on the same view: consecutive recorded steps (f(1) of step t is f(0) of step t+1),
    /// floor paths φ_{t−1} → φ_t → φ_{t+1}, and floor paths of several lags ending at the same φ_t. The kept values
    /// are those a fresh evaluation gives, bit for bit. Off by default: worth it only for a view that stays the same
    /// from segment to segment.
    /// </summary>
    public bool ReuseEnds { get; init; }

    /// <summary>Points taken from a previous segment's end instead of evaluated, over this profiler's life.</summary>
    public int ReusedPoints { get; private set; }

    /// <summary>Evaluation passes whose first-layer outputs at the start were taken from a previous segment's end.</summary>
    public int ReusedFirstLayerPasses { get; private set; }

    private SegmentEnd? lastEnd;

    /// <summary>A profiler of its own with the same settings that keeps its ends (<see cref="ReuseEnds"/>).</summary>
    public SegmentProfiler WithReusedEnds() => new(surface, parameters, interiorTolerance) { Fast = Fast, PassBytes = PassBytes, FuseFirstBatchNorm = FuseFirstBatchNorm, ReuseEnds = true };

    /// <summary>The profile on the given grid.</summary>
    public MeasuredProfile Measure(Segment segment, IReadOnlyList<double> alphas, DataView view)
    {
        using var session = Open(segment, view);
        session.Evaluate(alphas);
        return Finish(session, segment, alphas);
    }

    /// <summary>
    /// The profile on an adaptive grid that samples around the floor until its α is known to
    /// <paramref name="tolerance"/> (see <see cref="AdaptiveGrid"/>).
    /// </summary>
    public MeasuredProfile MeasureAdaptive(Segment segment, DataView view, double tolerance = AdaptiveGrid.DefaultTolerance)
    {
        using var session = Open(segment, view);
        var (alphas, _) = AdaptiveGrid.Sample(session.Evaluate, tolerance);
        return Finish(session, segment, alphas);
    }

    private ProfileSession Open(Segment segment, DataView view)
    {
        var walker = new SegmentWalker(surface.Model, parameters, segment, surface.Policy);
        if (ReuseEnds && lastEnd is not null)
        {
            if (lastEnd.IsAt(segment.Start, BuffersAt(segment.StartState), view))
                return new(surface, walker, view, Fast, PassBytes, lastEnd, carriedAlpha: 0, FuseFirstBatchNorm);
            if (lastEnd.IsAt(segment.End, BuffersAt(segment.EndState), view))
                return new(surface, walker, view, Fast, PassBytes, lastEnd, carriedAlpha: 1, FuseFirstBatchNorm);
        }
        return new(surface, walker, view, Fast, PassBytes, fuseFirstBatchNorm: FuseFirstBatchNorm);
    }

    /// <summary>
    /// The BatchNorm buffers a segment's end is evaluated with: its own when the segment carries them; under the
    /// running policy otherwise the model's current ones (a floor path between steps sees the statistics of the step
    /// it is measured on, so its ends are not the same points a step later); none under batch-stats.
    /// </summary>
    private IReadOnlyList<Tensor>? BuffersAt(ModelState? end) =>
        end?.SavedBuffers ?? (surface.Policy == BatchNormPolicy.BatchStats ? null : surface.Model.buffers().ToList());

    private MeasuredProfile Finish(ProfileSession session, Segment segment, IReadOnlyList<double> alphas)
    {
        var result = session.Result(alphas, interiorTolerance);
        ReusedPoints += session.ReusedPoints;
        ReusedFirstLayerPasses += session.ReusedFirstLayerPasses;
        lastEnd?.Dispose();
        lastEnd = ReuseEnds ? session.TakeEnd(segment, BuffersAt(segment.EndState)) : null;
        return result;
    }

    /// <summary>Frees the kept end.</summary>
    public void Dispose()
    {
        lastEnd?.Dispose();
        lastEnd = null;
    }
}
