using SgdWalk.Records;
using SgdWalk.TestSupport;

namespace SgdWalk.Cli.Tests;

public class SweepCommandTests
{
    private static readonly string[] Tiny =
        ["--dataset", "synthetic", "--hidden", "8", "--steps", "6", "--probe-size", "100", "--record", "every:2", "--threads", "1", "--no-report"];

    private static (int Code, string Output) Sweep(string folder, params string[] extra) =>
        CliHarness.Run(["sweep", .. Tiny, "--lr", "0.05,0.1", "--batch-size", "25,50,100", "--seeds", "1", "--out", folder, .. extra]);

    [Fact]
    public void Summary_equals_a_recomputation_from_the_cell_folders_and_report_rewrites_it()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = Sweep(folder);
        Assert.True(code == 0, output);
        Assert.Contains("sweep done: 6 run, 0 already finished", output);
        string path = Path.Combine(folder, SweepSummary.FileName);
        var summary = CsvTable.Read(path);
        Assert.Equal(6, summary.Rows.Count);

        // An independent oracle for one row, from that cell's own files.
        int row = Enumerable.Range(0, 6).Single(r => summary.Text(r, "cell") == "lr0.1-b50-s1");
        var steps = CsvTable.Read(Path.Combine(folder, "lr0.1-b50-s1", "steps.csv"));
        var heights = steps.Numbers("probe_height").Where(h => !double.IsNaN(h)).Order().ToArray();
        Assert.Equal(3, heights.Length);
        Assert.Equal(heights[1], summary.Number(row, "median_height"));
        Assert.Equal(heights.Average(), summary.Number(row, "mean_height"), 15);
        Assert.Equal(6, summary.Number(row, "equal_steps"));
        Assert.Equal(steps.Number(5, "dist_init"), summary.Number(row, "dist_init_equal_steps"));
        Assert.Equal(0.1 / 50, summary.Number(row, "lr_batch_ratio"), 15);
        var epochs = CsvTable.Read(Path.Combine(folder, "lr0.1-b50-s1", "epochs.csv"));
        Assert.Equal(epochs.Number(0, "test_acc"), summary.Number(row, "final_test_acc"));
        Assert.Equal(epochs.Number(0, "train_acc") - epochs.Number(0, "test_acc"), summary.Number(row, "generalisation_gap"), 15);
        // lr 0.05 / b25 and lr 0.1 / b50 share a ratio; so do 0.05/50 and 0.1/100.
        string Group(string cell) => summary.Text(Enumerable.Range(0, 6).Single(r => summary.Text(r, "cell") == cell), "ratio_group");
        Assert.NotEqual("", Group("lr0.05-b25-s1"));
        Assert.Equal(Group("lr0.05-b25-s1"), Group("lr0.1-b50-s1"));
        Assert.Equal(Group("lr0.05-b50-s1"), Group("lr0.1-b100-s1"));
        Assert.NotEqual(Group("lr0.05-b25-s1"), Group("lr0.05-b50-s1"));
        Assert.Equal("", Group("lr0.1-b25-s1"));

