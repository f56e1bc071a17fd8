using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Sweeps;
using SgdWalk.TestSupport;
using SgdWalk.Training;

namespace SgdWalk.Tests.Sweeps;

public class SweepRunnerTests
{
    private static readonly TrainOptions Tiny = new()
    {
        Dataset = "synthetic", Hidden = [8], Steps = 6, Recorder = new() { Probes = ProbePreset.Cheap }, Threads = 1, ProbeSize = 100,
    };

    private static SweepPlan Plan() => SweepPlan.Grid(Tiny, [0.05, 0.1], [25, 50], [1]);

    [Fact]
    public void An_interrupted_sweep_resumes_without_redoing_finished_cells()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        using var stop = new CancellationTokenSource();
        // Interrupt during the second cell: the first is finished, the second stops mid-run.
        var first = SweepRunner.Run(Plan(), folder, Shard.All, p => { if (p.Done == 1 && p.Training is { Step: 3 }) stop.Cancel(); }, stop.Token);
        Assert.Equal([RunStatus.Completed, RunStatus.Interrupted], first.Select(r => r.Status));
        string done = Path.Combine(folder, first[0].Cell.Name, "steps.csv");
        var finishedAt = File.GetLastWriteTimeUtc(done);
        Assert.Equal(RunStatus.Interrupted, RunManifest.Read(Path.Combine(folder, first[1].Cell.Name, "run.json")).Status);

        var second = SweepRunner.Run(Plan(), folder, Shard.All);
        Assert.Equal([true, false, false, false], second.Select(r => r.Skipped));
        Assert.All(second, r => Assert.Equal(RunStatus.Completed, r.Status));
        Assert.Equal(finishedAt, File.GetLastWriteTimeUtc(done));
        // The redone cell starts over: exactly its 6 steps, not 3 + 6.
        Assert.Equal(6, CsvTable.Read(Path.Combine(folder, first[1].Cell.Name, "steps.csv")).Rows.Count);
        Assert.Equal(4, CsvTable.Read(Path.Combine(folder, SweepSummary.FileName)).Rows.Count);
        // Written cell by cell from what the runner read once per cell: the file a fresh read of every cell gives.
        byte[] written = File.ReadAllBytes(Path.Combine(folder, SweepSummary.FileName));
        Assert.Equal(File.ReadAllBytes(SweepSummary.Write(folder)), written);
    }

    [Fact]
    public void A_libtorch_error_in_one_cell_fails_that_cell_and_the_sweep_goes_on()
    {
        TestDependencies.Require("pytorch");
        string folder = Directory.CreateTempSubdirectory().FullName;
        Python.Run("""
            import torch, torch.nn as nn
            class FailsAt50(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(64, 4)
                def forward(self, x):
                    if x.size(0) == 50:
                        raise RuntimeError("no batches of 50 here")
                    return self.fc(x.flatten(1))
            torch.jit.script(FailsAt50()).save("fails.pt")
            """, folder);
        var shared = Tiny with { Model = "torchscript:" + Path.Combine(folder, "fails.pt"), Hidden = null };
        var results = SweepRunner.Run(SweepPlan.Grid(shared, [0.1], [50, 25], [1]), Path.Combine(folder, "sweep"), Shard.All);
        Assert.Equal([RunStatus.Failed, RunStatus.Completed], results.Select(r => r.Status));
        Assert.Contains("no batches of 50 here", results[0].Message);
        var failed = RunManifest.Read(Path.Combine(folder, "sweep", results[0].Cell.Name, "run.json"));
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("no batches of 50 here", failed.Message);
    }

    [Fact]
    public void A_folder_holding_another_sweep_is_refused()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        SweepRunner.WriteManifest(Plan(), folder);
        SweepRunner.WriteManifest(Plan(), folder); // the same sweep again (a rerun, another shard): fine
        var other = SweepPlan.Grid(Tiny, [0.3], [25], [1]);
        var e = Assert.Throws<IOException>(() => SweepRunner.WriteManifest(other, folder));
        Assert.Contains("different sweep", e.Message);
    }

    [Fact]
    public void Shards_partition_the_cells()
    {
        var plan = SweepPlan.Grid(Tiny, [0.01, 0.02, 0.05, 0.1], [25, 100, 400], [1, 2]);
        foreach (int n in new[] { 1, 2, 3, 5, 24, 30 })
        {
            var shards = Enumerable.Range(1, n).Select(i => plan.CellsOf(new Shard(i, n)).Select(c => c.Name).ToList()).ToList();
            Assert.Equal(plan.Cells.Count, shards.Sum(s => s.Count));
            Assert.Equal(plan.Cells.Select(c => c.Name).Order(), shards.SelectMany(s => s).Order());
        }
        Assert.Equal(new Shard(2, 3), Shard.Parse("2/3"));
        foreach (var bad in new[] { "0/3", "4/3", "3", "a/b", "1/0" })
            Assert.Contains("--shard", Assert.Throws<FormatException>(() => Shard.Parse(bad)).Message);
    }

    [Fact]
    public void Grid_cells_are_named_and_sweep_json_separates_shared_from_own_options()
    {
        var plan = Plan();
        Assert.Equal(["lr0.05-b25-s1", "lr0.05-b50-s1", "lr0.1-b25-s1", "lr0.1-b50-s1"], plan.Cells.Select(c => c.Name));
        var manifest = plan.ToManifest();
        Assert.Equal(["0.05", "0.1"], manifest.Axes["learning_rate"]);
        Assert.Equal(6, (int)manifest.Shared["steps"]!);
        Assert.False(manifest.Shared.ContainsKey("learning_rate"));
        Assert.Equal(0.1, (double)manifest.Cells[3].Options["learning_rate"]!);
        Assert.Equal(50, (int)manifest.Cells[3].Options["batch_size"]!);
        Assert.Empty(plan.Validate());
        Assert.NotEmpty(SweepPlan.Grid(Tiny, [], [25], [1]).Validate());
        Assert.NotEmpty(SweepPlan.Grid(Tiny, [0.1, 0.1], [25], [1]).Validate());
    }
}
