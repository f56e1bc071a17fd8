using System.Text.Json;
using System.Text.Json.Nodes;

namespace SgdWalk.Models;

/// <summary>
/// What the companion's <c>save_model</c> writes next to a TorchScript file (`NAME.pt.json`): the input shape and class
/// count the model was made for, how it was made (class, torch version, script or trace) and the file's SHA-256.
/// Optional; when present it must describe this very file, and run.json records it.
/// </summary>
public sealed record TorchScriptSidecar(JsonObject Json, IReadOnlyList<int>? InputShape, int? Classes, string? Method)
{
    public static string PathFor(string modelPath) => modelPath + ".json";

    /// <summary>The sidecar of <paramref name="modelPath"/>, or null when there is none.</summary>
    /// <exception cref="ArgumentException">It is malformed or belongs to another file (one line naming it).</exception>
    public static TorchScriptSidecar? Read(string modelPath, string sha256)
    {
        string path = PathFor(modelPath);
        if (!File.Exists(path)) return null;
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            var shape = json["input_shape"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            int? classes = json["classes"]?.GetValue<int>();
            string? method = json["method"]?.GetValue<string>();
            string? recorded = json["sha256"]?.GetValue<string>();
            if (recorded is not null && !string.Equals(recorded, sha256, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{path}: describes another file (sha256 {recorded}; {modelPath} has {sha256}); " +
                    "save the model again or delete the stale sidecar");
            if (shape is not null && (shape.Length is < 2 or > 3 || shape.Any(d => d <= 0)))
                throw new ArgumentException($"{path}: input_shape must be [C, H, W] or [H, W] of positive sizes (got [{string.Join(", ", shape)}])");
            return new TorchScriptSidecar(json, shape, classes, method);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{path}: not a readable sidecar ({e.Message.Split('\n')[0].Trim()})");
        }
    }
}
