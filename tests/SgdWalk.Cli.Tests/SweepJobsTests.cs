using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `sweep --jobs N`: cells run N at a time in warm worker processes and leave exactly the files a sequential sweep
/// leaves (at one fixed thread count, bit for bit); the cores are split between the workers; a worker runs many cells
/// with one data load and flat memory; a worker that dies fails only its cell; an interrupted parallel sweep resumes to
/// the same result; bad values are refused before anything is written.
/// </summary>
public class SweepJobsTests
{
    private static readonly string[] Grid =
        ["sweep", "--dataset", "synthetic", "--hidden", "32,16", "--lr", "0.05,0.1", "--batch-size", "25,50", "--probe-size", "200", "--no-report"];

    private static (int Code, string Output) Sweep(string folder, int steps, params string[] extra) =>
        CliHarness.Run([.. Grid, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", folder, .. extra]);

    private static string[] Cells(string folder) => [.. SweepSummary.Cells(folder).Select(c => Path.GetFileName(c.Path))];

    [Fact]
    public void Two_jobs_leave_the_files_of_a_sequential_sweep_bit_for_bit()
    {
        string sequential = Directory.CreateTempSubdirectory().FullName, parallel = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = Sweep(sequential, 40, "--threads", "1");
        Assert.True(code == 0, output);
        (code, output) = Sweep(parallel, 40, "--threads", "1", "--jobs", "2");
        Assert.True(code == 0, output);
        Assert.Contains("4 cells, 2 at a time", output);
        Assert.Contains("sweep done: 4 run, 0 already finished", output);

        Assert.Equal(4, Cells(parallel).Length);
        Assert.Equal(Cells(sequential), Cells(parallel));
        foreach (var cell in Cells(sequential))
        {
            string[] Files(string root) => [.. Directory.EnumerateFiles(Path.Combine(root, cell), "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Path.Combine(root, cell), f)).Order()];
            Assert.Equal(Files(sequential), Files(parallel));
            foreach (var file in new[] { "steps.csv", "profiles.csv" }) // epochs.csv has wall times
                Assert.Equal(File.ReadAllText(Path.Combine(sequential, cell, file)), File.ReadAllText(Path.Combine(parallel, cell, file)));
            Assert.Equal(RunStatus.Completed, RunManifest.Read(new RunFolder(Path.Combine(parallel, cell)).Manifest).Status);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(sequential, "sweep.json")), File.ReadAllText(Path.Combine(parallel, "sweep.json")));
        // The summary row by row, but for the cells' wall times.
        static List<string> Summary(string root)
        {
            var table = CsvTable.Read(Path.Combine(root, SweepSummary.FileName));
            int wall = table.Columns.ToList().IndexOf("wall_s");
            return [.. table.Rows.Select(r => string.Join(',', r.Where((_, i) => i != wall)))];
        }
        Assert.Equal(Summary(sequential), Summary(parallel));
        // The plan's wall against its runs' own times, said and kept.
        Assert.Contains("time: 4 runs in", output);
        var timing = Assert.Single(SweepTiming.Read(parallel));
        Assert.Equal((2, 4), (timing.Jobs, timing.Runs));
        Assert.True(timing.OwnSeconds > 0 && timing.WallSeconds > 0, File.ReadAllText(Path.Combine(parallel, SweepTiming.FileName)));
    }

    [Fact]
    public void A_worker_runs_the_cells_it_is_given_with_one_data_load_and_flat_memory()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        string[] lrs = ["0.02", "0.05", "0.1", "0.2"], batches = ["25", "50"];
        using var worker = ChildCli.Start("sweep", "--dataset", "synthetic", "--hidden", "32,16", "--lr", string.Join(',', lrs), "--batch-size",
            string.Join(',', batches), "--probe-size", "200", "--steps", "20", "--threads", "1", "--no-report", "--out", folder, "--worker");
        var cells = lrs.SelectMany(lr => batches.Select(b => $"lr{lr}-b{b}-s1111")).ToList();
        foreach (var cell in cells) worker.Send("cell " + cell);
        worker.EndInput();
        Assert.True(worker.WaitForExit() == 0, worker.Output);

        var lines = worker.Output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(Enumerable.Repeat("@sgdwalk status ran Completed", cells.Count), lines.Where(l => l.StartsWith("@sgdwalk status", StringComparison.Ordinal)));
        var memory = lines.Where(l => l.StartsWith("@sgdwalk memory ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2..])
            .Select(p => (Rss: double.Parse(p[0], CultureInfo.InvariantCulture), Tensors: long.Parse(p[1], CultureInfo.InvariantCulture),
                Loads: int.Parse(p[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(cells.Count, memory.Count);
        // One data load for the eight cells; the same live tensors after each; resident memory flat after the first two
        // cells (the allocator's and the JIT's one-off growth), within a bound far below one cell's own use.
        Assert.All(memory, m => Assert.Equal(1, m.Loads));
        Assert.All(memory, m => Assert.Equal(memory[0].Tensors, m.Tensors));
        Assert.True(memory[^1].Rss - memory[1].Rss <= 48, string.Join(", ", memory.Select(m => m.Rss)));
        foreach (var cell in cells)
            Assert.Equal(RunStatus.Completed, RunManifest.Read(new RunFolder(Path.Combine(folder, cell)).Manifest).Status);
    }

    [Fact]
    public void A_cell_child_runs_its_one_cell_and_says_how_it_ended()
    {
        // `--cell NAME` (one cell, then exit) stays for scripts and schedulers; a rerun finds the cell finished.
        string folder = Directory.CreateTempSubdirectory().FullName;
        string[] args = [.. Grid, "--steps", "10", "--threads", "1", "--out", folder, "--cell", "lr0.1-b50-s1111"];
        var (code, output) = ChildCli.Run(args);
        Assert.True(code == 0, output);
        Assert.Contains("@sgdwalk status ran Completed", output);
        Assert.Equal(["lr0.1-b50-s1111"], Cells(folder));
        (code, output) = ChildCli.Run(args);
        Assert.True(code == 0, output);
        Assert.Contains("@sgdwalk status skipped Completed", output);
    }

    [Fact]
    public void A_worker_killed_in_a_cell_fails_that_cell_only_and_a_fresh_worker_runs_the_rest()
    {
        // Synthetic sets of 400 images, one epoch: the b25 cells take 16 steps and pause at step 10, the b50 cells take 8.
        string[] grid = ["sweep", "--dataset", "synthetic", "--hidden", "32,16", "--lr", "0.05,0.1", "--batch-size", "25,50", "--probe-size", "200",
            "--train-size", "400", "--epochs", "1", "--threads", "1", "--no-report"];
        string whole = Directory.CreateTempSubdirectory().FullName, broken = Directory.CreateTempSubdirectory().FullName;
        Assert.Equal(0, CliHarness.Run([.. grid, "--out", whole]).ExitCode);

        using (var parent = ChildCli.StartWithPauseValue("10", [.. grid, "--jobs", "2", "--out", broken]))
        {
            // Worker 1 holds cell 1; worker 2 has finished cell 2 and holds cell 3; cell 4 waits. Both workers die (SIGKILL).
            int Paused(string cell)
            {
                Assert.True(parent.WaitForOutput($"{cell}: sgdwalk-test-pause: waiting at step 10 (pid "), parent.Output);
                return int.Parse(Regex.Match(parent.Output, $@"{Regex.Escape(cell)}: sgdwalk-test-pause: waiting at step 10 \(pid (\d+)\)").Groups[1].Value,
                    CultureInfo.InvariantCulture);
            }
            int first = Paused("lr0.05-b25-s1111"), second = Paused("lr0.1-b25-s1111");
            foreach (int pid in new[] { first, second })
                using (var worker = Process.GetProcessById(pid)) worker.Kill();
            Assert.Equal(1, parent.WaitForExit());
            string output = parent.Output;
            Assert.Contains("sgdwalk: cell lr0.05-b25-s1111 failed: its process exited with code", output);
            Assert.Contains("sgdwalk: cell lr0.1-b25-s1111 failed: its process exited with code", output);
            Assert.Contains("sweep done: 4 run, 0 already finished, 0 running elsewhere, 0 diverged, 2 failed", output);
        }
        // Cell 4 ran in a fresh worker; a rerun redoes the two failed cells; every cell ends as the sequential sweep's.
        foreach (var cell in new[] { "lr0.05-b50-s1111", "lr0.1-b50-s1111" })
            Assert.Equal(RunStatus.Completed, RunManifest.Read(new RunFolder(Path.Combine(broken, cell)).Manifest).Status);
        var (code, rerun) = CliHarness.Run([.. grid, "--jobs", "2", "--out", broken]);
        Assert.True(code == 0, rerun);
        Assert.Contains("sweep done: 2 run, 2 already finished", rerun);
        foreach (var cell in Cells(whole))
            Assert.Equal(File.ReadAllText(Path.Combine(whole, cell, "steps.csv")), File.ReadAllText(Path.Combine(broken, cell, "steps.csv")));
    }

    [Fact]
    public void Without_threads_the_jobs_split_the_cores()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = Sweep(folder, 10, "--jobs", "2");
        Assert.True(code == 0, output);
        int expected = Math.Max(1, Environment.ProcessorCount / 2);
        foreach (var cell in Cells(folder))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, cell, "run.json")));
            Assert.Equal(expected, json.RootElement.GetProperty("threads").GetInt32());
        }
    }

    [Fact]
    public void An_interrupted_parallel_sweep_resumes_to_the_uninterrupted_result()
    {
        string whole = Directory.CreateTempSubdirectory().FullName, broken = Directory.CreateTempSubdirectory().FullName;
        Assert.Equal(0, Sweep(whole, 400, "--threads", "1").Code);

        // Both children pause at step 20 of their first cells (the pause is inherited by the children); then SIGTERM.
        using (var parent = ChildCli.StartWithPauseValue("20", [.. Grid, "--steps", "400", "--threads", "1", "--jobs", "2", "--out", broken]))
        {
            foreach (var cell in new[] { "lr0.05-b25-s1111", "lr0.05-b50-s1111" })
                Assert.True(parent.WaitForOutput($"{cell}: sgdwalk-test-pause: waiting at step 20"), parent.Output);
            parent.Signal(ChildCli.SigTerm);
            Assert.Equal(130, parent.WaitForExit());
            Assert.Contains("rerun the same command to resume", parent.Output);
        }

        var (code, output) = Sweep(broken, 400, "--threads", "1", "--jobs", "2");
        Assert.True(code == 0, output);
        foreach (var cell in Cells(whole))
            Assert.Equal(File.ReadAllText(Path.Combine(whole, cell, "steps.csv")), File.ReadAllText(Path.Combine(broken, cell, "steps.csv")));
    }

    [Theory]
    [InlineData(new[] { "--jobs", "0" }, "--jobs must be at least 1 (got 0)")]
    [InlineData(new[] { "--jobs", "2", "--emit", "slurm" }, "--jobs runs cells on this machine and --emit writes a job script instead; choose one")]
    public void Bad_jobs_are_refused_before_anything_is_written(string[] extra, string message)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "sweep");
        var (code, output) = Sweep(folder, 10, extra);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(folder));
    }
}
