using SgdWalk.Checkpoints;
using SgdWalk.Records;
using Xunit.Abstractions;

namespace SgdWalk.Cli.Tests;

/// <summary>The uninterrupted run every interrupted one must reproduce, trained once per test class.</summary>
public sealed class ReferenceRun : IDisposable
{
    // Momentum, augmentation and a cosine schedule put every kind of state into the checkpoints; 2 epochs of 40 steps.
    // Checkpoints at 0, 25, 40 (epoch end), 50, 75 and 80: the CSV buffers (4 KB, about 20 rows) fill between them, so a
    // kill usually leaves rows past the checkpoint that the resume must cut off.
    public static readonly string[] Arguments =
    [
        "train", "--dataset", "synthetic", "--hidden", "32,16", "--batch-size", "50", "--epochs", "3", "--probe-size", "200",
        "--record", "every:3", "--momentum", "0.9", "--augment", "true", "--schedule", "cosine", "--threads", "1",
        "--checkpoint-every", "25", "--keep-checkpoints", "2", "--no-report",
    ];

    public ReferenceRun()
    {
        Root = Directory.CreateTempSubdirectory("sgdwalk-resume-").FullName;
        Folder = new RunFolder(Path.Combine(Root, "reference"));
        var (code, output) = ChildCli.Run([.. Arguments, "--out", Folder.Path]);
        Assert.True(code == 0, output);
    }

    public string Root { get; }

