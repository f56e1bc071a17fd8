namespace SgdWalk.Records.Tests;

/// <summary>timing.json: a plan's wall time against the sum of its runs' own times, read from their run.json.</summary>
public class SweepTimingTests
{
    private static string Cell(string root, string name, double training, double probes, double evaluation, double total)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        new RunManifest
        {
            Status = RunStatus.Completed,
            TimingsSeconds = { ["training_s"] = training, ["probes_s"] = probes, ["evaluation_s"] = evaluation, ["total_s"] = total, ["data_s"] = 0.5 },
        }.Write(new RunFolder(path).Manifest);
        return path;
    }

    [Fact]
    public void The_overhead_is_the_wall_against_the_runs_own_time_shared_by_the_jobs()
    {
        string root = Directory.CreateTempSubdirectory().FullName;
        string[] cells = [Cell(root, "a", 6, 3, 1, 11), Cell(root, "b", 5, 4, 1, 10.5), Cell(root, "c", 4, 5, 1, 10.5)];
        var start = DateTimeOffset.UnixEpoch;

        // Hand-written run.json timings and wall time: no clock is read, only timing.json's arithmetic is checked.
        var sequential = SweepTiming.Measure(cells, jobs: 1, start, wallSeconds: 33);
        Assert.Equal((3, 30.0, 32.0), (sequential.Runs, sequential.OwnSeconds, sequential.RunsTotalSeconds));
        Assert.Equal(0.1, sequential.Overhead, 12);

        // Two jobs share the wall: 30 s of own work is 15 s per job; 18 s of wall is 20 % over it.
        var parallel = SweepTiming.Measure(cells, jobs: 2, start, wallSeconds: 18);
        Assert.Equal(0.2, parallel.Overhead, 12);
        Assert.Contains("overhead 20.0 %", parallel.Describe());
        // More jobs than runs: the runs cannot share the wall more ways than there are runs.
        Assert.Equal(SweepTiming.Measure(cells[..1], jobs: 1, start, 12).Overhead, SweepTiming.Measure(cells[..1], jobs: 4, start, 12).Overhead);
    }

    [Fact]
    public void Each_invocation_adds_an_entry_and_folders_without_run_json_are_skipped()
    {
        string root = Directory.CreateTempSubdirectory().FullName;
        string cell = Cell(root, "a", 1, 1, 1, 4);
        string empty = Path.Combine(root, "never-started");
        Directory.CreateDirectory(empty);
        SweepTiming.Measure([cell, empty], 1, DateTimeOffset.UnixEpoch, 4).Append(root);
        SweepTiming.Measure([cell], 2, DateTimeOffset.UnixEpoch, 2).Append(root);
        var all = SweepTiming.Read(root);
        Assert.Equal([1, 2], all.Select(t => t.Jobs));
        Assert.All(all, t => Assert.Equal(1, t.Runs));
        Assert.Contains("\"overhead\":", File.ReadAllText(Path.Combine(root, SweepTiming.FileName)));
    }
}