        // `sgdwalk report` recomputes the same file from the folders alone.
        string written = File.ReadAllText(path);
        File.Delete(path);
        (code, output) = CliHarness.Run("report", folder);
        Assert.True(code == 0, output);
        Assert.Equal(written, File.ReadAllText(path));
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));

        // A rerun finds every cell finished and runs nothing.
        (code, output) = Sweep(folder);
        Assert.True(code == 0, output);
        Assert.Contains("sweep done: 0 run, 6 already finished", output);
    }

    [Fact]
    public void Shards_together_produce_exactly_the_cells_of_the_unsharded_sweep()
    {
        string whole = Directory.CreateTempSubdirectory().FullName, sharded = Directory.CreateTempSubdirectory().FullName;
        Assert.Equal(0, Sweep(whole).Code);
        foreach (var shard in new[] { "1/3", "2/3", "3/3" })
        {
            var (code, output) = Sweep(sharded, "--shard", shard);
            Assert.True(code == 0, output);
            Assert.Contains($"shard {shard}: 2 of them", output);
        }
        static string[] Cells(string folder) => SweepSummary.Cells(folder).Select(c => Path.GetFileName(c.Path)).ToArray();
        Assert.Equal(Cells(whole), Cells(sharded));
        Assert.Equal(6, Cells(sharded).Length);
        // Same seed, same thread count: the same walk, bit for bit, whichever process ran the cell.
        foreach (var cell in Cells(whole))
            Assert.Equal(File.ReadAllText(Path.Combine(whole, cell, "steps.csv")), File.ReadAllText(Path.Combine(sharded, cell, "steps.csv")));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "sweep.json")), File.ReadAllText(Path.Combine(sharded, "sweep.json")));
    }

    [Fact]
    public void A_diverged_cell_is_recorded_and_the_sweep_goes_on()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = CliHarness.Run(["sweep", .. Tiny, "--no-model-bn", "--probes", "cheap", "--lr", "100000,0.1", "--batch-size", "50", "--out", folder]);
        Assert.True(code == 0, output);
        Assert.Contains("1 diverged", output);
        var summary = CsvTable.Read(Path.Combine(folder, SweepSummary.FileName));
        Assert.Equal(["diverged", "completed"], Enumerable.Range(0, 2).Select(r => summary.Text(r, "status")).OrderByDescending(s => s));
    }

    [Fact]
    public void Emit_slurm_writes_an_array_job_with_one_task_per_shard_and_a_report_step()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, output) = Sweep(folder, "--emit", "slurm", "--shards", "3");
        Assert.True(code == 0, output);
        string script = File.ReadAllText(Path.Combine(folder, "sweep.slurm"));
        Assert.Contains("#SBATCH --array=1-3", script);
        Assert.Contains("'sweep' '--dataset' 'synthetic'", script);
        Assert.Contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\"", script);
        Assert.DoesNotContain("--emit", script);
        Assert.Contains("report '" + folder + "'", File.ReadAllText(Path.Combine(folder, "report.slurm")));
        Assert.Contains("--dependency=afterany", File.ReadAllText(Path.Combine(folder, "submit.sh")));
        Assert.False(Directory.EnumerateDirectories(folder).Any(d => File.Exists(Path.Combine(d, "run.json"))), "--emit must not train");
    }

    [Theory]
    [InlineData("--lr", "0.1,x", "--lr: 'x'")]
    [InlineData("--shard", "4/3", "--shard must be I/N")]
    [InlineData("--emit", "pbs", "--emit must be 'slurm'")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1")]
    public void Bad_sweep_input_is_named_and_nothing_is_written(string option, string value, string message)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "sweep");
        var (code, output) = CliHarness.Run(["sweep", .. Tiny, option, value, "--out", folder]);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_real_single_node_Slurm_cluster_runs_the_emitted_array_job()
    {
        // tests/slurm-check.sh starts munged + slurmctld + slurmd on loopback, submits the emitted array job of a tiny
        // sweep and its report job, and checks every cell and the merged report. Slurm and munge are installed before
        // the suite (scripts/ensure-test-deps.sh); missing, this fails with what to install.
        TestDependencies.Require("slurm");
        string root = TestDependencies.RepositoryRoot();
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(root, "tests", "slurm-check.sh"), typeof(Program).Assembly.Location])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(); // the script bounds its own waits (SLURM_CHECK_TIMEOUT)
        Assert.True(process.ExitCode == 0, $"slurm-check.sh failed ({process.ExitCode}):\n{stdout}\n{await stderr}");
        Assert.Contains("slurm-check: passed", stdout);
        Assert.Equal(4, stdout.Split('\n').Count(l => l.EndsWith(" completed", StringComparison.Ordinal)));
    }
}
