using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Checkpoints;
using SgdWalk.Formats;
using SgdWalk.Records;
using static TorchSharp.torch;

namespace SgdWalk.Training;

/// <summary>
/// Exports θ_t of a checkpointed step with its BatchNorm buffers, as one .npy file per tensor or as a PyTorch state_dict
/// (.pt or .safetensors), plus index.json (names, shapes, files), so numpy or PyTorch can load it. Only checkpointed steps can be exported: the parameters are written exactly as they were,
/// never recomputed. When step t+1 is checkpointed too and steps.csv has the probe view's floor_alpha at t, the
/// floor point φ_t = θ_t + floor_alpha·(θ_{t+1} − θ_t) is written as well.
/// </summary>
public static class SnapshotExport
{
    /// <summary>Writes the export into <paramref name="output"/> and returns the index it wrote.</summary>
    /// <param name="format">Npy: theta/, buffers/ and phi/ folders of .npy files. Pt or Safetensors: theta.pt (θ_t and the
    /// buffers, one state_dict) and phi.pt (φ_t and the same buffers) or their .safetensors twins.</param>
    /// <exception cref="ArgumentException">No checkpoint at that step; the message lists those that exist.</exception>
    public static JsonObject Export(RunFolder folder, int step, string output, WeightFormat format = WeightFormat.Npy)
    {
        var store = new CheckpointStore(folder.Checkpoints);
        var available = store.Steps();
        if (!available.Contains(step))
        {
            string list = available.Count == 0 ? "none" : string.Join(", ", available);
            throw new ArgumentException($"{folder.Path}: no checkpoint at step {step}; checkpointed steps: {list} (train with --checkpoint-every N " +
                $"and --keep-checkpoints K to keep more)");
        }

        var options = RunOptions(folder);
        string? modelSha256 = RunManifest.Read(folder.Manifest).Options["model_sha256"]?.GetValue<string>();
        using var checkpoint = ReadOwn(store.PathOf(step), step, options, modelSha256);
        RefuseForeignFolder(output);
        using var scope = NewDisposeScope();
        // φ_t reads the next checkpoint, which must belong to this run too: checked before anything is written.
        var (phi, phiNote) = FloorPoint(folder, store, step, checkpoint, options, modelSha256);

        // Everything is written into a fresh folder beside the output and only then put in its place, so an earlier
        // export's files never mix with this one's, and a failure (a full disk) leaves the earlier export as it was
        // and no half-written theta file anywhere.
        output = Path.GetFullPath(output);
        string parent = Path.GetDirectoryName(output)!, name = Path.GetFileName(output);
        string staging = Path.Combine(parent, $".{name}.partial-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(parent);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
            var index = Write(folder, step, checkpoint, phi, phiNote, staging, format);
            Replace(output, staging);
            return index;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
            catch (IOException) { /* the original failure is what the user needs to see */ }
            string reason = e is ArgumentException { ParamName: { } parameter } a ? a.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : e.Message;
            throw new IOException($"{output}: the export could not be written ({reason.ReplaceLineEndings(" ").Trim()}); " +
                $"{(Directory.Exists(output) ? "the earlier export there is unchanged" : "nothing was written")}", e);
        }
    }

