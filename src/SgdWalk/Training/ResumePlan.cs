using System.Text.Json;
using SgdWalk.Checkpoints;
using SgdWalk.Data;
using SgdWalk.Models;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>What resuming a run folder means: its options from run.json, its newest checkpoint, and the checks that
/// the checkpoint belongs to exactly this run.</summary>
internal static class ResumePlan
{
    /// <param name="model">`torchscript:PATH`: the run's TorchScript file moved there (it must have the SHA-256 run.json records).</param>
    /// <param name="dataset">`npz:PATH`: the run's .npz file moved there (the same).</param>
    public static (TrainOptions Options, RunManifest Manifest, CheckpointFile? Checkpoint) Load(RunFolder folder, string? model = null,
        string? dataset = null)
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
        var recorded = options;
        options = Relocate(manifest, options, model, dataset);

        var store = new CheckpointStore(folder.Checkpoints, options.KeepCheckpoints);
        // A damaged newest checkpoint (a crash of the disk, not of the run: writes are atomic) falls back to the newest
        // intact one; its rows are a prefix of the files, so the run continues exactly from there.
        var (checkpoint, path, damaged) = store.ReadNewestIntact();
        if (checkpoint is null && damaged.Count > 0)
            throw new ResumeException($"no intact checkpoint to resume from: {string.Join("; ", damaged)}");
        if (checkpoint is not null)
        {
            try
            {
                // The files' paths may differ from the checkpoint's (moved, same SHA-256, checked above; CheckModel
                // compares the checkpoint's own hashes of model and data): the other options must match.
                CheckBelongs(checkpoint, recorded with
                {
                    Model = TorchScriptModel.Names(options.Model) ? checkpoint.Header.Options["model"]?.GetValue<string>() ?? options.Model : options.Model,
                    Dataset = NpzDataset.IsNpz(options.Dataset, out _) ? checkpoint.Header.Options["dataset"]?.GetValue<string>() ?? options.Dataset
                        : options.Dataset,
                }, path!);
                CheckFiles(checkpoint, folder, path!);
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }
        }
        return (options, manifest, checkpoint);
    }

    /// <summary>
    /// The run's TorchScript and .npz files must be the bytes run.json records (checked before anything is written, so a
    /// refusal leaves the run as it was); `--model torchscript:PATH` / `--dataset npz:PATH` point to a copy elsewhere with
    /// the same SHA-256, and run.json then names the new place.
    /// </summary>
    private static TrainOptions Relocate(RunManifest manifest, TrainOptions options, string? model, string? dataset)
    {
        string? modelPath = null, dataPath = null;
        if (model is not null)
        {
            if (!TorchScriptModel.Names(options.Model))
                throw new ResumeException($"--model {model}: only a TorchScript run's model file can be given again (this run's model is {options.Model})");
            if (!TorchScriptModel.Names(model) || TorchScriptModel.PathOf(model).Length == 0)
                throw new ResumeException($"--model {model}: give the moved TorchScript file as torchscript:PATH");
            modelPath = Path.GetFullPath(TorchScriptModel.PathOf(model));
        }
        if (dataset is not null)
        {
            if (!NpzDataset.IsNpz(options.Dataset, out _))
                throw new ResumeException($"--dataset {dataset}: only an .npz run's file can be given again (this run's data are {options.Dataset})");
            if (!NpzDataset.IsNpz(dataset, out string given) || given.Length == 0)
                throw new ResumeException($"--dataset {dataset}: give the moved .npz file as npz:PATH");
            dataPath = Path.GetFullPath(given);
        }
        if ((RecordedFiles.ModelProblem(manifest.Options, modelPath) ?? RecordedFiles.DataProblem(manifest.Options, dataPath)) is { } problem)
            throw new ResumeException($"{problem}; nothing was changed");
        if (modelPath is not null)
        {
            options = options with { Model = TorchScriptModel.Prefix + modelPath };
            manifest.Options["model"] = options.Model;
        }
        if (dataPath is not null)
        {
            options = options with { Dataset = NpzDataset.Prefix + dataPath };
            manifest.Options["dataset"] = options.Dataset;
        }
        return options;
    }

    /// <summary>The CSV files must still begin with exactly the bytes the checkpoint recorded, so cutting them there
    /// drops whole rows written after it and nothing else.</summary>
    private static void CheckFiles(CheckpointFile checkpoint, RunFolder folder, string path)
    {
        foreach (var (name, file) in new[] { ("steps", folder.Steps), ("profiles", folder.Profiles), ("epochs", folder.Epochs) })
        {
            if (!checkpoint.Header.CsvLengths.TryGetValue(name, out long length)) continue;
            if (CsvPrefix.Problem(file, length, checkpoint.Header.CsvHashes?.GetValueOrDefault(name)) is { } problem)
                throw new ResumeException($"{problem}; refusing to resume from {Path.GetFileName(path)} (restore the file, or start the run again)");
        }
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

    /// <summary>The checkpoint must have been written by a run with these options (also the model's shape).</summary>
    public static void CheckBelongs(CheckpointFile checkpoint, TrainOptions options, string path)
    {
        var run = OptionsFingerprint.Options(options);
        if (checkpoint.Header.OptionsHash == OptionsFingerprint.Hash(run)) return;
        // The same options in another key order (a checkpoint written before the recorder's options were nested) belong.
        var differences = OptionsFingerprint.Differences(checkpoint.Header.Options, run);
        if (differences.Count == 0) return;
        throw new ResumeException($"{path}: written with other options than this run ({string.Join("; ", differences)}); refusing to resume from it");
    }

    /// <summary>The checkpoint must hold exactly this model's parameters and buffers, with the same shapes, and have
    /// been written on the same data.</summary>
    public static void CheckModel(CheckpointFile checkpoint, nn.Module model, DataBundle data)
    {
        if (checkpoint.Header.DataFingerprint is { } recorded && recorded != DataHash.Of(data))
            throw new ResumeException($"the data in {data.Directory} differ from those the checkpoint at step {checkpoint.Header.Step} was written " +
                $"with (other labels, images or sizes); refusing to continue the run on other data");
        if (checkpoint.Header.ModelSha256 is { } file && model is Models.TorchScriptModel torchScript && file != torchScript.Sha256)
            throw new ResumeException($"{torchScript.Path} differs from the TorchScript file the checkpoint at step {checkpoint.Header.Step} was " +
                $"written with (sha256 {torchScript.Sha256}, then {file}); refusing to continue the run with another model");
        var live = model.state_dict();
        var saved = checkpoint.Under("model/").ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, tensor) in live)
        {
            if (!saved.TryGetValue(name, out var s))
                throw new ResumeException($"the checkpoint is from another model: it has no '{name}'");
            if (!s.shape.SequenceEqual(tensor.shape) || s.dtype != tensor.dtype)
                throw new ResumeException($"the checkpoint is from another model: '{name}' is {s.dtype}[{string.Join(",", s.shape)}] there, " +
                    $"{tensor.dtype}[{string.Join(",", tensor.shape)}] here");
        }
        if (saved.Keys.Except(live.Keys).FirstOrDefault() is { } extra)
            throw new ResumeException($"the checkpoint is from another model: it has '{extra}', which this model lacks");
    }
}
