using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Records;
using SgdWalk.Training;
using static TorchSharp.torch;

namespace SgdWalk.Checkpoints;

/// <summary>
/// Exports θ_t of a checkpointed step as one .npy file per tensor plus index.json (names, shapes, files), so numpy or
/// PyTorch can load it. Only checkpointed steps can be exported: the parameters are written exactly as they were,
/// never recomputed. When step t+1 is checkpointed too and steps.csv has the probe view's floor_alpha at t, the
/// floor point φ_t = θ_t + floor_alpha·(θ_{t+1} − θ_t) is written as well.
/// </summary>
public static class SnapshotExport
{
    /// <summary>Writes the export into <paramref name="output"/> and returns the index it wrote.</summary>
    /// <exception cref="ArgumentException">No checkpoint at that step; the message lists those that exist.</exception>
    public static JsonObject Export(RunFolder folder, int step, string output)
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
        using var checkpoint = ReadOwn(store.PathOf(step), step, options);
        Directory.CreateDirectory(output);
        var tensors = new JsonArray();
        var (parameters, buffers) = (checkpoint.Header.ParameterNames.ToHashSet(), checkpoint.Header.BufferNames.ToHashSet());
        foreach (var (name, value) in checkpoint.Under("model/"))
        {
            if (parameters.Contains(name)) tensors.Add(WriteOne(output, "theta", name, value, "parameter"));
            else if (buffers.Contains(name)) tensors.Add(WriteOne(output, "buffers", name, value, "buffer"));
        }

        JsonNode phi = FloorPoint(folder, store, step, checkpoint, options, output, tensors, out string phiNote);
        var index = new JsonObject
        {
            ["run"] = folder.Path,
            ["step"] = step,
            ["epoch"] = checkpoint.Header.Epoch,
            ["meaning"] = "theta: the trainable parameters before step t's update (after t steps); buffers: BatchNorm statistics at that point",
            ["format"] = "NPY 1.0, little-endian, C order",
            ["floor_point"] = phi,
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
    private static CheckpointFile ReadOwn(string path, int step, TrainOptions options)
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

    private static JsonNode FloorPoint(RunFolder folder, CheckpointStore store, int step, CheckpointFile at, TrainOptions options, string output,
        JsonArray tensors, out string note)
    {
        if (!store.Steps().Contains(step + 1))
        {
            note = $"phi_t needs theta_(t+1) too; step {step + 1} has no checkpoint";
            return JsonValue.Create(false)!;
        }
        double alpha = FloorAlpha(folder, step);
        if (double.IsNaN(alpha))
        {
            note = $"phi_t needs probe_floor_alpha at step {step} in steps.csv; that step's profile was not recorded";
            return JsonValue.Create(false)!;
        }
        using var next = ReadOwn(store.PathOf(step + 1), step + 1, options);
        foreach (var name in at.Header.ParameterNames)
        {
            using var scope = NewDisposeScope();
            var start = at.Tensors["model/" + name];
            var floor = start.add(next.Tensors["model/" + name].sub(start), alpha);
            tensors.Add(WriteOne(output, "phi", name, floor, "floor-point"));
        }
        note = $"phi_t = theta_t + floor_alpha * (theta_(t+1) - theta_t), probe view, floor_alpha = {CsvFormat.Number(alpha)}";
        return new JsonObject { ["view"] = "probe", ["floor_alpha"] = alpha };
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

    private static JsonObject WriteOne(string output, string group, string name, Tensor value, string kind)
    {
        Directory.CreateDirectory(Path.Combine(output, group));
        string file = Path.Combine(group, name + ".npy");
        Npy.Write(Path.Combine(output, file), value);
        return new JsonObject
        {
            ["name"] = name,
            ["kind"] = kind,
            ["file"] = file,
            ["dtype"] = value.dtype.ToString().ToLowerInvariant(),
            ["shape"] = new JsonArray(value.shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
        };
    }
}