    /// <summary>--out must be new, empty, or an earlier export (which is replaced whole); anything else is refused before writing.</summary>
    private static void RefuseForeignFolder(string output)
    {
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any()) return;
        if (!File.Exists(Path.Combine(output, "index.json")))
            throw new ArgumentException($"--out {output}: a folder that is not empty and holds no earlier export (no index.json); " +
                "give a new or empty folder");
    }

    /// <summary>Puts the finished export <paramref name="staging"/> at <paramref name="output"/>, replacing an earlier export whole.</summary>
    private static void Replace(string output, string staging)
    {
        if (!Directory.Exists(output))
        {
            Directory.Move(staging, output);
            return;
        }
        string old = staging.Replace(".partial-", ".old-", StringComparison.Ordinal);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        Directory.Move(output, old);
        try { Directory.Move(staging, output); }
        catch
        {
            Directory.Move(old, output);
            throw;
        }
        Directory.Delete(old, recursive: true);
    }

    private static JsonObject Write(RunFolder folder, int step, CheckpointFile checkpoint, List<(string Name, Tensor Value)>? phi, string phiNote,
        string output, WeightFormat format)
    {
        var buffers = checkpoint.Header.BufferNames.ToHashSet();
        // Every name that is not a buffer: the parameters, and tied ones under each of their names (PyTorch's
        // state_dict has a key per name, and load_state_dict(strict=True) asks for all of them).
        var theta = checkpoint.Under("model/").Where(p => !buffers.Contains(p.Name)).ToList();
        var state = checkpoint.Under("model/").Where(p => buffers.Contains(p.Name)).ToList();
        using var scope = NewDisposeScope();

        var tensors = new JsonArray();
        if (format == WeightFormat.Npy)
        {
            foreach (var (name, value) in theta) tensors.Add(WriteOne(output, "theta", name, value, "parameter"));
            foreach (var (name, value) in state) tensors.Add(WriteOne(output, "buffers", name, value, "buffer"));
            foreach (var (name, value) in phi ?? []) tensors.Add(WriteOne(output, "phi", name, value, "floor-point"));
        }
        else
        {
            string extension = format == WeightFormat.Pt ? ".pt" : ".safetensors";
            StateDictFile.Write(Path.Combine(output, "theta" + extension), format, theta.Concat(state));
            Describe(tensors, "theta" + extension, theta, "parameter");
            Describe(tensors, "theta" + extension, state, "buffer");
            if (phi is not null)
            {
                StateDictFile.Write(Path.Combine(output, "phi" + extension), format, phi.Concat(state));
                Describe(tensors, "phi" + extension, phi, "floor-point");
                Describe(tensors, "phi" + extension, state, "buffer");
            }
        }

        var index = new JsonObject
        {
            ["run"] = folder.Path,
            ["step"] = step,
            ["epoch"] = checkpoint.Header.Epoch,
            ["meaning"] = "theta: the trainable parameters before step t's update (after t steps); buffers: BatchNorm statistics at that point",
            ["format"] = format switch
            {
                WeightFormat.Npy => "NPY 1.0, little-endian, C order",
                WeightFormat.Pt => "PyTorch state_dict (torch.save zip format): model.load_state_dict(torch.load(f, weights_only=True))",
                _ => "safetensors: model.load_state_dict(safetensors.torch.load_file(f))",
            },
            ["floor_point"] = phi is null ? JsonValue.Create(false)! : new JsonObject { ["view"] = "probe", ["floor_alpha"] = FloorAlpha(folder, step) },
            ["floor_point_note"] = phiNote,
            ["tensors"] = tensors,
        };
        File.WriteAllText(Path.Combine(output, "index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return index;
    }

    /// <summary>The run's options from its run.json (what its checkpoints must have been written with).</summary>
    private static TrainOptions RunOptions(RunFolder folder)
    {
        if (!File.Exists(folder.Manifest)) throw new ArgumentException($"{folder.Path}: not a run folder (no run.json)");
        try
        {
            return RunManifest.Read(folder.Manifest).Options.Deserialize<TrainOptions>(RunManifest.Json)
                ?? throw new InvalidDataException($"{folder.Manifest}: no options");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{folder.Manifest}: cannot read the run's options ({e.Message})");
        }
    }

    /// <summary>
    /// Reads a checkpoint and proves it is what its name says: step <paramref name="step"/> of this very run (a file
    /// renamed, or copied in from another run or model, would otherwise be exported under the wrong step).
    /// </summary>
    /// <exception cref="ArgumentException">It is damaged or belongs elsewhere (one line saying which).</exception>
    private static CheckpointFile ReadOwn(string path, int step, TrainOptions options, string? modelSha256)
    {
        CheckpointFile checkpoint;
        try { checkpoint = CheckpointFile.Read(path); }
        catch (InvalidDataException e) { throw new ArgumentException(e.Message); }
        try
        {
            if (checkpoint.Header.Step != step)
                throw new ArgumentException($"{path}: holds step {checkpoint.Header.Step}, not step {step} (renamed or copied?); refusing to " +
                    $"export it under the wrong step");
            Training.ResumePlan.CheckBelongs(checkpoint, options, path);
            // The same model path can have held another TorchScript file: the checkpoint's must be this run's.
            if (checkpoint.Header.ModelSha256 is { } written && modelSha256 is not null && written != modelSha256)
                throw new ArgumentException($"{path}: written with another TorchScript file (SHA-256 {written[..12]}…) than this run's " +
                    $"({modelSha256[..12]}…, run.json); a checkpoint of another run? refusing to export it");
            return checkpoint;
        }
        catch (ResumeException e)
        {
            checkpoint.Dispose();
            throw new ArgumentException(e.Message.Replace("refusing to resume from it", "refusing to export it", StringComparison.Ordinal));
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>φ_t by name (tensors in the caller's dispose scope), or null and why not.</summary>
    private static (List<(string Name, Tensor Value)>? Phi, string Note) FloorPoint(RunFolder folder, CheckpointStore store, int step,
        CheckpointFile at, TrainOptions options, string? modelSha256)
    {
        if (!store.Steps().Contains(step + 1)) return (null, $"phi_t needs theta_(t+1) too; step {step + 1} has no checkpoint");
        double alpha = FloorAlpha(folder, step);
        if (double.IsNaN(alpha)) return (null, $"phi_t needs probe_floor_alpha at step {step} in steps.csv; that step's profile was not recorded");
        using var next = ReadOwn(store.PathOf(step + 1), step + 1, options, modelSha256);
        var phi = new List<(string, Tensor)>();
        var buffers = at.Header.BufferNames.ToHashSet();
        foreach (var name in at.Under("model/").Select(p => p.Name).Where(n => !buffers.Contains(n)))
        {
            var start = at.Tensors["model/" + name];
            phi.Add((name, start.add(next.Tensors["model/" + name].sub(start), alpha)));
        }
        return (phi, $"phi_t = theta_t + floor_alpha * (theta_(t+1) - theta_t), probe view, floor_alpha = {CsvFormat.Number(alpha)}");
    }

    private static double FloorAlpha(RunFolder folder, int step)
    {
        if (!File.Exists(folder.Steps)) return double.NaN;
        var steps = CsvTable.Read(folder.Steps);
        if (!steps.Has("probe_floor_alpha")) return double.NaN;
        for (int r = 0; r < steps.Rows.Count; r++)
            if (steps.Text(r, "step") == CsvFormat.Integer(step)) return steps.Number(r, "probe_floor_alpha");
        return double.NaN;
    }

    private static void Describe(JsonArray index, string file, IEnumerable<(string Name, Tensor Value)> tensors, string kind)
    {
        foreach (var (name, value) in tensors) index.Add(Entry(name, kind, file, value));
    }

    private static JsonObject WriteOne(string output, string group, string name, Tensor value, string kind)
    {
        Directory.CreateDirectory(Path.Combine(output, group));
        string file = Path.Combine(group, name + ".npy");
        Npy.Write(Path.Combine(output, file), value);
        return Entry(name, kind, file, value);
    }

    private static JsonObject Entry(string name, string kind, string file, Tensor value) =>
        new()
        {
            ["name"] = name,
            ["kind"] = kind,
            ["file"] = file,
            ["dtype"] = value.dtype.ToString().ToLowerInvariant(),
            ["shape"] = new JsonArray(value.shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
        };
}
