using System.Globalization;

namespace SgdWalk.Checkpoints;

/// <summary>
/// The checkpoints/ folder of a run: files named step-000000123.ckpt (θ and training state after 123 steps), the
/// newest <see cref="Keep"/> kept. final.dat (TorchSharp's Module.save format) lives beside them and is not rotated.
/// </summary>
public sealed class CheckpointStore(string folder, int keep = CheckpointStore.DefaultKeep)
{
    public const int DefaultKeep = 3;
    private const string Prefix = "step-";
    private const string Extension = ".ckpt";

    public string Folder { get; } = folder;

    public int Keep { get; } = keep;

    public string PathOf(int step) => Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{step:D9}{Extension}"));

    /// <summary>The steps that have a checkpoint, ascending.</summary>
    public IReadOnlyList<int> Steps()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, Prefix + "*" + Extension)
            .Select(f => Path.GetFileNameWithoutExtension(f)[Prefix.Length..])
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int step) ? step : -1)
            .Where(s => s >= 0).Order().ToArray();
    }

    /// <summary>The newest checkpoint's path, or null when none was written yet.</summary>
    public string? Latest() => Steps() is { Count: > 0 } steps ? PathOf(steps[^1]) : null;

    /// <summary>
    /// The newest checkpoint that reads back whole (checksum and structure), and a line for each newer one that does
    /// not; null when none is intact. The caller owns (disposes) the checkpoint.
    /// </summary>
    public (CheckpointFile? Checkpoint, string? Path, IReadOnlyList<string> Damaged) ReadNewestIntact()
    {
        var damaged = new List<string>();
        foreach (int step in Steps().Reverse())
        {
            string path = PathOf(step);
            try { return (CheckpointFile.Read(path), path, damaged); }
            catch (Exception e) when (e is InvalidDataException or IOException) { damaged.Add(e.Message); }
        }
        return (null, null, damaged);
    }

    /// <summary>Writes the checkpoint atomically, then deletes all but the newest <see cref="Keep"/>.</summary>
    public void Save(CheckpointFile checkpoint)
    {
        Directory.CreateDirectory(Folder);
        checkpoint.Write(PathOf(checkpoint.Header.Step));
        // Only after the new file is safely in place may an old one go.
        foreach (int old in Steps().SkipLast(Keep)) File.Delete(PathOf(old));
    }

    /// <summary>Removes checkpoints newer than <paramref name="step"/> (left by a run that diverged or was cut short after them).</summary>
    public void DropAfter(int step)
    {
        foreach (int newer in Steps().Where(s => s > step)) File.Delete(PathOf(newer));
    }
}
