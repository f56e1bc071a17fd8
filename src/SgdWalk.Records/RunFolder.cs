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

    public string Figures => Combine("figures");

    public string Checkpoints => Combine("checkpoints");

    public bool HasRun => File.Exists(Manifest) || File.Exists(Steps);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Makes the folder ready for a new run. An existing run is never replaced unless <paramref name="overwrite"/>
    /// is set, and the check happens before any work, so a mistake costs nothing. Also proves the folder is writable
    /// and, when <paramref name="requiredBytes"/> is given, that its disk has that much free space.
    /// </summary>
    public static RunFolder Prepare(string path, bool overwrite, long requiredBytes = 0)
    {
        var folder = new RunFolder(path);
        if (File.Exists(folder.Path))
            throw new IOException($"{folder.Path}: is a file, not a run folder");
        if (Directory.Exists(folder.Path) && Directory.EnumerateFileSystemEntries(folder.Path).Any())
        {
            if (!overwrite)
                throw new IOException($"{folder.Path}: already exists and is not empty; choose another --out or pass --overwrite");
            foreach (var name in new[] { "run.json", "steps.csv", "profiles.csv", "epochs.csv" })
                File.Delete(System.IO.Path.Combine(folder.Path, name));
            if (Directory.Exists(folder.Checkpoints)) Directory.Delete(folder.Checkpoints, recursive: true);
        }
        folder.CheckWritable(requiredBytes);
        return folder;
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
            throw new IOException($"{Path}: the disk has {Megabytes(free)} free, the run needs about {Megabytes(requiredBytes)} (checkpoints and CSV files); free space or choose another --out");
    }

    private static string Megabytes(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB");
}