    public RunFolder Folder { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// A run killed with SIGKILL at chosen steps, or stopped with SIGINT / SIGTERM, and resumed, ends with files identical
/// to an uninterrupted run: steps.csv and profiles.csv byte for byte, epochs.csv in every column but the wall clock, and
/// the final parameters (final.dat) byte for byte. The child waits at the chosen step (the test-only pause) until the
/// test has signalled it, so where the fault lands does not depend on the machine's speed.
/// </summary>
public class KillAndResumeTests(ReferenceRun reference, ITestOutputHelper log) : IClassFixture<ReferenceRun>
{
    /// <summary>Kill points: the child is paused before each listed step and killed there; several steps kill the
    /// resumed runs again (a crash during the resume). The last two columns say whether a kill leaves bytes in
    /// steps.csv / profiles.csv past the lengths the newest checkpoint recorded, which the resume must cut off: the CSV
    /// writers reach the disk in 4 KB blocks, which 22 profile rows per recorded step fill within a few recorded steps
    /// and steps.csv rows (about 240 bytes) after about 20 steps. The steps are fixed, so these are facts, not luck.</summary>
    public static TheoryData<string, int[], bool, bool> KillPoints => new()
    {
        { "before the first interval's checkpoint", [5], false, false },
        { "right after a mid-epoch checkpoint", [25], false, false },
        { "at an epoch boundary", [40], false, false },
        { "late in the second epoch", [70], false, true },
        { "late in an interval, both files past the checkpoint", [74], true, true },
        { "twice: killed, resumed, killed again", [20, 60], false, true },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public void A_run_killed_with_SIGKILL_and_resumed_equals_the_uninterrupted_run(string when, int[] steps, bool stepsPastCheckpoint, bool profilesPastCheckpoint)
    {
        var folder = new RunFolder(Path.Combine(reference.Root, "kill-" + Guid.NewGuid().ToString("N")));
        bool stepsCut = false, profilesCut = false;
        foreach (int step in steps)
        {
            using var child = step == steps[0]
                ? ChildCli.Start(step, [.. ReferenceRun.Arguments, "--out", folder.Path])
                : ChildCli.Start(step, "resume", folder.Path, "--no-report");
            Assert.True(child.WaitForPause(step), $"{when}: the run ended before step {step}: {child.Output}");
            child.Signal(ChildCli.SigKill);
            Assert.Equal(128 + ChildCli.SigKill, child.WaitForExit());
            Assert.Equal(RunStatus.Running, RunManifest.Read(folder.Manifest).Status); // a killed run cannot say more
            var (newest, stepsPast, profilesPast) = BytesPastNewestCheckpoint(folder);
            stepsCut |= stepsPast > 0;
            profilesCut |= profilesPast > 0;
            log.WriteLine($"{when}: killed at step {step}: newest checkpoint at step {newest}; past it: {stepsPast} bytes of steps.csv, {profilesPast} of profiles.csv");
        }
        Assert.Equal((stepsPastCheckpoint, profilesPastCheckpoint), (stepsCut, profilesCut));

        var (code, output) = ChildCli.Run("resume", folder.Path, "--no-report");
        Assert.True(code == 0, output);
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal(steps.Length, manifest.Counts["resumes"]);
        log.WriteLine($"{when}: resumed from step {manifest.Counts["resumed_from_step"]}");
        AssertSameRun(reference.Folder, folder);
    }

    [Theory]
    [InlineData(ChildCli.SigInt, 30)]
    [InlineData(ChildCli.SigTerm, 30)]
    [InlineData(ChildCli.SigTerm, 50)] // just after the mid-epoch checkpoint at 50: the stop writes its own at 50 again
    public void SIGINT_and_SIGTERM_stop_at_a_step_with_a_checkpoint_and_the_resumed_run_is_identical(int signal, int step)
    {
        var folder = new RunFolder(Path.Combine(reference.Root, $"signal-{signal}-" + Guid.NewGuid().ToString("N")));
        using (var child = ChildCli.Start(step, [.. ReferenceRun.Arguments, "--out", folder.Path]))
        {
            Assert.True(child.WaitForPause(step), child.Output);
            child.Signal(signal); // the stop request itself ends the pause
            Assert.True(child.WaitForExit() == 130, child.Output);
            Assert.Contains("interrupted", child.Output);
        }
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Interrupted, manifest.Status);
        // The stop is clean and exactly where the signal landed: every started step finished, its row is written, and
        // a checkpoint marks the spot.
        Assert.Equal($"interrupted at step {step}; `sgdwalk resume` continues it", manifest.Message);
        Assert.Equal(step, CsvTable.Read(folder.Steps).Rows.Count);
        Assert.True(File.Exists(Path.Combine(folder.Checkpoints, $"step-{step:D9}.ckpt")), manifest.Message);

        var (code, output) = ChildCli.Run("resume", folder.Path, "--no-report");
        Assert.True(code == 0, output);
        AssertSameRun(reference.Folder, folder);
    }

    [Fact]
    public void A_released_pause_changes_nothing_and_the_run_completes()
    {
        var folder = new RunFolder(Path.Combine(reference.Root, "released-" + Guid.NewGuid().ToString("N")));
        using var child = ChildCli.Start(33, [.. ReferenceRun.Arguments, "--out", folder.Path]);
        Assert.True(child.WaitForPause(33), child.Output);
        Assert.False(child.HasExited);
        child.Release();
        Assert.True(child.WaitForExit() == 0, child.Output);
        AssertSameRun(reference.Folder, folder);
    }

    [Fact]
    public void A_malformed_pause_step_is_an_error_naming_the_variable()
    {
        using var child = ChildCli.StartWithPauseValue("soon", [.. ReferenceRun.Arguments, "--out", Path.Combine(reference.Root,
            "malformed-" + Guid.NewGuid().ToString("N"))]);
        Assert.Equal(1, child.WaitForExit());
        Assert.Contains(ChildCli.PauseVariable, child.Output);
        Assert.Contains("'soon'", child.Output);
        Assert.DoesNotContain("   at ", child.Output);
    }

    /// <summary>How far steps.csv and profiles.csv reach past the lengths recorded by the newest checkpoint.</summary>
    private static (int Step, long Steps, long Profiles) BytesPastNewestCheckpoint(RunFolder folder)
    {
        string newest = Directory.GetFiles(folder.Checkpoints, "step-*.ckpt").Order(StringComparer.Ordinal).Last();
        using var checkpoint = CheckpointFile.Read(newest);
        var lengths = checkpoint.Header.CsvLengths;
        return (checkpoint.Header.Step, new FileInfo(folder.Steps).Length - lengths["steps"], new FileInfo(folder.Profiles).Length - lengths["profiles"]);
    }

    internal static void AssertSameRun(RunFolder expected, RunFolder actual)
    {
        Assert.Equal(File.ReadAllBytes(expected.Steps), File.ReadAllBytes(actual.Steps));
        Assert.Equal(File.ReadAllBytes(expected.Profiles), File.ReadAllBytes(actual.Profiles));
        // wall_s is seconds of this machine's clock (cumulative across resumes); every other column must match exactly.
        var (a, b) = (CsvTable.Read(expected.Epochs), CsvTable.Read(actual.Epochs));
        Assert.Equal(a.Columns, b.Columns);
        Assert.Equal(a.Rows.Count, b.Rows.Count);
        foreach (var column in a.Columns.Where(c => c != "wall_s"))
            for (int r = 0; r < a.Rows.Count; r++) Assert.Equal(a.Text(r, column), b.Text(r, column));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected.Checkpoints, "final.dat")), File.ReadAllBytes(Path.Combine(actual.Checkpoints, "final.dat")));
    }
}
