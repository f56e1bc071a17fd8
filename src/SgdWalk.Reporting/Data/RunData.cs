using System.Text.Json.Nodes;
using SgdWalk.Records;

namespace SgdWalk.Reporting.Data;

/// <summary>One segment profile: the loss at θ_t + α·u_t for the sampled α, on one data view.</summary>
internal sealed record Profile(int Step, string View, double[] Alpha, double[] Loss);

/// <summary>Everything a report reads from one run folder, validated on load.</summary>
internal sealed class RunData
{
    private readonly Dictionary<(int Step, string View), Profile> profiles;

    private RunData(RunFolder folder, RunManifest manifest, DataFile steps, DataFile? profileFile, DataFile? epochs)
    {
        Folder = folder;
        Manifest = manifest;
        Steps = steps;
        ProfileFile = profileFile;
        Epochs = epochs;
        profiles = profileFile is null ? [] : GroupProfiles(profileFile);
        Views = steps.Table.Columns.Select(c => Columns.ViewOf(c, Columns.Interior)).OfType<string>().ToList();
        MainView = Views.Contains(Columns.ProbeView) ? Columns.ProbeView : Views.FirstOrDefault() ?? Columns.ProbeView;
    }

    public RunFolder Folder { get; }

    public string Name => System.IO.Path.GetFileName(Folder.Path);

    public RunManifest Manifest { get; }

    public DataFile Steps { get; }

    public DataFile? ProfileFile { get; }

    public DataFile? Epochs { get; }

    /// <summary>Data views measured along each step (batch, probe, ...), in file order.</summary>
    public IReadOnlyList<string> Views { get; }

    /// <summary>The view the paper's figures use: the fixed probe subset when measured.</summary>
    public string MainView { get; }

    public double LearningRate => Option("learning_rate");

    public double BatchSize => Option("batch_size");

    public double Option(string name) =>
        Manifest.Options[name] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;

    public Profile? ProfileOf(int step, string view) => profiles.GetValueOrDefault((step, view));

    /// <summary>Every view that has profiles in profiles.csv (batch, probe, floor-k1, ...).</summary>
    public IReadOnlyList<string> ProfileViews() => profiles.Keys.Select(k => k.View).Distinct().Order().ToList();

    public int[] ProfiledSteps(string view) =>
        profiles.Keys.Where(k => k.View == view).Select(k => k.Step).Order().ToArray();

    public static bool IsRunFolder(string path) => File.Exists(new RunFolder(path).Manifest);

    public static RunData Load(string path)
    {
        var folder = new RunFolder(path);
        if (!Directory.Exists(folder.Path)) throw new DirectoryNotFoundException($"{folder.Path}: no such folder");
        if (!File.Exists(folder.Manifest))
            throw new InvalidDataException($"{folder.Path}: not a run folder (no run.json)");
        var manifest = RunManifest.Read(folder.Manifest);
        var steps = DataFile.Read(folder.Steps, [Columns.Step, Columns.Epoch]);
        // Profiles and epochs are optional: a run may stop before its first evaluation; figures needing them are left out.
        var profileFile = File.Exists(folder.Profiles)
            ? DataFile.Read(folder.Profiles, [Columns.Step, Columns.View, Columns.Alpha, Columns.Loss], [Columns.View]) : null;
        var epochs = File.Exists(folder.Epochs) ? DataFile.Read(folder.Epochs, [Columns.Epoch]) : null;
        return new RunData(folder, manifest, steps, profileFile, epochs);
    }

    private static Dictionary<(int, string), Profile> GroupProfiles(DataFile file)
    {
        double[] step = file.Numbers(Columns.Step), alpha = file.Numbers(Columns.Alpha), loss = file.Numbers(Columns.Loss);
        string[] view = file.Texts(Columns.View);
        return Enumerable.Range(0, file.Count)
            .GroupBy(r => ((int)step[r], view[r]))
            .ToDictionary(
                g => g.Key,
                g =>
                {
                    var rows = g.OrderBy(r => alpha[r]).ToArray();
                    return new Profile(g.Key.Item1, g.Key.Item2, rows.Select(r => alpha[r]).ToArray(), rows.Select(r => loss[r]).ToArray());
                });
    }
}
