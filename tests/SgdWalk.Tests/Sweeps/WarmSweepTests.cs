using SgdWalk.Data;
using SgdWalk.Probes;
using SgdWalk.Sweeps;
using SgdWalk.Training;
using TorchSharp;

namespace SgdWalk.Tests.Sweeps;

/// <summary>
/// Cells run one after another in one process (a sequential sweep, a warm `--jobs` worker) borrow their data from one
/// cache: the data is loaded once, a cell's files do not depend on what ran before it in the process, and the process
/// holds the same tensors after every cell (loads and tensors are counted, nothing is timed).
/// </summary>
public class WarmSweepTests
{
    private static readonly TrainOptions Shared = new()
    {
        Dataset = "synthetic", Hidden = [16], Steps = 12, Recorder = new() { Record = RecordSchedule.Parse("every:3"), Probes = ProbePreset.Paper }, Threads = 1, ProbeSize = 100,
    };

    private static SweepPlan Plan() => SweepPlan.Grid(Shared, [0.05, 0.1, 0.2], [25, 50], [1]);

    [Fact]
    public void A_cells_files_are_the_same_bytes_alone_and_after_other_cells_in_one_process()
    {
        var plan = Plan();
        var target = plan.Cells[^1];
        string alone = Directory.CreateTempSubdirectory().FullName, warm = Directory.CreateTempSubdirectory().FullName;
        var results = SweepRunner.Run(plan, alone, Shard.All, include: c => c == target);
        Assert.Equal([Records.RunStatus.Completed], results.Select(r => r.Status));

        // The other cells first, then the target, all with one cache: the target borrows data the others used.
        using var cache = new DataCache();
        Assert.All(SweepRunner.Run(plan, warm, Shard.All, include: c => c != target, cache: cache), r => Assert.Equal(Records.RunStatus.Completed, r.Status));
        Assert.Equal([Records.RunStatus.Completed], SweepRunner.Run(plan, warm, Shard.All, include: c => c == target, cache: cache).Select(r => r.Status));
        Assert.Equal(1, cache.Loads);

        foreach (var file in new[] { "steps.csv", "profiles.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, target.Name, file)), File.ReadAllBytes(Path.Combine(warm, target.Name, file)));
    }

    [Fact]
    public void A_warm_process_loads_the_data_once_and_holds_the_same_tensors_after_every_cell()
    {
        var plan = Plan();
        string folder = Directory.CreateTempSubdirectory().FullName;
        using var cache = new DataCache();
        var live = new List<long>();
        foreach (var cell in plan.Cells)
        {
            var result = Assert.Single(SweepRunner.Run(plan, folder, Shard.All, include: c => c == cell, cache: cache));
            Assert.Equal(Records.RunStatus.Completed, result.Status);
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        Assert.Equal(1, cache.Loads);
        // The cached splits are the only tensors a finished cell leaves behind: the count is the same after every cell.
        Assert.All(live, n => Assert.Equal(live[0], n));
    }
}
