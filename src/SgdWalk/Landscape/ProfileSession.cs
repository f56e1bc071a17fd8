using static TorchSharp.torch;

namespace SgdWalk.Landscape;

/// <summary>
/// One profile measurement of a segment on a view: evaluates batches of points (one call for a fixed grid, several
/// rounds for an adaptive one) with the <c>walker</c> it takes over, keeps what every point gave, and on
/// disposal disposes the walker, which puts the model back exactly as it was. <c>fast</c> and
/// <c>passBytes</c> are <see cref="SegmentProfiler.Fast"/> and <see cref="SegmentProfiler.PassBytes"/>.
/// The first layer's outputs at both ends are kept between rounds when they fit in memory.
/// </summary>
internal sealed class ProfileSession : IDisposable
{
    private readonly LossSurface surface;
    private readonly SegmentWalker walker;
    private readonly DataView view;
    private readonly bool fast;
    private readonly BatchNormGrouping? grouping;
    private readonly IAffineFirstLayer? split;
    private readonly IFirstLayerBatchNorm? fusedNorm;
    private readonly List<(int Start, int Count)> passes;
    private readonly Dictionary<int, (Tensor First0, Tensor First1)>? firstLayerCache;
    private readonly Dictionary<int, InterpolatedBatchNorm>? interpolatedCache;
    private readonly Dictionary<double, (double Loss, double Accuracy, Tensor? PerSample)> points = new();

    private readonly SegmentEnd? carried;
    private readonly double carriedAlpha;

    /// <param name="carried">A previous segment's end when it is this segment's start or end on this view (checked by
    /// the caller): its point (α = <paramref name="carriedAlpha"/>, 0 or 1) and first-layer outputs are taken instead
    /// of computed again.</param>
    /// <param name="fuseFirstBatchNorm"><see cref="SegmentProfiler.FuseFirstBatchNorm"/>.</param>
    public ProfileSession(LossSurface surface, SegmentWalker walker, DataView view, bool fast, long passBytes, SegmentEnd? carried = null,
        double carriedAlpha = 0, bool fuseFirstBatchNorm = true)
    {
        (this.surface, this.walker, this.view, this.fast, this.carried, this.carriedAlpha) = (surface, walker, view, fast, carried, carriedAlpha);
        var model = surface.Model;
        bool batchStats = surface.Policy == BatchNormPolicy.BatchStats;
        model.train(batchStats);
        if (!fast)
        {
            passes = Passes(view.Count, view.ChunkSize, view.ChunkSize).ToList();
            return;
        }
        grouping = batchStats ? BatchNormGrouping.TryApply(model, view.ChunkSize) : null;
        split = model as IAffineFirstLayer;
        // Under batch statistics with grouped BatchNorm, a BatchNorm right after the first layer is formed from the
        // moments of the ends' outputs (InterpolatedBatchNorm); under the running policy its γ, β and statistics all
        // move with α, so its output is no lerp of the ends' and there is nothing to fuse beyond what libtorch does.
        fusedNorm = fuseFirstBatchNorm && grouping is not null && model is IFirstLayerBatchNorm { FirstBatchNorm: not null } m ? m : null;
        int unit = batchStats ? view.ChunkSize : 1;
        long bytesPerSample = BytesPerSample(out long firstLayerBytes);
        int passSize = batchStats && grouping is null ? view.ChunkSize
            : (int)Math.Min(view.Count, Math.Max(1, passBytes / bytesPerSample / unit) * unit);
        passes = Passes(view.Count, unit, passSize).ToList();
        // Both ends' first-layer outputs (and their centred forms) for the whole view, if they fit twice the pass budget.
        if (split is not null && (bytesPerSample - firstLayerBytes) * view.Count <= 2 * passBytes)
        {
            firstLayerCache = new();
            if (fusedNorm is not null) interpolatedCache = new();
        }
    }

    /// <summary>Consecutive (start, count) passes of whole units, then the last partial unit alone (its own BatchNorm chunk).</summary>
    public static IEnumerable<(int Start, int Count)> Passes(int total, int unit, int passSize)
    {
        int whole = total / unit * unit;
        passSize = Math.Max(unit, passSize / unit * unit);
        for (int start = 0; start < whole; start += passSize) yield return (start, Math.Min(passSize, whole - start));
        if (whole < total) yield return (whole, total - whole);
    }

    /// <summary>Evaluates the given α's (new ones; any already evaluated are measured again) and returns their losses.</summary>
    public IReadOnlyList<double> Evaluate(IReadOnlyList<double> alphas)
    {
        if (carried is not null && !points.ContainsKey(carriedAlpha) && alphas.Contains(carriedAlpha))
        {
            points[carriedAlpha] = (carried.Loss, carried.Accuracy, carried.PerSample?.clone().DetachFromDisposeScope());
            ReusedPoints++;
            var rest = alphas.Where(a => a != carriedAlpha).ToList();
            if (rest.Count > 0) Compute(rest);
            return alphas.Select(a => points[a].Loss).ToList();
        }
        return Compute(alphas);
    }

