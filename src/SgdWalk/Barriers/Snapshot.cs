using SgdWalk.Records;

namespace SgdWalk.Barriers;

/// <summary>
/// A saved parameter snapshot and the run it belongs to. Written as <c>RUN</c> or <c>RUN:final</c> (the final
/// parameters), <c>RUN:initial</c> (θ_0), or the path of any <c>.dat</c> file or step checkpoint (<c>.ckpt</c>) in a
/// run's checkpoints folder.
/// </summary>
public sealed record Snapshot(RunFolder Run, string File, string Label)
{
    public static Snapshot Parse(string text)
    {
        if (text.EndsWith(".dat", StringComparison.Ordinal) || text.EndsWith(".ckpt", StringComparison.Ordinal))
        {
            var file = new FileInfo(text);
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such snapshot file");
            if (file.Directory?.Name != "checkpoints" || file.Directory.Parent is null)
                throw new ArgumentException($"{file.FullName}: a snapshot file must lie in a run's checkpoints folder (its run.json says which model it is)");
            return new Snapshot(new RunFolder(file.Directory.Parent.FullName), file.FullName, Path.GetFileNameWithoutExtension(file.Name));
        }
        int colon = text.LastIndexOf(':');
        string which = colon > 0 && text[(colon + 1)..] is "initial" or "final" ? text[(colon + 1)..] : "final";
        string folder = colon > 0 && text[(colon + 1)..] is "initial" or "final" ? text[..colon] : text;
        var run = new RunFolder(folder);
        if (!System.IO.File.Exists(run.Manifest))
            throw new DirectoryNotFoundException($"{run.Path}: not a run folder (no run.json)");
        string path = Path.Combine(run.Checkpoints, which + ".dat");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: the run has no {which} snapshot");
        return new Snapshot(run, path, $"{Path.GetFileName(run.Path)}:{which}");
    }
}
