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
/// A run killed with SIGKILL at arbitrary moments, or stopped with SIGINT / SIGTERM, and resumed, ends with files
/// identical to an uninterrupted run: steps.csv and profiles.csv byte for byte, epochs.csv in every column but the
/// wall clock, and the final parameters (final.dat) byte for byte.
/// </summary>
public class KillAndResumeTests(ReferenceRun reference, ITestOutputHelper log) : IClassFixture<ReferenceRun>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Kill points: the child is killed once steps.csv shows this many lines, plus a delay, for each entry.
    /// The last case kills the same run twice (a crash during the resumed run).</summary>
    public static TheoryData<string, int[], int[]> KillPoints => new()
    {
        { "before the first interval's checkpoint", [5], [0] },
        { "after the first checkpoint, after a delay", [30], [80] },
        { "second epoch", [50], [30] },
        { "late in the second epoch", [70], [0] },
        { "twice: killed, resumed, killed again", [20, 60], [40, 0] },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public void A_run_killed_with_SIGKILL_and_resumed_equals_the_uninterrupted_run(string when, int[] lines, int[] delaysMs)
    {
        var folder = new RunFolder(Path.Combine(reference.Root, "kill-" + Guid.NewGuid().ToString("N")));
        for (int k = 0; k < lines.Length; k++)
        {
            using var child = k == 0 ? ChildCli.Start([.. ReferenceRun.Arguments, "--out", folder.Path]) : ChildCli.Start("resume", folder.Path, "--no-report");
            Assert.True(child.WaitForLines(folder.Steps, lines[k], Patience), $"{when}: the run ended before the kill point: {child.Output}");
            Thread.Sleep(delaysMs[k]);
            Assert.False(child.HasExited, $"{when}: the run ended before the kill");
            child.Signal(ChildCli.SigKill);
            Assert.Equal(128 + ChildCli.SigKill, child.WaitForExit(Patience));
            Assert.Equal(RunStatus.Running, RunManifest.Read(folder.Manifest).Status); // a killed run cannot say more
            log.WriteLine($"{when}: kill {k + 1} left {ChildCli.CountLines(folder.Steps) - 1} rows in steps.csv, checkpoints {string.Join(",", Directory.Exists(folder.Checkpoints) ? Directory.GetFiles(folder.Checkpoints, "*.ckpt").Select(Path.GetFileName) : [])}");
        }

        var (code, output) = ChildCli.Run("resume", folder.Path, "--no-report");
        Assert.True(code == 0, output);
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Completed, manifest.Status);
        Assert.Equal(lines.Length, manifest.Counts["resumes"]);
        log.WriteLine($"{when}: resumed from step {manifest.Counts["resumed_from_step"]}");
        AssertSameRun(reference.Folder, folder);
    }

    [Theory]
    [InlineData(ChildCli.SigInt)]
    [InlineData(ChildCli.SigTerm)]
    public void SIGINT_and_SIGTERM_stop_at_a_step_with_a_checkpoint_and_the_resumed_run_is_identical(int signal)
    {
        var folder = new RunFolder(Path.Combine(reference.Root, $"signal-{signal}-" + Guid.NewGuid().ToString("N")));
        using (var child = ChildCli.Start([.. ReferenceRun.Arguments, "--out", folder.Path]))
        {
            Assert.True(child.WaitForLines(folder.Steps, 30, Patience), child.Output);
            Thread.Sleep(150); // lines appear at checkpoints; the pause lets the signal land between two of them
            child.Signal(signal);
            Assert.True(child.WaitForExit(Patience) == 130, child.Output);
            Assert.Contains("interrupted", child.Output);
        }
        var manifest = RunManifest.Read(folder.Manifest);
        Assert.Equal(RunStatus.Interrupted, manifest.Status);
        int stoppedAt = int.Parse(manifest.Message!.Split(' ')[3].TrimEnd(';'), System.Globalization.CultureInfo.InvariantCulture);
        // The stop is clean: every started step finished, its row is written, and a checkpoint marks the spot.
        Assert.Equal(stoppedAt, CsvTable.Read(folder.Steps).Rows.Count);
        Assert.True(File.Exists(Path.Combine(folder.Checkpoints, $"step-{stoppedAt:D9}.ckpt")), manifest.Message);
        log.WriteLine($"signal {signal}: stopped at step {stoppedAt}");

        var (code, output) = ChildCli.Run("resume", folder.Path, "--no-report");
        Assert.True(code == 0, output);
        AssertSameRun(reference.Folder, folder);
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
