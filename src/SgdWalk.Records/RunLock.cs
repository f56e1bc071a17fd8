namespace SgdWalk.Records;

/// <summary>
/// An exclusive claim on a run folder for as long as one process trains, resumes or replaces the run in it: an
/// advisory lock (flock) on the folder's <c>.lock</c> file, which the kernel drops when the process ends however it
/// ends, so a killed run never leaves a stale claim. Two processes can therefore never write one run folder at once.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream file;

    private RunLock(RunFolder folder, FileStream file)
    {
        Folder = folder;
        this.file = file;
    }

    public RunFolder Folder { get; }

    /// <summary>Creates the folder if needed and takes its lock without waiting.</summary>
    /// <exception cref="RunFolderBusyException">Another process holds the lock.</exception>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    public static RunLock Acquire(string path)
    {
        var folder = new RunFolder(path);
        if (File.Exists(folder.Path)) throw new IOException($"{folder.Path}: is a file, not a run folder");
        string lockPath = System.IO.Path.Combine(folder.Path, FileName);
        try
        {
            Directory.CreateDirectory(folder.Path);
            // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB) on the file; a holder elsewhere makes it fail at once.
            return new RunLock(folder, new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (File.Exists(lockPath) && e is not FileNotFoundException and not DirectoryNotFoundException && IsHeld(lockPath))
        {
            throw new RunFolderBusyException(folder.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{folder.Path}: cannot write the run folder here ({e.Message})");
        }
    }

    /// <summary>True while another process holds the folder's lock (a live run); this very probe takes the lock
    /// for an instant only when nobody holds it.</summary>
    public static bool IsHeld(string lockPath)
    {
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
        catch (IOException) { return true; }
    }

    public void Dispose() => file.Dispose();
}

/// <summary>Another process (a run in progress) holds the run folder's lock.</summary>
public sealed class RunFolderBusyException(string folder)
    : IOException($"{folder}: another sgdwalk process is using this run folder (a run in progress); wait for it to end or choose another --out");
