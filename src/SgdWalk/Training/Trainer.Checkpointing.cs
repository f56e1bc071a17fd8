using SgdWalk.Checkpoints;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

public sealed partial class Trainer
{
    // Hashes of the CSV files' checkpointed prefixes, advanced incrementally so each byte is read once per run.
    private readonly Dictionary<string, CsvPrefix> csvPrefixes = new();
    private string? dataHash;
    // The training loss at step 0: the yardstick for "the loss has exploded" (see Divergence).
    private double initialLoss = double.NaN;

    /// <summary>The divergence test of one step (non-finite values, or a loss exploded far beyond step 0's).</summary>
    private string? CheckDivergence(int step, double loss)
    {
        if (step == 0) initialLoss = loss;
        return Divergence.Check(step, loss, initialLoss, optimizer.Parameters, parameterNames);
    }

    private string HashPrefix(string name, string path, long length)
    {
        if (!csvPrefixes.TryGetValue(name, out var prefix)) csvPrefixes[name] = prefix = new CsvPrefix();
        return prefix.Advance(path, length);
    }

    /// <summary>
    /// Everything the next step depends on, at a step boundary: parameters and BatchNorm buffers, momentum, the
    /// probes' cross-step vectors, the sampler state at the epoch's start and how far into the epoch the run is,
    /// the augmentation stream, and how long each CSV file is (resume cuts them back to exactly this).
    /// </summary>
    private void SaveCheckpoint(int step, int epoch, int position, Tensor epochStart, double wallSeconds, double evaluationSeconds)
    {
        var (stepsLength, profilesLength) = recorder.FlushToDisk();
        epochs.FlushToDisk();
        long epochsLength = epochs.Length;
        var folder = journal.Folder;
        var fingerprint = OptionsFingerprint.Options(options);
        var header = new CheckpointHeader
        {
            Step = step,
            Epoch = epoch,
            Position = position,
            OptionsHash = OptionsFingerprint.Hash(fingerprint),
            Options = fingerprint,
            ParameterNames = parameterNames,
            BufferNames = model.named_buffers().Select(b => b.name).ToArray(),
            CsvLengths = new() { ["steps"] = stepsLength, ["profiles"] = profilesLength, ["epochs"] = epochsLength },
            CsvHashes = new()
            {
                ["steps"] = HashPrefix("steps", folder.Steps, stepsLength),
                ["profiles"] = HashPrefix("profiles", folder.Profiles, profilesLength),
                ["epochs"] = HashPrefix("epochs", folder.Epochs, epochsLength),
            },
            DataFingerprint = dataHash ??= DataHash.Of(data),
            ModelSha256 = (model as Models.TorchScriptModel)?.Sha256,
            Counters = new()
            {
                ["initial_loss"] = initialLoss,
                ["recorded_steps"] = recorder.RecordedSteps,
                ["wall_s"] = wallSeconds,
                ["evaluation_s"] = startEvaluationSeconds + evaluationSeconds,
                ["floor_beyond_cap"] = floorStep?.BeyondCap ?? 0,
            },
        };
        // The checkpoint only reads these tensors; their owners (model, optimiser, probes) keep them.
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.state_dict()) tensors["model/" + name] = value;
        foreach (var (index, buffer) in optimizer.MomentumBuffers()) tensors[$"optimizer/momentum/{index}"] = buffer;
        foreach (var (name, value) in recorder.SaveState()) tensors["probe/" + name] = value;
        tensors["rng/sampler"] = epochStart;
        using var augmentState = augmenter?.GetState();
        if (augmentState is not null) tensors["rng/augmenter"] = augmentState;

        checkpoints.Save(new CheckpointFile(header, tensors));
    }

    /// <summary>Puts a checkpoint's state back into the freshly built model, optimiser, probes and generators.</summary>
    private void Restore(CheckpointFile checkpoint)
    {
        using (no_grad())
        {
            foreach (var (name, live) in model.state_dict())
                live.copy_(checkpoint.Tensors["model/" + name]);
        }
        optimizer.LoadMomentumBuffers(checkpoint.Under("optimizer/momentum/")
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value));
        recorder.LoadState(checkpoint.Under("probe/").ToDictionary(p => p.Name, p => p.Value),
            (int)checkpoint.Header.Counters.GetValueOrDefault("recorded_steps"));
        initialLoss = checkpoint.Header.Counters.GetValueOrDefault("initial_loss", double.NaN);
        if (floorStep is not null) floorStep.BeyondCap = (long)checkpoint.Header.Counters.GetValueOrDefault("floor_beyond_cap");
        sampler.SetState(checkpoint.Tensors["rng/sampler"]);
        if (augmenter is not null)
        {
            if (!checkpoint.Tensors.TryGetValue("rng/augmenter", out var state))
                throw new ResumeException("the checkpoint has no augmentation stream but this run augments");
            augmenter.SetState(state);
        }
    }
}
