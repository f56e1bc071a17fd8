using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>`sgdwalk export`: θ_t and φ_t as .npy files that an independent reader (below, written from the NPY spec) loads.</summary>
public partial class ExportTests
{
    [Fact]
    public void Exported_parameters_read_back_by_an_independent_npy_parser_match_the_recorded_walk()
    {
        var run = new RunFolder(Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-export-").FullName, "run"));
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "16,8", "--steps", "6", "--record", "all",
            "--probe-size", "100", "--checkpoint-every", "1", "--keep-checkpoints", "10", "--threads", "1", "--no-report", "--out", run.Path);
        Assert.True(code == 0, output);

        string at0 = Path.Combine(run.Path, "e0"), at3 = Path.Combine(run.Path, "e3");
        (code, output) = CliHarness.Run("export", run.Path, "--step", "0", "--out", at0);
        Assert.True(code == 0, output);
        (code, output) = CliHarness.Run("export", run.Path, "--step", "3", "--out", at3);
        Assert.True(code == 0, output);

        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(at3, "index.json")))!;
        var tensors = index["tensors"]!.AsArray();
        var theta3 = Load(at3, tensors, "parameter");
        var theta0 = Load(at0, JsonNode.Parse(File.ReadAllText(Path.Combine(at0, "index.json")))!["tensors"]!.AsArray(), "parameter");
        Assert.Equal(10, theta3.Count); // three Linear layers' weight and bias, two BatchNorm layers' weight and bias
        Assert.Contains(tensors, t => (string)t!["kind"]! == "buffer" && ((string)t["name"]!).EndsWith("running_mean", StringComparison.Ordinal));
        // Every exported buffer is a BatchNorm statistic; aliases of parameters are not exported a second time.
        Assert.All(tensors.Where(t => (string)t!["kind"]! == "buffer"), t => Assert.Matches("running_mean|running_var|num_batches_tracked", (string)t!["name"]!));

        // dist_init at step 3 in steps.csv is ‖θ_3 − θ_0‖: the exported arrays must give the same number.
        var steps = CsvTable.Read(run.Steps);
        double distance = Math.Sqrt(theta3.Keys.Sum(k => theta3[k].Values.Zip(theta0[k].Values, (a, b) => (double)(a - b) * (a - b)).Sum()));
        Assert.Equal(steps.Number(3, "dist_init"), distance, 1e-5);

        // φ_3 = θ_3 + floor_alpha·(θ_4 − θ_3) on the probe view; θ_4 − θ_3 is recovered from step 3's step_norm.
        double alpha = steps.Number(3, "probe_floor_alpha");
        Assert.Equal(alpha, (double)index["floor_point"]!["floor_alpha"]!);
        var phi = Load(at3, tensors, "floor-point");
        Assert.Equal(theta3.Keys.Order(), phi.Keys.Order());
        double offset = Math.Sqrt(theta3.Keys.Sum(k => theta3[k].Values.Zip(phi[k].Values, (a, b) => (double)(a - b) * (a - b)).Sum()));
        Assert.Equal(Math.Abs(alpha) * steps.Number(3, "step_norm"), offset, 1e-5);
        foreach (var (name, array) in theta3) Assert.Equal(array.Shape, phi[name].Shape);
    }

    [Fact]
    public void A_step_without_a_checkpoint_is_refused_with_the_steps_that_have_one()
    {
        var run = new RunFolder(Path.Combine(Directory.CreateTempSubdirectory("sgdwalk-export-").FullName, "run"));
        var (code, output) = CliHarness.Run("train", "--dataset", "synthetic", "--hidden", "8", "--steps", "4", "--probes", "none",
            "--checkpoint-every", "2", "--no-report", "--out", run.Path);
        Assert.True(code == 0, output);
        (code, output) = CliHarness.Run("export", run.Path, "--step", "3");
        Assert.Equal(2, code);
        Assert.Contains("no checkpoint at step 3; checkpointed steps: 0, 2, 4", output.Replace("\n", "", StringComparison.Ordinal));
        (code, output) = CliHarness.Run("export", run.Path);
        Assert.Equal(2, code);
        Assert.Contains("--step is required", output);
    }

    private sealed record NpyArray(long[] Shape, float[] Values);

    private static Dictionary<string, NpyArray> Load(string folder, JsonArray tensors, string kind) =>
        tensors.Where(t => (string)t!["kind"]! == kind).ToDictionary(
            t => (string)t!["name"]!,
            t =>
            {
                var array = ReadNpy(Path.Combine(folder, (string)t!["file"]!));
                Assert.Equal(t["shape"]!.AsArray().Select(d => (long)d!).ToArray(), array.Shape);
                return array;
            });

    /// <summary>NPY 1.0 as numpy documents it: magic, version, uint16 LE header length, dict literal, raw data.</summary>
    private static NpyArray ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        int headerLength = bytes[8] | (bytes[9] << 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header);
        Assert.Contains("'descr': '<f4'", header);
        Assert.Contains("'fortran_order': False", header);
        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int data = 10 + headerLength;
        Assert.Equal(count * 4, bytes.Length - data);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BitConverter.ToSingle(bytes, data + 4 * i); // '<f4': little-endian
        return new NpyArray(shape, values);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
