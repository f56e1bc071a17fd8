using System.Text.Json;
using SgdWalk.Checkpoints;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>What resuming a run folder means: its options from run.json, its newest checkpoint, and the checks that
/// the checkpoint belongs to exactly this run.</summary>
internal static class ResumePlan
{
    public static (TrainOptions Options, RunManifest Manifest, CheckpointFile? Checkpoint) Load(RunFolder folder)
    {
        if (!File.Exists(folder.Manifest))
            throw new ResumeException($"{folder.Path}: no run.json; not a run folder");
        RunManifest manifest;
        TrainOptions options;
        try
        {
            manifest = RunManifest.Read(folder.Manifest);
            options = manifest.Options.Deserialize<TrainOptions>(RunManifest.Json)
                ?? throw new InvalidDataException($"{folder.Manifest}: no options");
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or NotSupportedException)
        {
            throw new ResumeException($"{folder.Manifest}: cannot read the run's options ({e.Message})");
        }
        if (manifest.Status is RunStatus.Completed or RunStatus.Diverged)
            throw new ResumeException($"{folder.Path}: the run is {manifest.Status.ToString().ToLowerInvariant()}; there is nothing to resume");
        if (options.Validate() is { Count: > 0 } problems)
            throw new ResumeException($"{folder.Manifest}: {problems[0]}");

        var store = new CheckpointStore(folder.Checkpoints, options.KeepCheckpoints);
        CheckpointFile? checkpoint = null;
        if (store.Latest() is { } latest)
        {
            try { checkpoint = CheckpointFile.Read(latest); }
            catch (InvalidDataException e) { throw new ResumeException(e.Message); }
            CheckOptions(checkpoint, options, latest);
        }

        return (options, manifest, checkpoint);
    }

    /// <summary>Once every check has passed: the run is running again, and run.json counts the resume.</summary>
    public static void MarkResumed(RunManifest manifest, CheckpointFile? checkpoint)
    {
        manifest.Status = RunStatus.Running;
        manifest.Message = null;
        manifest.FinishedUtc = null;
        manifest.Counts["resumes"] = manifest.Counts.GetValueOrDefault("resumes") + 1;
        manifest.Counts["resumed_from_step"] = checkpoint?.Header.Step ?? 0;
    }

    private static void CheckOptions(CheckpointFile checkpoint, TrainOptions options, string path)
    {
        var run = OptionsFingerprint.Options(options);
        if (checkpoint.Header.OptionsHash == OptionsFingerprint.Hash(run)) return;
        var differences = OptionsFingerprint.Differences(checkpoint.Header.Options, run);
        checkpoint.Dispose();
        throw new ResumeException($"{path}: written with other options than this run ({(differences.Count > 0 ? string.Join("; ", differences) : "options hash differs")}); refusing to resume from it");
    }

    /// <summary>The checkpoint must hold exactly this model's parameters and buffers, with the same shapes.</summary>
    public static void CheckModel(CheckpointFile checkpoint, nn.Module model)
    {
        var live = model.state_dict();
        var saved = checkpoint.Under("model/").ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, tensor) in live)
        {
            if (!saved.TryGetValue(name, out var s))
                throw new ResumeException($"the checkpoint is from another model: it has no '{name}'");
            if (!s.shape.SequenceEqual(tensor.shape) || s.dtype != tensor.dtype)
                throw new ResumeException($"the checkpoint is from another model: '{name}' is {s.dtype}[{string.Join(",", s.shape)}] there, {tensor.dtype}[{string.Join(",", tensor.shape)}] here");
        }
        if (saved.Keys.Except(live.Keys).FirstOrDefault() is { } extra)
            throw new ResumeException($"the checkpoint is from another model: it has '{extra}', which this model lacks");
    }
}