    /// <summary>Points taken from the previous segment's end instead of evaluated (0 or 1).</summary>
    public int ReusedPoints { get; private set; }

    /// <summary>Passes whose first-layer outputs at one end were taken from the previous segment's end.</summary>
    public int ReusedFirstLayerPasses { get; private set; }

    private IReadOnlyList<double> Compute(IReadOnlyList<double> alphas)
    {
        using var totals = new PointTotals(alphas.Count, view.Count, surface);
        using (no_grad())
        {
            if (fast) EvaluateFast(alphas, totals);
            else EvaluatePlain(alphas, totals);
        }
        var losses = totals.Losses;
        var accuracies = totals.Accuracies;
        for (int i = 0; i < alphas.Count; i++)
        {
            if (points.TryGetValue(alphas[i], out var old)) old.PerSample?.Dispose();
            points[alphas[i]] = (losses[i], accuracies[i], totals.TakeRow(i));
        }
        return losses;
    }

    /// <summary>The profile over the given α's (all evaluated), with the height's standard error.</summary>
    public MeasuredProfile Result(IReadOnlyList<double> alphas, double interiorTolerance)
    {
        var losses = alphas.Select(a => points[a].Loss).ToArray();
        var profile = SegmentProfile.Analyse(alphas, losses, interiorTolerance);
        return new MeasuredProfile(view.Name, profile, alphas.Select(a => points[a].Accuracy).ToArray(), HeightStandardError(alphas, losses));
    }

    /// <summary>What anyone would write: for each α, write θ(α) and run the model on each chunk.</summary>
    private void EvaluatePlain(IReadOnlyList<double> alphas, PointTotals totals)
    {
        for (int i = 0; i < alphas.Count; i++)
        {
            walker.MoveTo(alphas[i]);
            foreach (var (start, count) in passes)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = view.Rows(start, count);
                totals.Add(i, start, surface.Model.call(inputs), targets, view.ChunkSize);
            }
        }
    }

    /// <summary>
    /// The same numbers with less work. Many chunks go through one forward pass, each normalised with its own
    /// BatchNorm statistics (<see cref="GroupedBatchNorm"/>); and for an <see cref="IAffineFirstLayer"/> model the
    /// first layer runs only at θ_t and θ_{t+1}, its output at θ(α) being the lerp of the two. Passes are the outer
    /// loop, so those two outputs are needed for one pass at a time unless they are cached.
    /// </summary>
    private void EvaluateFast(IReadOnlyList<double> alphas, PointTotals totals)
    {
        foreach (var (start, count) in passes)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = view.Rows(start, count);
            var (first0, first1) = split is null ? (null, null) : FirstLayerOutputs(start, inputs);
            var interpolated = fusedNorm is not null && alphas.Any(a => a != 0 && a != 1) ? Interpolated(start, first0!, first1!) : null;
            using var passOwned = interpolatedCache is null ? interpolated : null;
            for (int i = 0; i < alphas.Count; i++)
            {
                double alpha = alphas[i];
                walker.MoveTo(alpha);
                using var pointScope = NewDisposeScope();
                // The ends go the ordinary way, so they are bit for bit what the neighbouring profiles compute there.
                var outputs = split is null ? surface.Model.call(inputs)
                    : alpha == 0 ? split.ForwardFromFirstLayer(first0!)
                    : alpha == 1 ? split.ForwardFromFirstLayer(first1!)
                    : interpolated is not null ? fusedNorm!.ForwardFromFirstBatchNorm(interpolated.At(alpha))
                    : split.ForwardFromFirstLayer(first0!.lerp(first1!, alpha));
                totals.Add(i, start, outputs, targets, view.ChunkSize);
            }
        }
    }

    /// <summary>The fused first BatchNorm of one pass; kept between rounds when the whole view's fits (else the pass disposes it).</summary>
    private InterpolatedBatchNorm Interpolated(int start, Tensor first0, Tensor first1)
    {
        if (interpolatedCache is not null && interpolatedCache.TryGetValue(start, out var cached)) return cached;
        var made = new InterpolatedBatchNorm(fusedNorm!.FirstBatchNorm!, first0, first1, view.ChunkSize);
        if (interpolatedCache is not null) interpolatedCache[start] = made;
        return made;
    }

    private (Tensor?, Tensor?) FirstLayerOutputs(int start, Tensor inputs)
    {
        if (firstLayerCache is not null && firstLayerCache.TryGetValue(start, out var cached)) return cached;
        // One end's outputs may be a previous segment's end's (θ_t of consecutive steps; a floor point shared by two lags).
        var first0 = Carried(0, start) ?? FirstLayerAt(0, inputs);
        var first1 = Carried(1, start) ?? FirstLayerAt(1, inputs);
        if (firstLayerCache is not null)
        {
            first0.DetachFromDisposeScope();
            first1.DetachFromDisposeScope();
            firstLayerCache[start] = (first0, first1);
        }
        return (first0, first1);
    }

    private Tensor? Carried(double alpha, int start)
    {
        if (carried?.FirstLayer is not { } kept || carriedAlpha != alpha || !kept.TryGetValue(start, out var outputs)
            || !carried.Passes.SequenceEqual(passes)) return null;
        ReusedFirstLayerPasses++;
        return outputs.alias();
    }

    private Tensor FirstLayerAt(double alpha, Tensor inputs)
    {
        walker.MoveTo(alpha);
        return split!.FirstLayer(inputs);
    }

    /// <summary>
    /// Bytes per sample a pass holds: the first layer's outputs at both ends and one point's (the lerp, or the fused
    /// BatchNorm's output), plus the two centred ends when the first BatchNorm is fused.
    /// </summary>
    private long BytesPerSample(out long firstLayerBytes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (one, _) = view.Rows(0, 1);
        firstLayerBytes = split is null ? 0 : split.FirstLayer(one).numel() * 4;
        // Without the shortcut, guess the widest activation as 16 inputs' worth.
        return Math.Max(1, split is null ? 16 * one.numel() * one.element_size() : (fusedNorm is null ? 3 : 5) * firstLayerBytes);
    }

    /// <summary>
    /// Standard error of height = f(0) − f(floor), from the per-sample differences ℓ_i(0) − ℓ_i(α_k) at the grid point
    /// α_k nearest the floor: sd/√n. The same samples at every α cancel most of the sampling noise, which is why this
    /// is far smaller than the standard error of the loss itself.
    /// </summary>
    private double HeightStandardError(IReadOnlyList<double> alphas, double[] losses)
    {
        if (!points.TryGetValue(0.0, out var zero) || zero.PerSample is null || view.Count < 2) return double.NaN;
        var floor = points[alphas[Array.IndexOf(losses, losses.Min())]];
        using var scope = NewDisposeScope();
        var differences = zero.PerSample.to(ScalarType.Float64) - floor.PerSample!.to(ScalarType.Float64);
        return differences.std().item<double>() / Math.Sqrt(view.Count);
    }

    /// <summary>
    /// What this profile knew at α = 1, for a later segment that starts or ends there (consecutive recorded steps,
    /// chained floor points): the point and, when the whole view's first-layer outputs were kept, those at α = 1.
    /// <paramref name="buffers"/> are the BatchNorm buffers the point was evaluated with (null when they do not matter).
    /// Null when α = 1 was not evaluated.
    /// </summary>
    public SegmentEnd? TakeEnd(Segment segment, IReadOnlyList<Tensor>? buffers)
    {
        if (!points.TryGetValue(1.0, out var end)) return null;
        Dictionary<int, Tensor>? firstLayer = null;
        if (firstLayerCache is not null && firstLayerCache.Count == passes.Count)
            firstLayer = firstLayerCache.ToDictionary(kv => kv.Key, kv => kv.Value.First1.alias().DetachFromDisposeScope());
        return new SegmentEnd(view, segment.End.Flat.clone().DetachFromDisposeScope(),
            buffers?.Select(b => b.clone().DetachFromDisposeScope()).ToList(),
            end.Loss, end.Accuracy, end.PerSample?.clone().DetachFromDisposeScope(), firstLayer, passes);
    }

    public void Dispose()
    {
        grouping?.Dispose();
        walker.Dispose();
        foreach (var (a, b) in firstLayerCache?.Values ?? Enumerable.Empty<(Tensor, Tensor)>()) { a.Dispose(); b.Dispose(); }
        foreach (var interpolated in interpolatedCache?.Values ?? Enumerable.Empty<InterpolatedBatchNorm>()) interpolated.Dispose();
        foreach (var point in points.Values) point.PerSample?.Dispose();
    }
}

