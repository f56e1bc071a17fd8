using SgdWalk.Landscape;
using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Barriers on the valley floor. On every step where <paramref name="floorSource"/> profiled the probe view it forms
/// the floor point φ_t = θ_t + floor_alpha·u_t and, for each lag k whose partner φ_{t−k} is kept, profiles the straight
/// segment φ_{t−k} → φ_t on the probe view: its bump is the barrier between the two floor points (0 when the floor is
/// connected by a straight line), <c>_alpha</c> where it peaks. The points go to profiles.csv under the view
/// <c>floor-k{k}</c>, so the chained floor path can be drawn.
/// With an <paramref name="origin"/> o, lag k profiles only the segments ending at o, o + k, o + 2k, … (<see cref="OnGrid"/>):
/// the non-overlapping ones a reader such as claim 4a's secondaries uses, not every recorded pair. The floor points are
/// kept in memory (and in checkpoints) only while some lag can still pair them: within reach of the largest lag, and with
/// an origin only those on a lag's grid.
/// The segment carries no BatchNorm buffers: under `--bn running` it is evaluated with the current running statistics.
/// The probe owns <paramref name="profiler"/>; one that keeps its ends (<see cref="SegmentProfiler.ReuseEnds"/>)
/// evaluates a floor point shared by consecutive segments (lag 1: φ_{t−1} → φ_t → φ_{t+1}) or by two lags ending at
/// φ_t once.
/// </summary>
public sealed class FloorPathProbe(SegmentProfileProbe floorSource, DataView view, IReadOnlyList<int> lags, int? origin,
    IReadOnlyList<double> alphas, SegmentProfiler profiler) : IProbe, IStatefulProbe
{
    private readonly SortedDictionary<int, ParamVector> floors = new();

    public string Name => "floor-path";

    public IReadOnlyList<string> ColumnNames { get; } =
        lags.SelectMany(k => new[] { Columns.FloorBarrier(k), Columns.FloorBarrierAlpha(k) }).ToArray();

    public RecordSchedule Schedule => floorSource.Schedule;

    public void Observe(StepContext step, RowValues row)
    {
        int t = step.Step;
        if (floorSource.MeasuredAt(t) is { } measured && !double.IsNaN(measured.Profile.FloorAlpha)) Measure(step, row, measured.Profile.FloorAlpha);
        // Forget the floor points no lag can pair any more: every grid segment they start ends at this step or before.
        foreach (int old in floors.Keys.Where(p => !lags.Any(k => p + k > t && OnGrid(origin, k, p + k))).ToList())
        {
            floors[old].Dispose();
            floors.Remove(old);
        }
    }

    private void Measure(StepContext step, RowValues row, double floorAlpha)
    {
        int t = step.Step;
        // A point that ends no segment on the grid and starts none is not even formed.
        bool starts = lags.Any(k => OnGrid(origin, k, t + k));
        if (!starts && !lags.Any(k => OnGrid(origin, k, t) && floors.ContainsKey(t - k))) return;
        var floor = step.Before.PlusScaled(step.Update, floorAlpha);
        foreach (int k in lags)
        {
            if (!OnGrid(origin, k, t) || !floors.TryGetValue(t - k, out var earlier)) continue;
            using var direction = floor.Minus(earlier);
            var path = profiler.Measure(new Segment(earlier, floor, direction, null, null), alphas, view);
            row.Set(Columns.FloorBarrier(k), path.Profile.Bump).Set(Columns.FloorBarrierAlpha(k), path.Profile.BumpAlpha);
            for (int i = 0; i < alphas.Count; i++)
                step.Profiles.Add(t, Columns.FloorPathView(k), alphas[i], path.Profile.Losses[i], path.Accuracies[i]);
        }
        if (starts) floors[t] = floor;
        else floor.Dispose();
    }

    /// <summary>
    /// Whether lag <paramref name="lag"/> profiles the segment ending at step <paramref name="end"/>: always without an
    /// origin; with origin o, when the segment ends at o + jk, j ≥ 0 (its start, o + (j − 1)k, may lie before o: with o the
    /// second epoch's first step, the first segment read after the first epoch starts in it).
    /// </summary>
    public static bool OnGrid(int? origin, int lag, int end) => origin is not { } o || (end >= o && (end - o) % lag == 0);

    /// <summary>The floor points a lag can still pair, so a resumed run measures the same segments.</summary>
    public IEnumerable<(string Name, Tensor Value)> SaveState() =>
        floors.Select(f => ($"floor_{f.Key}", f.Value.Flat));

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<Parameter> parameters)
    {
        foreach (var floor in floors.Values) floor.Dispose();
        floors.Clear();
        foreach (var (name, value) in state)
            if (name.StartsWith("floor_", StringComparison.Ordinal) && int.TryParse(name["floor_".Length..], out int step))
                floors[step] = ProbeState.Restore(value, parameters);
    }

    public void Dispose()
    {
        foreach (var floor in floors.Values) floor.Dispose();
        profiler.Dispose();
    }
}
