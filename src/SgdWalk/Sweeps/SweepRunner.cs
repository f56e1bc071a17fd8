using SgdWalk.Data;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Training;

namespace SgdWalk.Sweeps;

/// <summary>How one cell went in this invocation: skipped (already finished earlier, or <see cref="RunStatus.Running"/>
/// in another process) or the status it ended with.</summary>
public sealed record CellResult(SweepCell Cell, bool Skipped, RunStatus Status, string? Message);

/// <summary>Where a sweep stands: cells finished (or skipped) out of this shard's total, and the running cell's progress.</summary>
public sealed record SweepProgress(int Done, int Total, SweepCell? Cell, TrainingProgress? Training);

/// <summary>
/// Runs a plan into a sweep folder, one run folder per cell, resumably: a cell whose run.json says completed or
/// diverged is finished and skipped; any other cell folder (running, interrupted, failed: its process died or
/// stopped) is deleted and the cell run again from the start. A diverged or failed cell does not stop the sweep.
/// summary.csv is rewritten after every cell, each cell's files read once (<see cref="SweepSummaryCache"/>); sweep.json guards against mixing two different sweeps in one folder.
/// The cells share one <see cref="DataCache"/>, so each dataset is loaded once, not once per cell.
/// </summary>
public static class SweepRunner
{
    /// <param name="include">When given, only the cells of this shard it accepts (a `--jobs` worker runs one cell at a time).</param>
    /// <param name="cache">The process's loaded datasets (a warm worker keeps one across calls); null = one for this call.</param>
    /// <param name="summaries">What this process has read of the cells for summary.csv (a warm worker keeps it across calls); null = one for this call.</param>
    public static IReadOnlyList<CellResult> Run(SweepPlan plan, string folder, Shard shard, Action<SweepProgress>? progress = null,
        CancellationToken cancel = default, Func<SweepCell, bool>? include = null, DataCache? cache = null, SweepSummaryCache? summaries = null)
    {
        summaries ??= new SweepSummaryCache();
        using var ownCache = cache is null ? new DataCache() : null;
        cache ??= ownCache!;
        Directory.CreateDirectory(folder);
        WriteManifest(plan, folder);
        var mine = plan.CellsOf(shard).Where(c => include?.Invoke(c) ?? true).ToList();
        var results = new List<CellResult>();
        ProcessSwitches.Configure();
        foreach (var cell in mine)
        {
            if (cancel.IsCancellationRequested) break;
            string path = Path.Combine(folder, cell.Name);
            // The cell's lock is taken before its folder is judged or cleared, so two sweeps over the same folder (an
            // accidental second start, a requeued job) never delete or interleave each other's live files: a cell
            // another process is running is left to it.
            RunLock claim;
            try { claim = RunLock.Acquire(path); }
            catch (RunFolderBusyException)
            {
                results.Add(new CellResult(cell, true, RunStatus.Running, "being run by another sgdwalk process"));
                progress?.Invoke(new SweepProgress(results.Count, mine.Count, null, null));
                continue;
            }
            CellResult result;
            using (claim)
            {
                if (IsFinished(path))
                {
                    results.Add(new CellResult(cell, true, RunManifest.Read(new RunFolder(path).Manifest).Status, null));
                    progress?.Invoke(new SweepProgress(results.Count, mine.Count, null, null));
                    continue;
                }
                // Whatever an earlier attempt left is discarded: a cell's files always come from one uninterrupted run.
                foreach (var entry in Directory.EnumerateFileSystemEntries(path).Where(e => Path.GetFileName(e) != RunLock.FileName).ToList())
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                }
                var runFolder = claim.Folder;
                runFolder.CheckWritable();
                progress?.Invoke(new SweepProgress(results.Count, mine.Count, cell, null));
                try
                {
                    var run = Trainer.Run(cell.Options, runFolder, p => progress?.Invoke(new SweepProgress(results.Count, mine.Count, cell, p)), cancel, cache);
                    result = new CellResult(cell, false, run.Status, run.Message);
                }
                catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or IOException
                    or System.Runtime.InteropServices.ExternalException or InvalidOperationException)
                {
                    // One cell's failure, libtorch's own errors included, fails that cell; the sweep goes on.
                    result = new CellResult(cell, false, RunStatus.Failed, TorchScriptRuntime.Reason(e));
                }
            }
            results.Add(result);
            SweepSummary.Write(folder, summaries);
            progress?.Invoke(new SweepProgress(results.Count, mine.Count, null, null));
            if (result.Status == RunStatus.Interrupted) break;
        }
        return results;
    }

    /// <summary>A cell is finished when its run.json says completed or diverged (rerunning would diverge again).</summary>
    public static bool IsFinished(string cellFolder)
    {
        var folder = new RunFolder(cellFolder);
        if (!File.Exists(folder.Manifest)) return false;
        try
        {
            return RunManifest.Read(folder.Manifest).Status is RunStatus.Completed or RunStatus.Diverged;
        }
        catch (InvalidDataException)
        {
            return false; // a torn or foreign run.json: redo the cell
        }
    }

    /// <summary>Writes sweep.json, or checks that the one already there describes this same sweep.</summary>
    public static void WriteManifest(SweepPlan plan, string folder)
    {
        var manifest = plan.ToManifest();
        string path = Path.Combine(folder, SweepManifest.FileName);
        if (File.Exists(path) && File.ReadAllText(path) != manifest.ToJson())
            throw new IOException($"{path}: describes a different sweep (other grid or options); choose another --out, or delete that folder to start over");
        if (!File.Exists(path)) manifest.Write(path);
    }
}
