using System.Text.Json;
using SgdWalk.Checkpoints;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// The floor-path probe's grid (--floor-lag-origin): with an origin o it profiles only the segments ending at o + jk and
/// keeps only the floor points they join; without one, every recorded pair k apart, as before.
/// </summary>
public class FloorPathProbeTests
{
    private const int Steps = 30, Origin = 6;

    private static TrainOptions Run(int? origin) => new()
    {
        Dataset = "synthetic",
        Hidden = [16],
        BatchSize = 50,
        Steps = Steps,
        LearningRate = 0.2,
        ProbeSize = 200,
        Recorder = new() { Probes = ProbePreset.Paper, Record = RecordSchedule.All, FloorLags = [1, 4], FloorLagOrigin = origin },
        Threads = 1,
        Seed = 5,
    };

    private static RunFolder Train(TrainOptions options, int? interruptAfter = null)
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using var stop = new CancellationTokenSource();
        // The progress counts the steps done: after step t it says t + 1.
        var result = Trainer.Run(options, folder, p => { if (p.Step == interruptAfter + 1) stop.Cancel(); }, stop.Token);
        Assert.Equal(interruptAfter is null ? RunStatus.Completed : RunStatus.Interrupted, result.Status);
        return folder;
    }

    /// <summary>profiles.csv's rows of the floor view of lag k, by step.</summary>
    private static ILookup<int, string> FloorRows(RunFolder folder, int lag) =>
        File.ReadLines(folder.Profiles).Skip(1).Where(l => l.Split(',')[1] == Columns.FloorPathView(lag)).ToLookup(l => int.Parse(l.Split(',')[0]));

    [Fact]
    public void With_an_origin_the_probe_measures_exactly_the_grid_segments_and_the_walk_is_the_same()
    {
        var every = Train(Run(null));
        var grid = Train(Run(Origin));
        // Without an origin every recorded pair; with one, the segments ending at 6, 6 + k, ... (lag 1: every one from 6 on).
        Assert.Equal(Enumerable.Range(4, Steps - 4), FloorRows(every, 4).Select(g => g.Key));
        Assert.Equal(Enumerable.Range(1, Steps - 1), FloorRows(every, 1).Select(g => g.Key));
        Assert.Equal([6, 10, 14, 18, 22, 26], FloorRows(grid, 4).Select(g => g.Key));
        Assert.Equal(Enumerable.Range(Origin, Steps - Origin), FloorRows(grid, 1).Select(g => g.Key));
        // The grid's segments are the same segments, measured to the same bits; nothing else the run records changes.
        foreach (int k in new[] { 1, 4 })
            foreach (var segment in FloorRows(grid, k))
                Assert.Equal(FloorRows(every, k)[segment.Key], segment);
        Assert.Equal(File.ReadLines(every.Profiles).Where(l => !l.Contains(",floor-k", StringComparison.Ordinal)),
            File.ReadLines(grid.Profiles).Where(l => !l.Contains(",floor-k", StringComparison.Ordinal)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(every.Checkpoints, "final.dat")), File.ReadAllBytes(Path.Combine(grid.Checkpoints, "final.dat")));
        var (all, thinned) = (CsvTable.Read(every.Steps), CsvTable.Read(grid.Steps));
        Assert.Equal(all.Columns, thinned.Columns);
        for (int t = 0; t < Steps; t++)
            foreach (string column in all.Columns.Where(c => c != "wall_s"))
            {
                bool dropped = Columns.LagOf(column.Replace("_alpha", "", StringComparison.Ordinal)) is var k and > 0 && !FloorPathProbe.OnGrid(Origin, k, t);
                Assert.Equal(dropped ? double.NaN : all.Number(t, column), thinned.Number(t, column));
            }
        // run.json says which grid; a run without one has no such key (so its options and fingerprint are as before).
        Assert.Equal(Origin, RunManifest.Read(grid.Manifest).Options["floor_lag_origin"]!.GetValue<int>());
        Assert.False(RunManifest.Read(every.Manifest).Options.ContainsKey("floor_lag_origin"));
        Assert.Equal(Origin, RunManifest.Read(grid.Manifest).Options.Deserialize<TrainOptions>(RunManifest.Json)!.Recorder.FloorLagOrigin);
    }

    /// <summary>
    /// Interrupted after step 13, a run keeps in its checkpoint the floor points a lag can still pair: without an origin
    /// 10–13 (lag 4 pairs them with 14–17); on the grid 13 (lag 1) and 10 (lag 4: 10 → 14). Resumed, it measures the same segments.
    /// </summary>
    [Theory]
    [InlineData(null, new[] { 10, 11, 12, 13 })]
    [InlineData(Origin, new[] { 10, 13 })]
    public void A_checkpoint_keeps_only_the_floor_points_a_lag_can_pair_and_the_resumed_run_measures_the_same_segments(int? origin, int[] kept)
    {
        var whole = Train(Run(origin));
        var folder = Train(Run(origin), interruptAfter: 13);
        using (var checkpoint = CheckpointFile.Read(new CheckpointStore(folder.Checkpoints).Latest()!))
            Assert.Equal(kept, checkpoint.Tensors.Keys.Where(k => k.StartsWith("probe/floor-path/", StringComparison.Ordinal))
                .Select(k => int.Parse(k["probe/floor-path/floor_".Length..])).Order());
        Assert.Equal(RunStatus.Completed, Trainer.Resume(folder).Status);
        Assert.Equal(File.ReadAllBytes(whole.Profiles), File.ReadAllBytes(folder.Profiles));
        Assert.Equal(CsvTable.Read(whole.Steps).Numbers(Columns.FloorBarrier(4)), CsvTable.Read(folder.Steps).Numbers(Columns.FloorBarrier(4)));
    }

    [Fact]
    public void The_grid_starts_at_the_origin_and_steps_by_the_lag()
    {
        Assert.True(FloorPathProbe.OnGrid(null, 7, 3)); // no origin: every pair
        Assert.Equal([100, 110, 120], Enumerable.Range(0, 130).Where(t => FloorPathProbe.OnGrid(100, 10, t)));
        Assert.Equal(Enumerable.Range(100, 30), Enumerable.Range(0, 130).Where(t => FloorPathProbe.OnGrid(100, 1, t)));
        Assert.Equal([0, 800], Enumerable.Range(0, 1000).Where(t => FloorPathProbe.OnGrid(0, 800, t)));
    }
}
