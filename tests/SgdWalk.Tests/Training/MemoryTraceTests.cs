using System.Globalization;
using SgdWalk.Probes;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Tests.Training;

/// <summary>memory.csv (synthetic: 40 steps per epoch): a row per recorded step, per 50th step and per evaluation, with VmRSS ≤ VmHWM; a resumed run keeps the rows before its step.</summary>
public class MemoryTraceTests
{
    private static TrainOptions Options => new()
    {
        Dataset = "synthetic", Model = "mlp", Hidden = [32, 16], BatchSize = 50, Steps = 120, Epochs = 1, LearningRate = 0.2,
        ProbeSize = 300, Recorder = new() { Probes = ProbePreset.Paper, Record = RecordSchedule.Parse("steps:0-9+every:40") }, Threads = 1, Seed = 42, CheckpointEvery = 20,
    };

    private static List<(int Step, int Recorded, string Phase, double Rss, double Peak)> Rows(RunFolder folder) =>
        [.. CsvTable.Read(folder.Memory).Rows.Select(r => (
            int.Parse(r[0], CultureInfo.InvariantCulture), int.Parse(r[1], CultureInfo.InvariantCulture), r[2],
            double.Parse(r[3], CultureInfo.InvariantCulture), double.Parse(r[4], CultureInfo.InvariantCulture)))];

    [Fact]
    public void Every_recorded_step_every_fiftieth_step_and_each_evaluation_get_a_row()
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        Assert.Equal(RunStatus.Completed, Trainer.Run(Options, folder).Status);
        var rows = Rows(folder);
        int[] recorded = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40, 80];
        Assert.Equal(recorded, rows.Where(r => r.Phase == "recorded").Select(r => r.Step));
        Assert.Equal([50, 100], rows.Where(r => r.Phase == "step").Select(r => r.Step));
        Assert.Equal([40, 80, 120], rows.Where(r => r.Phase == "evaluation").Select(r => r.Step));
        Assert.Equal(Enumerable.Range(1, recorded.Length), rows.Where(r => r.Phase == "recorded").Select(r => r.Recorded));
        Assert.All(rows, r => Assert.True(r.Rss > 10 && r.Rss <= r.Peak + 0.1, $"step {r.Step}: rss {r.Rss}, peak {r.Peak}"));
        Assert.Equal(RunManifest.Read(folder.Manifest).Counts["peak_memory_mb"], rows.Max(r => r.Peak), 0.5 * rows.Max(r => r.Peak));
    }

    [Fact]
    public void A_resumed_run_keeps_the_rows_before_its_step_and_continues()
    {
        var folder = RunFolder.Prepare(Directory.CreateTempSubdirectory().FullName, overwrite: false);
        using var cancel = new CancellationTokenSource();
        Assert.Equal(RunStatus.Interrupted, Trainer.Run(Options, folder, p => { if (p.Step == 90) cancel.Cancel(); }, cancel.Token).Status);
        Assert.Equal(RunStatus.Completed, Trainer.Resume(folder).Status);
        var steps = Rows(folder).Where(r => r.Phase != "evaluation").Select(r => r.Step).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40, 50, 80, 100], steps);
    }
}
