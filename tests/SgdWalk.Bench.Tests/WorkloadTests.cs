using System.Text.Json;
using SgdWalk.Bench.Primitives;
using SgdWalk.Bench.Reference;
using SgdWalk.Bench.Workloads;
using SgdWalk.Data;
using SgdWalk.Models;
using static TorchSharp.torch;

namespace SgdWalk.Bench.Tests;

/// <summary>The bench's measuring instruments: the exchange files the reference reads, and the FLOP counter.</summary>
public class WorkloadTests
{
    [Fact]
    public void Exchange_files_hold_exactly_the_tensors_we_evaluate()
    {
        using var data = DatasetCatalog.Load(new DataOptions("synthetic"));
        var plan = BenchPlan.QuickPlan(new BenchPlan { Dataset = "synthetic" });
        using var fixture = BenchFixture.Create("mlp", data, plan);
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "mlp-t1");
        ExchangeFolder.Write(folder, fixture, plan, threads: 1);

        Assert.Equal(Values(fixture.Segment.Start.Flat), ReadFloats(Path.Combine(folder, "start.f32")));
        Assert.Equal(Values(fixture.Segment.End.Flat), ReadFloats(Path.Combine(folder, "end.f32")));
        Assert.Equal(Values(fixture.HvpDirection.Flat), ReadFloats(Path.Combine(folder, "hvp-vector.f32")));
        Assert.Equal(fixture.ProbeView.Chunks.SelectMany(c => Values(c.Inputs)), ReadFloats(Path.Combine(folder, "probe-inputs.f32")));
        Assert.Equal(fixture.ProbeView.Chunks.SelectMany(c => c.Targets.data<long>().ToArray()), ReadLongs(Path.Combine(folder, "probe-targets.i64")));
        // θ_t and θ_{t+1} differ: the segment is a real step.
        Assert.NotEqual(ReadFloats(Path.Combine(folder, "start.f32")), ReadFloats(Path.Combine(folder, "end.f32")));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "workload.json")));
        var w = json.RootElement;
        Assert.Equal("mlp", w.GetProperty("model").GetString());
        Assert.Equal(1, w.GetProperty("threads").GetInt32());
        Assert.Equal(plan.Alphas, w.GetProperty("alphas").EnumerateArray().Select(a => a.GetDouble()));
        Assert.Equal(fixture.ProbeView.Count, w.GetProperty("probe_count").GetInt32());
        Assert.Equal([1L, 8, 8], w.GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt64()));
        foreach (var key in new[] { "repeats", "seed", "probe_chunk", "train_batch", "lr", "hvp_samples", "hvp_chunk", "matmul_size" })
            Assert.True(w.TryGetProperty(key, out _), key);
        var parameters = w.GetProperty("parameters").EnumerateArray().ToArray();
        Assert.Equal(fixture.ParameterNames, parameters.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("layers.fc1.weight", parameters[0].GetProperty("name").GetString());
        Assert.Equal([500L, 64], parameters[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        long total = parameters.Sum(p => p.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => a * d.GetInt64()));
        Assert.Equal(total * sizeof(float), new FileInfo(Path.Combine(folder, "start.f32")).Length);
    }

    [Fact]
    public void Flop_counts_match_hand_computed_numbers()
    {
        manual_seed(1);
        using var mlp = ModelZoo.Create("mlp", new ModelSpec(1, 28, 28, 10));
        bool training = mlp.training;
        var f = FlopCount.Of(mlp, 1, 28, 28);
        Assert.Equal(training, mlp.training);
        // 784 -> 500 -> 350 -> 10, 2·in·out each; the mlp's first layer is counted once although it has two names.
        Assert.Equal(["layers.fc1", "layers.fc2", "layers.fc3"], f.Layers.Select(l => l.Layer));
        Assert.Equal(2.0 * (784 * 500 + 500 * 350 + 350 * 10), f.Forward);
        Assert.Equal(1_141_000, f.Forward);
        Assert.Equal(2 * 784_000 + 3 * 357_000, f.Train);  // first layer: forward + weight gradient; others: + input gradient
        Assert.Equal(4 * 784_000 + 9 * 357_000, f.Hvp);

        using var cnn = ModelZoo.Create("small-cnn", new ModelSpec(1, 28, 28, 10));
        var c = FlopCount.Of(cnn, 1, 28, 28);
        double conv1 = 2.0 * 1 * 9 * 32 * 28 * 28;    // 451,584: 3x3 over 1 channel, 32 maps of 28x28
        double conv2 = 2.0 * 32 * 9 * 64 * 14 * 14;   // 7,225,344: after the first 2x2 pool
        double fc1 = 2.0 * 64 * 7 * 7 * 128, fc2 = 2.0 * 128 * 10;
        Assert.Equal([conv1, conv2, fc1, fc2], c.Layers.Select(l => l.Forward));
        Assert.Equal(8_482_304, c.Forward);
        Assert.Equal(2 * conv1 + 3 * (conv2 + fc1 + fc2), c.Train);
        Assert.Equal(4 * conv1 + 9 * (conv2 + fc1 + fc2), c.Hvp);
    }

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    private static List<float> ReadFloats(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var values = new List<float>();
        while (reader.BaseStream.Position < reader.BaseStream.Length) values.Add(reader.ReadSingle());
        return values;
    }

    private static List<long> ReadLongs(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var values = new List<long>();
        while (reader.BaseStream.Position < reader.BaseStream.Length) values.Add(reader.ReadInt64());
        return values;
    }
}
