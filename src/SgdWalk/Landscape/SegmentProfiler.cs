using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>One step's segment: θ_t, θ_{t+1} = θ_t + u_t, and (for the `running` BN policy) the buffers at both ends.</summary>
public sealed record Segment(ParamVector Start, ParamVector End, ParamVector Direction, ModelState? StartState, ModelState? EndState);

/// <summary>
/// Losses (and accuracies) along a segment, one per α, and the standard error of the height (NaN when the loss is not
/// known per sample or the grid lacks α = 0).
/// </summary>
public sealed record MeasuredProfile(string View, SegmentProfile Profile, IReadOnlyList<double> Accuracies, double HeightStandardError = double.NaN);

/// <summary>
/// Evaluates f_V(α) = L_V(start + α·direction) on a grid by writing each point into the model in place, then puts
/// the model back exactly as it was (parameters, buffers, mode). α = 0 and α = 1 write the segment's ends themselves
/// rather than start + 1·direction, so the profile's endpoints are the iterates bit for bit and consecutive
/// profiles join exactly. Any segment works: a step θ_t → θ_{t+1}, two floor points, two checkpoints.
/// </summary>
public sealed class SegmentProfiler(LossSurface surface, IReadOnlyList<Parameter> parameters, double interiorTolerance = SegmentProfile.DefaultInteriorTolerance)
{
    /// <summary>
    /// Use the fast evaluation (first-layer shortcut, many BatchNorm chunks per forward pass) where the model allows
    /// it; false = the plain loop of one forward pass per chunk and point, kept for comparison. Same numbers to
    /// float rounding.
    /// </summary>
    public bool Fast { get; init; } = true;

    /// <summary>Memory for the first-layer outputs of one fast evaluation pass; bounds the samples per pass.</summary>
    public long PassBytes { get; init; } = 128L << 20;

    public MeasuredProfile Measure(Segment segment, IReadOnlyList<double> alphas, DataView view)
    {
        var points = new PointTotals(alphas.Count, view.Count, surface);
        using (var saved = ModelState.Capture(surface.Model))
        using (var current = ParamVector.OfValues(parameters))
        using (points)
        {
            using (no_grad())
            {
                surface.Model.train(surface.Policy == BatchNormPolicy.BatchStats);
                if (Fast) MeasureFast(segment, alphas, view, points);
                else MeasurePlain(segment, alphas, view, points);
            }
            current.WriteTo(parameters);
            saved.Restore();
            var profile = SegmentProfile.Analyse(alphas, points.Losses, interiorTolerance);
            return new MeasuredProfile(view.Name, profile, points.Accuracies, points.HeightStandardError(alphas));
        }
    }

    /// <summary>What anyone would write: for each α, write θ(α) and run the model on each chunk.</summary>
    private void MeasurePlain(Segment segment, IReadOnlyList<double> alphas, DataView view, PointTotals points)
    {
        for (int i = 0; i < alphas.Count; i++)
        {
            MoveTo(segment, alphas[i]);
            for (int start = 0; start < view.Count; start += view.ChunkSize)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = view.Rows(start, Math.Min(view.ChunkSize, view.Count - start));
                points.Add(i, start, surface.Model.call(inputs), targets, view.ChunkSize);
            }
        }
    }

    /// <summary>
    /// The same numbers with less work. Many chunks go through one forward pass, each normalised with its own
    /// BatchNorm statistics (<see cref="GroupedBatchNorm"/>); and for an <see cref="IAffineFirstLayer"/> model the
    /// first layer runs only at θ_t and θ_{t+1}, its output at θ(α) being the lerp of the two. Passes are the outer
    /// loop so that those two outputs are needed for one pass at a time.
    /// </summary>
    private void MeasureFast(Segment segment, IReadOnlyList<double> alphas, DataView view, PointTotals points)
    {
        bool batchStats = surface.Policy == BatchNormPolicy.BatchStats;
        using var grouping = batchStats ? BatchNormGrouping.TryApply(surface.Model, view.ChunkSize) : null;
        var split = surface.Model as IAffineFirstLayer;
        int unit = batchStats ? view.ChunkSize : 1;
        int passSize = batchStats && grouping is null ? view.ChunkSize : PassSize(view, split, unit);

        foreach (var (start, count) in Passes(view.Count, unit, passSize))
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = view.Rows(start, count);
            Tensor? first0 = null, first1 = null;
            if (split is not null)
            {
                MoveTo(segment, 0);
                first0 = split.FirstLayer(inputs);
                MoveTo(segment, 1);
                first1 = split.FirstLayer(inputs);
            }
            for (int i = 0; i < alphas.Count; i++)
            {
                double alpha = alphas[i];
                MoveTo(segment, alpha);
                using var pointScope = NewDisposeScope();
                var outputs = split is null
                    ? surface.Model.call(inputs)
                    : split.ForwardFromFirstLayer(alpha == 0 ? first0! : alpha == 1 ? first1! : first0!.lerp(first1!, alpha));
                points.Add(i, start, outputs, targets, view.ChunkSize);
            }
        }
    }

    /// <summary>Samples per fast pass: whole chunks, as many as keep the first layer's outputs within <see cref="PassBytes"/>.</summary>
    private int PassSize(DataView view, IAffineFirstLayer? split, int unit)
    {
        using var scope = NewDisposeScope();
        var (one, _) = view.Rows(0, 1);
        // Without the shortcut, guess the widest activation as 16 inputs' worth.
        long bytesPerSample = split is null ? 16 * one.numel() * one.element_size() : 3 * split.FirstLayer(one).numel() * 4;
        long units = Math.Max(1, PassBytes / Math.Max(1, bytesPerSample) / unit);
        return (int)Math.Min(view.Count, units * unit);
    }

    /// <summary>Consecutive (start, count) passes of whole units, then the last partial unit alone (its own BatchNorm chunk).</summary>
    public static IEnumerable<(int Start, int Count)> Passes(int total, int unit, int passSize)
    {
        int whole = total / unit * unit;
        passSize = Math.Max(unit, passSize / unit * unit);
        for (int start = 0; start < whole; start += passSize) yield return (start, Math.Min(passSize, whole - start));
        if (whole < total) yield return (whole, total - whole);
    }

    private void MoveTo(Segment segment, double alpha)
    {
        if (alpha == 0) segment.Start.WriteTo(parameters);
        else if (alpha == 1) segment.End.WriteTo(parameters);
        else ParamVector.WriteLerp(parameters, segment.Start, segment.Direction, alpha);

        if (surface.Policy == BatchNormPolicy.Running && segment.StartState is { } a && segment.EndState is { } b)
            ModelState.WriteLerp(surface.Model, a, b, alpha);
    }
}
