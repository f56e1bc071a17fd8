namespace SgdWalk.Records;

/// <summary>The file names of a run folder: the contract between running and reporting.</summary>
public sealed class RunFolder
{
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }

    public string Manifest => Combine("run.json");

    public string Steps => Combine("steps.csv");

    public string Profiles => Combine("profiles.csv");

    public string Epochs => Combine("epochs.csv");

    /// <summary>Resident memory after recorded steps and evaluations (machine-dependent, so not in steps.csv).</summary>
    public string Memory => Combine("memory.csv");

    public string Figures => Combine("figures");

    public string Checkpoints => Combine("checkpoints");

    public bool HasRun => File.Exists(Manifest) || File.Exists(Steps);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Where <c>--overwrite</c> keeps the run it replaces until the new run has started (see <see cref="Claim"/>).</summary>
    public string Replaced => Combine(".replaced");

    /// <summary>What a run writes into its folder: the entries <c>--overwrite</c> replaces. Anything else in the folder
    /// (a user's own notes) is left alone.</summary>
    private static readonly string[] Artefacts =
        ["run.json", "run.json.tmp", "steps.csv", "profiles.csv", "epochs.csv", "memory.csv", "checkpoints", "figures", "events", "export",
         "report.html", "summary.md"];

    private IEnumerable<string> ArtefactsPresent() =>
        Directory.EnumerateFileSystemEntries(Path).Where(e =>
        {
            string name = System.IO.Path.GetFileName(e);
            return Artefacts.Contains(name) || (name.StartsWith("barrier-", StringComparison.Ordinal) && name.EndsWith(".csv", StringComparison.Ordinal));
        });

    /// <summary>
    /// Makes the folder ready for a new run and returns it (the claim is released again; the CLI keeps it with
    /// <see cref="Claim"/>). An existing run is never replaced unless <paramref name="overwrite"/> is set.
    /// </summary>
    public static RunFolder Prepare(string path, bool overwrite, long requiredBytes = 0)
    {
        using var claim = Claim(path, overwrite, requiredBytes);
        return claim.Folder;
    }

    /// <summary>
    /// Takes the folder's lock for a new run and checks, under the lock, that the folder is empty or (with
    /// <paramref name="overwrite"/>) holds a run. The old run is not deleted here: its files are moved aside into
    /// <see cref="Replaced"/>, deleted by <see cref="DeleteReplacedRun"/> once the new run has completed its first
    /// step, and moved back by <see cref="RestoreReplacedRun"/> when it fails before that. Also proves the folder
    /// is writable and, when <paramref name="requiredBytes"/> is given, that its disk has that much free space.
    /// </summary>
    /// <exception cref="IOException">The folder is taken, in use, not a run, or not writable (one line saying which).</exception>
    public static RunLock Claim(string path, bool overwrite, long requiredBytes = 0)
    {
        var claim = RunLock.Acquire(path);
        try
        {
            var folder = claim.Folder;
            var others = Directory.EnumerateFileSystemEntries(folder.Path)
                .Where(e => System.IO.Path.GetFileName(e) is not (RunLock.FileName or ".replaced")).ToList();
            if (others.Count > 0)
            {
                if (!overwrite)
                    throw new IOException($"{folder.Path}: already exists and is not empty; choose another --out or pass --overwrite");
                if (!folder.HasRun)
                    throw new IOException($"{folder.Path}: is not empty and holds no run (no run.json); --overwrite replaces only a run folder");
                // A replaced run left by a process killed mid-replacement was already given up by its own --overwrite.
                if (Directory.Exists(folder.Replaced)) Directory.Delete(folder.Replaced, recursive: true);
                Directory.CreateDirectory(folder.Replaced);
                foreach (var entry in folder.ArtefactsPresent().ToList())
                    MoveEntry(entry, System.IO.Path.Combine(folder.Replaced, System.IO.Path.GetFileName(entry)));
            }
            folder.CheckWritable(requiredBytes);
            return claim;
        }
        catch
        {
            claim.Dispose();
            throw;
        }
    }

    /// <summary>The new run has completed a step: the run it replaced (if any) is deleted now. A no-op for every other run.</summary>
    public void DeleteReplacedRun()
    {
        if (Directory.Exists(Replaced)) Directory.Delete(Replaced, recursive: true);
    }

    /// <summary>The new run failed before it started: its files go and the run it replaced comes back as it was.
    /// False when there was nothing to restore.</summary>
    public bool RestoreReplacedRun()
    {
        if (!Directory.Exists(Replaced)) return false;
        foreach (var entry in ArtefactsPresent().ToList())
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(Replaced).ToList())
            MoveEntry(entry, Combine(System.IO.Path.GetFileName(entry)));
        Directory.Delete(Replaced);
        return true;
    }

    private static void MoveEntry(string from, string to)
    {
        if (Directory.Exists(from)) Directory.Move(from, to);
        else File.Move(from, to);
    }

    /// <summary>
    /// Creates the folder if needed and proves a file can be written there and that the disk has
    /// <paramref name="requiredBytes"/> free; otherwise one <see cref="IOException"/> saying so, before any work.
    /// </summary>
    public void CheckWritable(long requiredBytes = 0)
    {
        string probe = System.IO.Path.Combine(Path, ".write-test");
        try
        {
            Directory.CreateDirectory(Path);
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{Path}: cannot write the run folder here ({e.Message})");
        }
        if (requiredBytes <= 0) return;
        long free = new DriveInfo(Path).AvailableFreeSpace;
        if (free < requiredBytes)
            throw new IOException($"{Path}: the disk has {Megabytes(free)} free, the run needs about {Megabytes(requiredBytes)} (checkpoints and " +
                $"CSV files); free space or choose another --out");
    }

    private static string Megabytes(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB");
}