/// <summary>
/// A profile's end (α = 1) on one view, kept for a later segment through the same point: the parameters and the
/// BatchNorm buffers it was evaluated with (to check that the later segment really passes there), the point's loss,
/// accuracy and per-sample losses, and the first layer's outputs per pass. Owned by <see cref="SegmentProfiler"/>.
/// </summary>
internal sealed record SegmentEnd(DataView View, Tensor Parameters, IReadOnlyList<Tensor>? Buffers, double Loss, double Accuracy,
    Tensor? PerSample, Dictionary<int, Tensor>? FirstLayer, IReadOnlyList<(int Start, int Count)> Passes) : IDisposable
{
    /// <summary>Whether <paramref name="point"/>, evaluated with <paramref name="buffers"/> on <paramref name="view"/>,
    /// is this point: the same view object, the same parameters bit for bit and the same buffers (or none on both sides).</summary>
    public bool IsAt(ParamVector point, IReadOnlyList<Tensor>? buffers, DataView view)
    {
        if (!ReferenceEquals(View, view) || !Same(Parameters, point.Flat)) return false;
        if (Buffers is null || buffers is null) return Buffers is null && buffers is null;
        return Buffers.Count == buffers.Count && Buffers.Zip(buffers).All(p => Same(p.First, p.Second));
    }

    /// <summary>Same shape and every element equal (a NaN is never equal, so such an end is simply not reused).</summary>
    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }

    public void Dispose()
    {
        Parameters.Dispose();
        foreach (var b in Buffers ?? []) b.Dispose();
        PerSample?.Dispose();
        foreach (var t in FirstLayer?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
    }
}
