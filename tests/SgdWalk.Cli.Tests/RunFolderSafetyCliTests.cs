using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// Issue 13 part 5, "losing data": one writer per run folder (a second `train`, `resume` or sweep on a folder in use is
/// refused or leaves it alone), and --overwrite removes the old run only once the new one has started.
/// The "other process" is this test holding the folder's lock itself, so nothing depends on timing.
/// </summary>
public class RunFolderSafetyCliTests
{
    private static readonly string[] Tiny =
        ["--dataset", "synthetic", "--hidden", "8", "--steps", "4", "--probes", "cheap", "--threads", "1", "--no-report"];

    /// <summary>The console's text as one line: Spectre wraps long lines, keeping or dropping the space it breaks at.</summary>
    private static string Flat(string output) => string.Join(' ', output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static string NewFolder() => Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-cli-safety-").FullName, "run");

    private static RunFolder Completed(params string[] extra)
    {
        var folder = new RunFolder(NewFolder());
        var (code, output) = CliHarness.Run(["train", .. Tiny, .. extra, "--out", folder.Path]);
        Assert.True(code == 0, output);
        return folder;
    }

    [Fact]
    public void A_second_train_process_on_a_folder_in_use_is_refused_and_writes_nothing()
    {
        string path = NewFolder();
        using (RunLock.Acquire(path))
        {
            var (code, output) = ChildCli.Run(["train", .. Tiny, "--out", path]);
            Assert.True(code == 2, output);
            Assert.Contains("another sgdwalk process is using this run folder", Flat(output));
            Assert.Equal([RunLock.FileName], Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void Overwrite_and_resume_of_a_folder_in_use_are_refused_and_leave_the_run_alone()
    {
        var run = Completed();
        byte[] steps = File.ReadAllBytes(run.Steps), manifest = File.ReadAllBytes(run.Manifest);
        using (RunLock.Acquire(run.Path))
        {
            var (code, output) = CliHarness.Run(["train", .. Tiny, "--lr", "0.2", "--out", run.Path, "--overwrite"]);
            Assert.True(code == 2, output);
            Assert.Contains("another sgdwalk process", output);
            (code, output) = CliHarness.Run("resume", run.Path, "--no-report");
            Assert.True(code == 2, output);
            Assert.Contains("another sgdwalk process", output);
        }
        Assert.Equal(steps, File.ReadAllBytes(run.Steps));
        Assert.Equal(manifest, File.ReadAllBytes(run.Manifest));
    }

    [Fact]
    public void A_sweep_leaves_a_cell_another_process_is_running_alone_and_runs_the_rest()
    {
        string sweep = Directory.CreateTempSubdirectory("sgdwalk-cli-safety-").FullName;
        string[] args = ["sweep", .. Tiny, "--lr", "0.05,0.1", "--batch-size", "50", "--seeds", "1", "--out", sweep];
        string busy = Path.Combine(sweep, "lr0.05-b50-s1");
        using (RunLock.Acquire(busy))
        {
            var (code, output) = CliHarness.Run(args);
            Assert.True(code == 1, output);
            Assert.Contains("cell lr0.05-b50-s1 left alone", output);
            Assert.Contains("1 running elsewhere", output);
            Assert.False(File.Exists(Path.Combine(busy, "run.json")));
            Assert.Equal(RunStatus.Completed, RunManifest.Read(Path.Combine(sweep, "lr0.1-b50-s1", "run.json")).Status);
        }
        // Once the other process is gone, the same command finishes the sweep.
        var (again, text) = CliHarness.Run(args);
        Assert.True(again == 0, text);
        Assert.Contains("sweep done: 1 run, 1 already finished", text);
    }

    [Fact]
    public void Overwrite_that_fails_before_the_first_step_keeps_the_old_run_and_exits_1()
    {
        var run = Completed("--record", "all");
        var (code, output) = CliHarness.Run("report", run.Path);
        Assert.True(code == 0, output);
        var before = Snapshot(run.Path);

        // A data folder whose files are damaged passes the option checks and fails only when the data are loaded.
        string data = Directory.CreateTempSubdirectory("sgdwalk-cli-safety-").FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(data, name), [0, 0, 8, 3, 0, 0]);
        (code, output) = CliHarness.Run("train", "--dataset", "mnist", "--data-dir", data, "--no-report", "--out", run.Path, "--overwrite");
        Assert.True(code == 1, output);
        Assert.Contains("is back as it was", Flat(output));
        Assert.Equal(before, Snapshot(run.Path));
        Assert.Equal(RunStatus.Completed, RunManifest.Read(run.Manifest).Status);
    }

    [Fact]
    public void A_failure_the_trainer_does_not_classify_exits_1_and_marks_the_run_failed()
    {
        // This build has no CUDA: the device fails only when the run sets up (an error type no check lists).
        string path = NewFolder();
        var (code, output) = CliHarness.Run(["train", .. Tiny, "--device", "cuda", "--out", path]);
        Assert.True(code is 1 or 2, output);
        Assert.DoesNotContain("   at ", output);
        if (code == 1) Assert.Equal(RunStatus.Failed, RunManifest.Read(Path.Combine(path, "run.json")).Status);
        else Assert.False(File.Exists(Path.Combine(path, "run.json"))); // rejected with the options: nothing written
    }

    [Fact]
    public void Overwrite_replaces_the_old_report_figures_and_export_with_the_new_run()
    {
        var run = Completed("--record", "all", "--checkpoint-every", "1");
        Assert.Equal(0, CliHarness.Run("report", run.Path).ExitCode);
        Assert.Equal(0, CliHarness.Run("export", run.Path, "--step", "2").ExitCode);
        Assert.True(Directory.Exists(Path.Combine(run.Path, "export")));

        var (code, output) = CliHarness.Run(["train", .. Tiny, "--lr", "0.2", "--out", run.Path, "--overwrite"]);
        Assert.True(code == 0, output);
        Assert.False(File.Exists(Path.Combine(run.Path, "report.html")));
        Assert.False(Directory.Exists(run.Figures));
        Assert.False(Directory.Exists(Path.Combine(run.Path, "export")));
        Assert.False(Directory.Exists(run.Replaced));
        Assert.Equal(0.2, (double)RunManifest.Read(run.Manifest).Options["learning_rate"]!);
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != RunLock.FileName)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
