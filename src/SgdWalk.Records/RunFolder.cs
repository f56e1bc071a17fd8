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
    /// is set, and the check happens before any work, so a mistake costs nothing. Also proves the folder is writable.
    /// </summary>
    public static RunFolder Prepare(string path, bool overwrite)
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
        }
        Directory.CreateDirectory(folder.Path);
        string probe = System.IO.Path.Combine(folder.Path, ".write-test");
        try
        {
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{folder.Path}: cannot write here ({e.Message})");
        }
        return folder;
    }
}
