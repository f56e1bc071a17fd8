using SgdWalk.Landscape;
using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// Barriers on the valley floor. On every step where <paramref name="floorSource"/> profiled the probe view it keeps
/// the floor point φ_t = θ_t + floor_alpha·u_t (in memory, only as many as the largest lag needs) and, for each lag k
/// whose partner φ_{t−k} is kept, profiles the straight segment φ_{t−k} → φ_t on the probe view: its bump is the
/// barrier between the two floor points (0 when the floor is connected by a straight line), <c>_alpha</c> where it
/// peaks. The points go to profiles.csv under the view <c>floor-k{k}</c>, so the chained floor path can be drawn.
/// The segment carries no BatchNorm buffers: under `--bn running` it is evaluated with the current running statistics.
/// The probe owns <paramref name="profiler"/>; one that keeps its ends (<see cref="SegmentProfiler.ReuseEnds"/>)
/// evaluates a floor point shared by consecutive segments (lag 1: φ_{t−1} → φ_t → φ_{t+1}) or by two lags ending at
/// φ_t once.
/// </summary>
public sealed class FloorPathProbe(SegmentProfileProbe floorSource, DataView view, IReadOnlyList<int> lags,
    IReadOnlyList<double> alphas, SegmentProfiler profiler) : IProbe, IStatefulProbe
{
    private readonly SortedDictionary<int, ParamVector> floors = new();

    public string Name => "floor-path";

    public IReadOnlyList<string> ColumnNames { get; } =
        lags.SelectMany(k => new[] { Columns.FloorBarrier(k), Columns.FloorBarrierAlpha(k) }).ToArray();

    public RecordSchedule Schedule => floorSource.Schedule;

    public void Observe(StepContext step, RowValues row)
    {
        if (floorSource.MeasuredAt(step.Step) is not { } measured || double.IsNaN(measured.Profile.FloorAlpha)) return;
        var floor = step.Before.PlusScaled(step.Update, measured.Profile.FloorAlpha);
        foreach (int k in lags)
        {
            if (!floors.TryGetValue(step.Step - k, out var earlier)) continue;
            using var direction = floor.Minus(earlier);
            var path = profiler.Measure(new Segment(earlier, floor, direction, null, null), alphas, view);
            row.Set(Columns.FloorBarrier(k), path.Profile.Bump).Set(Columns.FloorBarrierAlpha(k), path.Profile.BumpAlpha);
            for (int i = 0; i < alphas.Count; i++)
                step.Profiles.Add(step.Step, Columns.FloorPathView(k), alphas[i], path.Profile.Losses[i], path.Accuracies[i]);
        }
        floors[step.Step] = floor;
        // Forget floor points no lag can reach any more.
        foreach (int old in floors.Keys.Where(s => s < step.Step - lags.Max()).ToList())
        {
            floors[old].Dispose();
            floors.Remove(old);
        }
    }

    /// <summary>The floor points still within reach of a lag, so a resumed run measures the same segments.</summary>
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
