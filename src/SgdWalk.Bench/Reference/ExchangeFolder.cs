using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Bench.Workloads;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Reference;

/// <summary>
/// What the PyTorch reference needs to run exactly our workloads (bench/reference/pytorch_bench.py reads it):
/// workload.json, and raw little-endian files without header: start.f32 and end.f32 (θ_t and θ_{t+1}, all parameters
/// flat in parameters() order), probe-inputs.f32 (probe_count×C×H×W, normalised as we evaluate them),
/// probe-targets.i64 and hvp-vector.f32.
/// </summary>
public static class ExchangeFolder
{
    public static void Write(string folder, BenchFixture fixture, BenchPlan plan, int threads)
    {
        Directory.CreateDirectory(folder);
        var workload = new JsonObject
        {
            ["model"] = fixture.Name,
            ["threads"] = threads,
            ["repeats"] = plan.Repeats,
            ["seed"] = plan.Seed,
            ["alphas"] = new JsonArray(plan.Alphas.Select(a => JsonValue.Create(a)).ToArray<JsonNode?>()),
            ["probe_chunk"] = plan.ProbeChunk,
            ["train_batch"] = plan.TrainBatch,
            ["lr"] = plan.LearningRate,
            ["hvp_samples"] = fixture.HvpView.Count,
            ["hvp_chunk"] = plan.HvpChunk,
            ["matmul_size"] = plan.MatmulSize,
            ["probe_count"] = fixture.ProbeView.Count,
            ["input_shape"] = new JsonArray(fixture.InputShape.Select(d => JsonValue.Create(d)).ToArray<JsonNode?>()),
            ["parameters"] = new JsonArray(fixture.ParameterNames.Select((name, i) => (JsonNode?)new JsonObject
            {
                ["name"] = name,
                ["shape"] = new JsonArray(fixture.Parameters[i].shape.Select(d => JsonValue.Create(d)).ToArray<JsonNode?>()),
            }).ToArray()),
        };
        File.WriteAllText(Path.Combine(folder, "workload.json"), workload.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        WriteRaw(Path.Combine(folder, "start.f32"), fixture.Segment.Start.Flat);
        WriteRaw(Path.Combine(folder, "end.f32"), fixture.Segment.End.Flat);
        using (var inputs = Concatenate(fixture.ProbeView, inputs: true))
            WriteRaw(Path.Combine(folder, "probe-inputs.f32"), inputs);
        using (var targets = Concatenate(fixture.ProbeView, inputs: false))
            WriteRaw(Path.Combine(folder, "probe-targets.i64"), targets);
        WriteRaw(Path.Combine(folder, "hvp-vector.f32"), fixture.HvpDirection.Flat);
    }

    /// <summary>The tensor's values in C order as raw little-endian bytes (float32 or int64 as the tensor holds them).</summary>
    public static void WriteRaw(string path, Tensor tensor)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the exchange files are little-endian; this machine is not");
        using var scope = NewDisposeScope();
        var contiguous = tensor.detach().contiguous();
        byte[] bytes = contiguous.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(contiguous.data<float>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes(contiguous.data<long>().ToArray().AsSpan()).ToArray(),
            var other => throw new ArgumentException($"exchange files hold float32 or int64, not {other}"),
        };
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The view's samples in order, as one tensor (the chunks are views of one block; this copies).</summary>
    private static Tensor Concatenate(Landscape.DataView view, bool inputs) =>
        cat(view.Chunks.Select(c => inputs ? c.Inputs : c.Targets).ToList(), 0);
}
