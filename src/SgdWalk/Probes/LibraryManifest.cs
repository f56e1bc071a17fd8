using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Platform;
using SgdWalk.Records;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Probes;

/// <summary>
/// run.json for a walk recorded from a user's own loop, so the folder describes itself and `sgdwalk report` draws it
/// like a folder `sgdwalk train` wrote. The recorder writes one only where nobody else does: a folder without run.json,
/// or one whose run.json an earlier library run wrote (`"source": "library"`); the trainer's own run.json is left alone.
/// </summary>
internal sealed class LibraryManifest
{
    public const string Source = "library";

    private readonly RunManifest manifest;
    private readonly string path;
    private readonly RunDescription description;

    private LibraryManifest(RunManifest manifest, string path, RunDescription description) =>
        (this.manifest, this.path, this.description) = (manifest, path, description);

    /// <summary>A new run.json for <paramref name="folder"/>, or null when another writer (the trainer) owns it.</summary>
    public static LibraryManifest? Start(RunFolder folder, nn.Module model, IReadOnlyList<(string Name, Parameter Value)> parameters,
        RecorderOptions options, RunDescription? description)
    {
        if (File.Exists(folder.Manifest) && !WrittenByLibrary(folder.Manifest)) return null;
        description ??= new RunDescription();
        var settings = new JsonObject
        {
            ["source"] = Source,
            ["model"] = description.Model ?? model.GetName(),
            ["dataset"] = description.Dataset ?? "(your own)",
            ["learning_rate"] = description.LearningRate,
            ["batch_size"] = description.BatchSize,
        };
        // The recorder's knobs as a trainer run's run.json writes them; the chunk size is the user's here, not --chunk-size's.
        foreach (var (key, value) in RecorderOptionsJson.Write(options, RunManifest.Json)) settings.Add(key, value);
        settings["chunk_size"] = options.BatchChunkSize;
        settings["parameter_names"] = new JsonArray(parameters.Select(p => (JsonNode)JsonValue.Create(p.Name)).ToArray());
        var manifest = new RunManifest
        {
            Seed = description.Seed ?? 0,
            Options = settings,
            Versions = RunEnvironment.Versions(),
            Machine = RunEnvironment.Machine(),
            Threads = get_num_threads(),
            StartedUtc = DateTimeOffset.UtcNow,
        };
        manifest.Counts["parameters"] = parameters.Sum(p => p.Value.numel());
        if (description.Seed is null) settings["seed"] = null; // not given: say so rather than record a made-up 0 as the seed
        var written = new LibraryManifest(manifest, folder.Manifest, description);
        manifest.Write(folder.Manifest);
        return written;
    }

    /// <summary>After a step: the first step fills in the learning rate and batch size the user did not give.</summary>
    public void Stepped(int step, double learningRate, long batchSize, int recordedSteps)
    {
        if (manifest.Counts.GetValueOrDefault("steps") == 0)
        {
            manifest.Options["learning_rate"] ??= description.LearningRate ?? learningRate;
            manifest.Options["batch_size"] ??= description.BatchSize ?? batchSize;
        }
        manifest.Counts["steps"] = Math.Max(manifest.Counts.GetValueOrDefault("steps"), step + 1);
        manifest.Counts["recorded_steps"] = recordedSteps;
    }

    /// <summary>Writes what is known so far; <paramref name="finished"/> marks the run completed (the recorder was disposed).</summary>
    public void Write(TimeSpan probeTime, bool finished)
    {
        manifest.TimingsSeconds["probes_s"] = probeTime.TotalSeconds;
        if (finished)
        {
            manifest.Status = RunStatus.Completed;
            manifest.FinishedUtc = DateTimeOffset.UtcNow;
        }
        manifest.Write(path);
    }

    private static bool WrittenByLibrary(string manifestPath)
    {
        try { return RunManifest.Read(manifestPath).Options["source"]?.GetValue<string>() == Source; }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException) { return false; }
    }
}
