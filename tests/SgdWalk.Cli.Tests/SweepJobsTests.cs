using System.Text.Json;
using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// `sweep --jobs N`: cells run N at a time in child processes and leave exactly the files a sequential sweep leaves
/// (at one fixed thread count, bit for bit); the cores are split between the children; an interrupted parallel sweep
/// resumes to the same result; bad values are refused before anything is written.
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
