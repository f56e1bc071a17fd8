namespace SgdWalk.Records.Tests;

/// <summary>
/// summary.csv written after every cell through a <see cref="SweepSummaryCache"/> (each cell's files read once) is the
/// file a fresh read of every cell gives, byte for byte, as cells finish, fail, are redone and change the plan-wide
/// columns; and a cell whose files have not changed is not read again.
/// </summary>
public class SweepSummaryCacheTests
{
    private readonly string sweep = Directory.CreateTempSubdirectory("sgdwalk-summary-").FullName;

    [Fact]
    public void The_cached_summary_equals_a_fresh_one_after_every_cell()
    {
        var cache = new SweepSummaryCache();
        void AssertSameAsFresh()
        {
            byte[] cached = File.ReadAllBytes(SweepSummary.Write(sweep, cache));
            Assert.Equal(File.ReadAllBytes(SweepSummary.Write(sweep)), cached);
        }

        Cell("lr0.1-b10-s1", RunStatus.Completed, 0.1, 10, steps: 4, epochs: 1);
        AssertSameAsFresh();
        // Another shard's cell still running: listed without numbers, then finished with two epochs (a new column) and
        // fewer steps (equal_steps moves for every row) and the same ratio as the first (a ratio group appears).
        Cell("lr0.2-b20-s1", RunStatus.Running, 0.2, 20, steps: 2, epochs: 0);
        AssertSameAsFresh();
        Cell("lr0.2-b20-s1", RunStatus.Completed, 0.2, 20, steps: 3, epochs: 2);
        AssertSameAsFresh();
        // A failed cell, then the same cell redone from the start after a resume.
        Cell("lr0.3-b10-s1", RunStatus.Failed, 0.3, 10, steps: 1, epochs: 0);
        AssertSameAsFresh();
        Cell("lr0.3-b10-s1", RunStatus.Completed, 0.3, 10, steps: 5, epochs: 1);
        AssertSameAsFresh();
        // A cell whose steps.csv is torn is listed as damaged, and again with numbers once it is whole.
        Cell("lr0.4-b10-s1", RunStatus.Completed, 0.4, 10, steps: 4, epochs: 1);
        File.WriteAllText(new RunFolder(Path.Combine(sweep, "lr0.4-b10-s1")).Steps, "step,epoch,dist_init\n0,1,0.5,7\n");
        AssertSameAsFresh();
        Assert.Contains("lr0.4-b10-s1,damaged", File.ReadAllText(Path.Combine(sweep, SweepSummary.FileName)));
        Cell("lr0.4-b10-s1", RunStatus.Completed, 0.4, 10, steps: 4, epochs: 1);
        AssertSameAsFresh();
    }

    [Fact]
    public void A_cell_whose_files_have_not_changed_is_not_read_again()
    {
        var cache = new SweepSummaryCache();
        Cell("lr0.1-b10-s1", RunStatus.Completed, 0.1, 10, steps: 3, epochs: 1);
        SweepSummary.Write(sweep, cache);

        // Same length and write time, other numbers: the cache keeps what it read; a fresh read sees the edit.
        string steps = new RunFolder(Path.Combine(sweep, "lr0.1-b10-s1")).Steps;
        var written = File.GetLastWriteTimeUtc(steps);
        string text = File.ReadAllText(steps);
        File.WriteAllText(steps, text.Replace("0.25", "0.75", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(steps, written);
        Assert.Equal("0.25", FinalDistance(SweepSummary.Compute(sweep, cache)));
        Assert.Equal("0.75", FinalDistance(SweepSummary.Compute(sweep)));

        // Once the file changes length it is read again.
        File.WriteAllText(steps, text.Replace("0.25", "0.875", StringComparison.Ordinal));
        Assert.Equal("0.875", FinalDistance(SweepSummary.Compute(sweep, cache)));
    }

    private static string FinalDistance((IReadOnlyList<string> Columns, IReadOnlyList<RowValues> Rows) summary) =>
        summary.Rows.Single().Cells["final_dist_init"];

    /// <summary>A cell folder as a run leaves it: run.json, steps.csv with dist_init = 0.25·(step + 1) for the last step, epochs.csv.</summary>
    private void Cell(string name, RunStatus status, double learningRate, int batchSize, int steps, int epochs)
    {
        var folder = new RunFolder(Path.Combine(sweep, name));
        if (Directory.Exists(folder.Path)) Directory.Delete(folder.Path, recursive: true);
        Directory.CreateDirectory(folder.Path);
        var manifest = new RunManifest { Status = status, Seed = 1 };
        manifest.Options["learning_rate"] = learningRate;
        manifest.Options["batch_size"] = batchSize;
        manifest.TimingsSeconds["total_s"] = steps * 1.5;
        manifest.Write(folder.Manifest);
        int perEpoch = Math.Max(1, (steps + Math.Max(1, epochs) - 1) / Math.Max(1, epochs));
        File.WriteAllLines(folder.Steps, ["step,epoch,dist_init,train_loss", .. Enumerable.Range(0, steps).Select(s =>
            FormattableString.Invariant($"{s},{s / perEpoch + 1},{(s == steps - 1 ? 0.25 : 0.125 * s)},{2.0 / (s + 1)}"))]);
        if (epochs > 0)
            File.WriteAllLines(folder.Epochs, ["epoch,step,test_acc,train_acc", .. Enumerable.Range(1, epochs).Select(e =>
                FormattableString.Invariant($"{e},{Math.Min(steps, e * perEpoch)},{0.5 + 0.1 * e},{0.6 + 0.1 * e}"))]);
    }
}
