using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgdWalk.Records;

namespace SgdWalk.Training;

/// <summary>
/// The options that determine a walk, as JSON and as a SHA-256, so a checkpoint from another model or option set is
/// refused with the differing options named. Settings that change only where or how files are written (data folder,
/// checkpoint cadence, TensorBoard) are left out: they may differ without changing a single number.
/// </summary>
public static class OptionsFingerprint
{
    private static readonly string[] Ignored = ["data_dir", "checkpoint_every", "keep_checkpoints", "tensor_board"];

    public static JsonObject Options(TrainOptions options)
    {
        var json = (JsonObject)JsonSerializer.SerializeToNode(options, RunManifest.Json)!;
        foreach (var key in Ignored) json.Remove(key);
        return json;
    }

    /// <summary>The options of <c>new TrainOptions()</c>, the value an option had before it existed.</summary>
    private static readonly JsonObject Defaults = Options(new TrainOptions());

    public static string Hash(JsonObject options) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.ToJsonString())));

    /// <summary>"--lr: checkpoint 0.2, run 0.1" for each option that differs (empty when they agree, whatever the keys' order).</summary>
    public static IReadOnlyList<string> Differences(JsonObject checkpoint, JsonObject run)
    {
        var keys = checkpoint.Select(p => p.Key).Union(run.Select(p => p.Key)).Order(StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var key in keys)
        {
            if (JsonNode.DeepEquals(checkpoint[key], run[key])) continue;
            // An option added after the checkpoint was written is absent there; at its default it changes nothing.
            if (!checkpoint.ContainsKey(key) && JsonNode.DeepEquals(run[key], Defaults[key])) continue;
            differences.Add($"{CliName(key)}: checkpoint {checkpoint[key]?.ToJsonString() ?? "null"}, run {run[key]?.ToJsonString() ?? "null"}");
        }
        return differences;
    }

    /// <summary>snake_case option key → the command line's --kebab-case spelling, for messages.</summary>
    private static string CliName(string key) => key switch
    {
        "learning_rate" => "--lr",
        "validation_size" => "--val-size",
        "evaluation_chunk_size" => "--eval-chunk",
        "model_batch_norm" => "--no-model-bn",
        "batch_norm" => "--bn",
        _ => "--" + key.Replace('_', '-'),
    };
}
